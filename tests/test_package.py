"""Opening data packages from folders, descriptors and zips, and refusing paths that leave them."""

import json
import shutil
import zipfile

import pytest

from gsi_tracker.package import PackageError, open_package


def test_opens_repo_root_and_descriptor(repo):
    by_folder = open_package(repo)
    by_file = open_package(repo / "datapackage.json")
    assert by_folder.tables == by_file.tables
    assert by_folder.tables == [r["name"] for r in json.loads((repo / "datapackage.json").read_text())["resources"]]


def test_opens_a_zip_with_one_folder(repo, tmp_path):
    zpath = tmp_path / "pkg.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for p in [
            "datapackage.json",
            *(f"schemas/{x.name}" for x in (repo / "schemas").iterdir()),
            *(f"seeds/{x.name}" for x in (repo / "seeds").iterdir()),
        ]:
            zf.write(repo / p, f"release-1/{p}")
    with open_package(zpath) as pkg:
        assert pkg.resource("events").path.is_file()
        assert pkg.version == json.loads((repo / "datapackage.json").read_text())["version"]


@pytest.mark.parametrize("bad", ["../outside.csv", "/etc/passwd", "https://example.org/x.csv"])
def test_refuses_paths_that_leave_the_package(repo, tmp_path, bad):
    shutil.copytree(repo / "schemas", tmp_path / "schemas")
    shutil.copytree(repo / "seeds", tmp_path / "seeds")
    desc = json.loads((repo / "datapackage.json").read_text())
    desc["resources"][0]["path"] = bad
    (tmp_path / "datapackage.json").write_text(json.dumps(desc))
    with pytest.raises(PackageError, match="leave|remote"):
        open_package(tmp_path)


def test_refuses_a_link_out_of_the_package(repo, tmp_path):
    shutil.copytree(repo / "schemas", tmp_path / "schemas")
    (tmp_path / "seeds").mkdir()
    (tmp_path / "elsewhere.csv").write_text("a\n")
    (tmp_path / "pkg").mkdir()
    shutil.move(str(tmp_path / "schemas"), tmp_path / "pkg" / "schemas")
    (tmp_path / "pkg" / "seeds").symlink_to(tmp_path / "seeds")
    (tmp_path / "seeds" / "sources.csv").symlink_to(tmp_path / "elsewhere.csv")
    shutil.copy(repo / "datapackage.json", tmp_path / "pkg" / "datapackage.json")
    with pytest.raises(PackageError, match="links outside"):
        open_package(tmp_path / "pkg")


def test_refuses_zip_slip(tmp_path):
    zpath = tmp_path / "evil.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.writestr("datapackage.json", "{}")
        zf.writestr("../escape.txt", "x")
    with pytest.raises(PackageError, match="leave the extraction folder"):
        open_package(zpath)
    assert not (tmp_path.parent / "escape.txt").exists()


@pytest.mark.parametrize(
    "content, message",
    [(b"{not json", "broken JSON"), (b"\xff\xfe\x00", "not UTF-8"), (b"[]", "not a data package")],
)
def test_unreadable_descriptors_name_the_problem(tmp_path, content, message):
    (tmp_path / "datapackage.json").write_bytes(content)
    with pytest.raises(PackageError, match=message) as err:
        open_package(tmp_path)
    assert "datapackage.json" in str(err.value)


def test_missing_path(tmp_path):
    with pytest.raises(PackageError, match="no such file"):
        open_package(tmp_path / "nope")
