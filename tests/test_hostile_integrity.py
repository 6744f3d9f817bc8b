"""load(path=...) checks the declared bytes and hash of every file before reading (verify=False skips it), and
maps every reader failure to a PackageError naming the file."""

import shutil
import zipfile

import pytest

import gsi_tracker
from gsi_tracker.package import PackageError
from tests.hostile import assert_clean_exit, gsi


def _alter_a_figure(folder):
    csv = folder / "data" / "commitments.csv"
    text = csv.read_text(encoding="utf-8")
    assert ",3000," in text
    csv.write_text(text.replace(",3000,", ",9000,", 1), encoding="utf-8")


@pytest.fixture
def altered(tmp_path, built_release):
    folder = tmp_path / built_release.folder.name
    shutil.copytree(built_release.folder, folder)
    _alter_a_figure(folder)
    return folder


def test_load_refuses_an_altered_release_folder(altered):
    with pytest.raises(PackageError, match="commitments.csv.*altered"):
        gsi_tracker.load(path=altered, format="csv")
    with pytest.raises(PackageError, match="commitments.csv"):
        gsi_tracker.load(path=altered)  # Parquet is read, but every declared file is checked


def test_verify_false_reads_an_altered_folder(altered):
    ds = gsi_tracker.load(path=altered, format="csv", verify=False)
    assert 9000 in ds.commitments["quantity"].dropna().tolist()


def test_load_refuses_an_altered_zip(tmp_path, altered, built_release):
    zipped = tmp_path / "altered.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        for p in sorted(altered.rglob("*")):
            if p.is_file():
                zf.write(p, f"{altered.name}/{p.relative_to(altered).as_posix()}")
    with pytest.raises(PackageError, match="altered"):
        gsi_tracker.load(path=zipped)
    result = gsi("info", "--path", zipped)
    assert_clean_exit(result, (2,))
    assert "commitments.csv" in result.output


def test_unreadable_parquet_is_a_package_error(tmp_path, built_release):
    folder = tmp_path / built_release.folder.name
    shutil.copytree(built_release.folder, folder)
    pq = folder / "data" / "events.parquet"
    pq.write_bytes(pq.read_bytes()[:200])
    with pytest.raises(PackageError, match="events.parquet"):
        gsi_tracker.load(path=folder, verify=False)
    with pytest.raises(PackageError, match="events.parquet"):
        gsi_tracker.load(path=folder)


@pytest.mark.parametrize("command", ["info", "validate"])
def test_truncated_parquet_on_the_command_line(tmp_path, built_release, command):
    folder = tmp_path / built_release.folder.name
    shutil.copytree(built_release.folder, folder)
    pq = folder / "data" / "events.parquet"
    pq.write_bytes(pq.read_bytes()[:200])
    args = ["info", "--path", folder] if command == "info" else ["validate", folder]
    result = gsi(*args)
    assert_clean_exit(result, (1, 2))
    assert "events" in result.output
