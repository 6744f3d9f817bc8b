"""Downloading a built release from a real HTTP server on 127.0.0.1: checks, cache, refusals, CLI."""

import contextlib
import functools
import http.server
import io
import json
import re
import shutil
import threading
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import gsi_tracker
from gsi_tracker.cli import cli
from gsi_tracker.download import DownloadError, fetch_release
from gsi_tracker.files import sha256_file
from gsi_tracker.registry import release_entry


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class Server:
    """A threaded static file server on 127.0.0.1 serving `root`; `stop()` closes it."""

    def __init__(self, root: Path, handler=Quiet):
        self.root = root
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=root))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        serve = functools.partial(self.httpd.serve_forever, poll_interval=0.05)
        self.thread = threading.Thread(target=serve, daemon=True)
        self.thread.start()

    def stop(self):
        if self.thread.is_alive():
            self.httpd.shutdown()
            self.thread.join()
        self.httpd.server_close()


@pytest.fixture
def mirror(tmp_path, monkeypatch, built_release):
    """Serves the built release under /v<version>/, with a registry of our own and a cache in tmp_path."""
    www = tmp_path / "www"
    server = Server(www)
    mirror = Mirror(tmp_path, www, server, built_release)
    monkeypatch.setenv("GSI_TRACKER_REGISTRY", str(mirror.registry))
    monkeypatch.setenv("GSI_TRACKER_CACHE", str(mirror.cache))
    monkeypatch.delenv("GSI_TRACKER_BASE_URL", raising=False)
    mirror.publish(built_release.zip.read_bytes())
    yield mirror
    server.stop()


class Mirror:
    def __init__(self, tmp: Path, www: Path, server: Server, built):
        self.tmp, self.www, self.server, self.built = tmp, www, server, built
        self.version = built.version
        self.registry = tmp / "registry.json"
        self.cache = tmp / "cache"
        self.zip_name = built.zip.name

    @contextlib.contextmanager
    def served_by(self, handler):
        """Serve the published release through `handler` instead of the plain file server, then stop it."""
        swapped = Server(self.www, handler)
        self.server.stop()
        self.server = swapped
        try:
            self.publish(self.built.zip.read_bytes())
            yield
        finally:
            swapped.stop()

    def publish(self, zip_bytes: bytes | None, *, registered: bytes | None = None):
        """Serve `zip_bytes` (None: serve nothing) and register `registered` (default: the same bytes)."""
        folder = self.www / f"v{self.version}"
        folder.mkdir(parents=True, exist_ok=True)
        if zip_bytes is not None:
            (folder / self.zip_name).write_bytes(zip_bytes)
        registered = zip_bytes if registered is None else registered
        scratch = self.tmp / "registered.zip"
        scratch.write_bytes(registered)
        entry = release_entry(
            self.version,
            self.built.created[:10],
            self.zip_name,
            sha256_file(scratch),
            scratch.stat().st_size,
            self.built.files,
        )
        base = f"{self.server.url}/v{{version}}/"
        self.registry.write_text(json.dumps({"base_url": base, "releases": [entry]}), encoding="utf-8")

    def cached(self) -> list[str]:
        return sorted(p.name for p in self.cache.iterdir()) if self.cache.exists() else []


