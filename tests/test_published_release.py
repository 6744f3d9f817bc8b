"""The latest version in the committed registry, rebuilt from source and served over HTTP on 127.0.0.1, downloads
through the committed registry and loads equal to the tables it was built from.

The source is this tree while its tables are those of the release (then the download equals `load()`); once they
change, the release's tag (`git archive v<version>`), whose build must give the registry's bytes; without the tag
the test says why and is skipped."""

import io
import shutil
import subprocess
import tarfile

import pandas as pd
import pytest

import gsi_tracker
from gsi_tracker.build import build_release
from gsi_tracker.registry import latest_version, read_registry
from tests.release_packages import REPO
from tests.test_download import Server

REGISTRY = read_registry(REPO / "src" / "gsi_tracker" / "registry.json")
LATEST = latest_version(REGISTRY)


def tagged_tree(dest):
    """The release tag's files in `dest`, or None when git or the tag is not there."""
    if shutil.which("git") is None:
        return None
    done = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", f"v{LATEST}"], capture_output=True, check=False
    )
    if done.returncode != 0:
        return None
    with tarfile.open(fileobj=io.BytesIO(done.stdout)) as tar:
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        tar.extractall(dest, **safe)
    return dest


def download(built, tmp_path, monkeypatch):
    www = tmp_path / "www" / f"v{LATEST}"
    www.mkdir(parents=True)
    (www / built.zip.name).write_bytes(built.zip.read_bytes())
    server = Server(tmp_path / "www")
    try:
        monkeypatch.setenv("GSI_TRACKER_BASE_URL", server.url + "/v{version}/")
        monkeypatch.setenv("GSI_TRACKER_CACHE", str(tmp_path / "cache"))
        monkeypatch.delenv("GSI_TRACKER_REGISTRY", raising=False)
        return gsi_tracker.load(LATEST)
    finally:
        server.stop()


@pytest.mark.skipif(LATEST is None, reason="no version has been released")
def test_the_latest_release_downloads_and_equals_its_tables(tmp_path, monkeypatch):
    entry = next(e for e in REGISTRY["releases"] if e["version"] == LATEST)
    built = build_release(REPO, tmp_path / "dist")
    if built.version == LATEST and built.zip_sha256 == entry["zip"]["sha256"]:
        expected = gsi_tracker.load()
    else:
        tree = tagged_tree(tmp_path / "tag")
        if tree is None:
            pytest.skip(f"the tables changed since {LATEST} and its tag v{LATEST} is not in this checkout")
        built = build_release(tree, tmp_path / "tag-dist")
        assert built.zip_sha256 == entry["zip"]["sha256"], "the tag rebuilds the bytes the registry lists"
        expected = gsi_tracker.load(path=built.folder)
    downloaded = download(built, tmp_path, monkeypatch)
    assert downloaded.version == LATEST and list(downloaded) == list(expected)
    for table in expected:
        pd.testing.assert_frame_equal(downloaded[table], expected[table], obj=table)