def rezip(zip_path: Path, change) -> bytes:
    """The zip's entries rewritten, with `change(name, data)` returning new bytes (or None to keep them)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(zip_path) as src, zipfile.ZipFile(buf, "w") as out:
        for info in src.infolist():
            data = src.read(info)
            out.writestr(info, change(info.filename, data) or data)
    return buf.getvalue()


def assert_same_tables(a, b):
    assert list(a) == list(b)
    for table in a:
        pd.testing.assert_frame_equal(a[table], b[table])


def test_download_checks_caches_and_loads(mirror):
    ds = gsi_tracker.load(mirror.version)
    assert ds.format == "parquet"
    assert ds.version == mirror.version
    assert_same_tables(ds, gsi_tracker.load(path=mirror.built.folder))
    folder = mirror.cache / mirror.version
    assert Path(ds.location) == folder
    stored = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert stored == sorted(mirror.built.files)
    assert mirror.cached() == [mirror.version]


def test_second_load_comes_from_the_cache_with_the_server_stopped(mirror):
    first = gsi_tracker.load("latest")
    mirror.server.stop()
    assert_same_tables(gsi_tracker.load(mirror.version), first)
    assert_same_tables(gsi_tracker.load("latest", format="csv"), first)


def test_base_url_from_the_environment_serves_as_a_mirror(mirror, monkeypatch):
    registry = json.loads(mirror.registry.read_text(encoding="utf-8"))
    registry["base_url"] = "http://127.0.0.1:9/nowhere/v{version}/"
    mirror.registry.write_text(json.dumps(registry), encoding="utf-8")
    monkeypatch.setenv("GSI_TRACKER_BASE_URL", f"{mirror.server.url}/v{{version}}")
    assert fetch_release(mirror.version) == mirror.cache / mirror.version


def test_a_tampered_file_is_refused_and_nothing_is_cached(mirror):
    def change(name, data):
        return data + b"ev-2099-x,Injected\n" if name.endswith("data/events.csv") else None

    tampered = rezip(mirror.built.zip, change)
    mirror.publish(tampered)
    with pytest.raises(DownloadError, match="sha256") as err:
        gsi_tracker.load(mirror.version)
    assert err.value.path == f"gsi-tracker-{mirror.version}/data/events.csv"
    assert mirror.cached() == []


def test_a_zip_not_matching_its_hash_is_refused(mirror):
    whole = bytearray(mirror.built.zip.read_bytes())
    whole[len(whole) // 2] ^= 0xFF
    mirror.publish(bytes(whole), registered=mirror.built.zip.read_bytes())
    with pytest.raises(DownloadError, match="does not match the registry") as err:
        fetch_release(mirror.version)
    assert err.value.path == mirror.zip_name
    assert mirror.cached() == []


def test_a_truncated_download_is_refused(mirror):
    whole = mirror.built.zip.read_bytes()
    mirror.publish(whole[: len(whole) // 2], registered=whole)
    with pytest.raises(DownloadError, match="truncated") as err:
        fetch_release(mirror.version)
    assert err.value.path == mirror.zip_name
    assert mirror.cached() == []


class CutShort(Quiet):
    """Announces the full length, sends half, and closes the connection."""

    def do_GET(self):
        data = (Path(self.directory) / self.path.lstrip("/")).read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2])
        self.close_connection = True


def test_a_connection_cut_short_is_refused(mirror):
    with mirror.served_by(CutShort), pytest.raises(DownloadError, match="cut short") as err:
        fetch_release(mirror.version)
    assert err.value.path == mirror.zip_name
    assert mirror.cached() == []


def test_http_404_is_reported_with_the_file(mirror):
    (mirror.www / f"v{mirror.version}" / mirror.zip_name).unlink()
    with pytest.raises(DownloadError, match="HTTP 404") as err:
        gsi_tracker.load(mirror.version)
    assert err.value.path == mirror.zip_name
    assert mirror.cached() == []


def test_a_zip_entry_leaving_its_folder_is_refused(mirror):
    buf = io.BytesIO()
    with zipfile.ZipFile(mirror.built.zip) as src, zipfile.ZipFile(buf, "w") as out:
        for info in src.infolist():
            out.writestr(info, src.read(info))
        out.writestr("../escaped.txt", "x")
    mirror.publish(buf.getvalue())
    with pytest.raises(DownloadError, match="would leave the extraction folder") as err:
        fetch_release(mirror.version)
    assert err.value.path == mirror.zip_name
    assert mirror.cached() == []
    assert not any(p.name == "escaped.txt" for p in mirror.tmp.rglob("*"))


def test_an_unknown_version_names_the_known_ones(mirror):
    with pytest.raises(DownloadError, match=f"unknown version '9.9.9'; known versions: {mirror.version}"):
        gsi_tracker.load("9.9.9")


def test_a_stale_cache_is_replaced(mirror):
    folder = fetch_release(mirror.version)
    (folder / "datapackage.json").write_text("{}", encoding="utf-8")
    assert fetch_release(mirror.version) == folder
    assert sha256_file(folder / "datapackage.json") == mirror.built.files["datapackage.json"]
    assert mirror.cached() == [mirror.version]


def test_cli_download_to_a_folder_and_info(mirror, tmp_path):
    runner = CliRunner()
    dest = tmp_path / "out"
    done = runner.invoke(cli, ["download", mirror.version, "--dest", str(dest)])
    assert done.exit_code == 0, done.output
    assert (dest / f"gsi-tracker-{mirror.version}" / "datapackage.json").is_file()
    assert mirror.cached() == []
    shown = runner.invoke(cli, ["info", "--path", str(dest / f"gsi-tracker-{mirror.version}")])
    assert shown.exit_code == 0, shown.output
    assert f"releases: {mirror.version} ({mirror.built.created[:10]}); latest {mirror.version}" in shown.output
    events = gsi_tracker.load(path=dest / f"gsi-tracker-{mirror.version}").events
    assert re.search(rf"^\s+events\s+{len(events)}\s+start_date", shown.output, re.MULTILINE)


def test_cli_refusals_exit_2_naming_the_file(mirror):
    shutil.rmtree(mirror.www)
    done = CliRunner().invoke(cli, ["download", mirror.version])
    assert done.exit_code == 2
    assert mirror.zip_name in done.output and "HTTP 404" in done.output
    assert "Traceback" not in done.output
