"""`gsi release`: version checks, the files it sets, the registry entry, and all-or-nothing behaviour."""

import json
import shutil

import pytest
import yaml
from click.testing import CliRunner

from gsi_tracker import release as release_mod
from gsi_tracker.build import BuildError, build_release
from gsi_tracker.cli import cli
from gsi_tracker.download import verify_release
from gsi_tracker.files import sha256_file
from gsi_tracker.registry import find_release, read_registry
from gsi_tracker.release import ReleaseError, release
from tests.release_packages import EPOCH, REPO, make_package, more_rows, rows, write_seeds

DAY = 86400


def repo_like(folder, table_rows=None):
    """A package laid out like the repository, with its own registry and version file."""
    pkg = make_package(folder, table_rows)
    code = pkg / "src" / "gsi_tracker"
    code.mkdir(parents=True)
    (code / "__init__.py").write_text('"""Package."""\n\n__version__ = "0.1.0"\n')
    registry = json.loads((REPO / "src" / "gsi_tracker" / "registry.json").read_text(encoding="utf-8"))
    (code / "registry.json").write_text(json.dumps({**registry, "releases": []}), encoding="utf-8")
    return pkg


def snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def note(pkg, text):
    path = pkg / "CHANGELOG.md"
    path.write_text(path.read_text().replace("## [Unreleased]\n", f"## [Unreleased]\n\n### Changed\n\n- {text}\n", 1))


@pytest.fixture
def first(tmp_path):
    """A package with release 0.1.0 cut into tmp_path/dist."""
    pkg = repo_like(tmp_path / "pkg")
    result = release("0.1.0", pkg, tmp_path / "dist", epoch=EPOCH + 3600)
    return pkg, tmp_path / "dist", result


def test_first_release_sets_every_file_and_records_it(first):
    pkg, dist, result = first
    assert result.date == "2026-01-01" and result.build.created == "2026-01-01T00:00:00Z"
    assert json.loads((pkg / "datapackage.json").read_text())["version"] == "0.1.0"
    cff = yaml.safe_load((pkg / "CITATION.cff").read_text())
    assert (cff["version"], cff["date-released"]) == ("0.1.0", "2026-01-01")
    changelog = (pkg / "CHANGELOG.md").read_text()
    assert "## [Unreleased]\n\n## [0.1.0] - 2026-01-01\n\n### Added" in changelog
    assert "[0.1.0]: https://github.com/gsi-tracker/gsi-tracker/releases/tag/v0.1.0" in changelog
    registry_file = pkg / "src" / "gsi_tracker" / "registry.json"
    registry = read_registry(registry_file)
    assert registry["base_url"] == read_registry(REPO / "src" / "gsi_tracker" / "registry.json")["base_url"]
    entry = find_release(registry, "latest")
    assert set(entry) == {"version", "date", "zip", "files"}
    assert entry["zip"] == {
        "name": "gsi-tracker-0.1.0.zip",
        "sha256": sha256_file(result.build.zip),
        "bytes": result.build.zip.stat().st_size,
    }
    folder = dist / "gsi-tracker-0.1.0"
    on_disk = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert sorted(entry["files"]) == on_disk
    assert all(entry["files"][n] == sha256_file(folder / n) for n in on_disk)
    verify_release(folder, entry)


def test_the_release_commit_rebuilds_to_the_registered_bytes(first, tmp_path, monkeypatch):
    pkg, _, result = first
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    again = build_release(pkg, tmp_path / "rebuild")
    assert again.zip.read_bytes() == result.build.zip.read_bytes()


def test_a_minor_release_after_rows_are_added(first):
    pkg, dist, _ = first
    table_rows = rows()
    table_rows["actors"] += more_rows()["actors"]
    write_seeds(pkg, table_rows)
    note(pkg, "Added Solomon Islands.")
    with pytest.raises(ReleaseError, match="is a patch release but the changes since 0.1.0 need a minor one"):
        release("0.1.1", pkg, dist, epoch=EPOCH + DAY)
    result = release("0.2.0", pkg, dist, epoch=EPOCH + DAY)
    assert (result.previous, result.bump, result.needed) == ("0.1.0", "minor", "minor")
    registry = read_registry(pkg / "src" / "gsi_tracker" / "registry.json")
    assert [e["version"] for e in registry["releases"]] == ["0.1.0", "0.2.0"]
    assert '__version__ = "0.2.0"' in (pkg / "src" / "gsi_tracker" / "__init__.py").read_text()
    changelog = (pkg / "CHANGELOG.md").read_text()
    assert changelog.index("## [0.2.0] - 2026-01-02") < changelog.index("## [0.1.0] - 2026-01-01")
    assert "[0.2.0]: https://github.com/gsi-tracker/gsi-tracker/compare/v0.1.0...v0.2.0" in changelog


@pytest.mark.parametrize(
    "version, message",
    [
        ("1.0", "not a semantic version"),
        ("v1.0.0", "not a semantic version"),
        ("1.0.0-rc.1", "not a semantic"),
        ("0.1.0", "already released"),
        ("0.0.9", "not above the last release"),
    ],
)
def test_refuses_bad_versions_and_changes_nothing(first, version, message):
    pkg, dist, _ = first
    note(pkg, "Something.")
    before, before_dist = snapshot(pkg), snapshot(dist)
    with pytest.raises(ReleaseError, match=message):
        release(version, pkg, dist, epoch=EPOCH + DAY)
    assert snapshot(pkg) == before and snapshot(dist) == before_dist


def test_refuses_without_the_previous_release_or_with_an_altered_one(first, tmp_path):
    pkg, dist, _ = first
    note(pkg, "Something.")
    with pytest.raises(ReleaseError, match="gsi download 0.1.0"):
        release("0.1.1", pkg, tmp_path / "elsewhere", epoch=EPOCH + DAY)
    altered = tmp_path / "altered"
    shutil.copytree(dist / "gsi-tracker-0.1.0", altered)
    (altered / "data" / "events.csv").write_text("x\n")
    with pytest.raises(ReleaseError, match="does not match the registry"):
        release("0.1.1", pkg, dist, previous=altered, epoch=EPOCH + DAY)


def test_refuses_an_empty_unreleased_section(first):
    pkg, dist, _ = first
    before = snapshot(pkg)
    with pytest.raises(ReleaseError, match="Unreleased section is empty"):
        release("0.1.1", pkg, dist, epoch=EPOCH + DAY)
    assert snapshot(pkg) == before


def test_refuses_invalid_data_and_changes_nothing(first):
    pkg, dist, _ = first
    bad = rows()
    bad["events"][0]["description"] = ""
    write_seeds(pkg, bad)
    note(pkg, "Broke a row.")
    before, before_dist = snapshot(pkg), snapshot(dist)
    with pytest.raises(BuildError) as err:
        release("1.0.0", pkg, dist, epoch=EPOCH + DAY)
    assert err.value.report is not None and err.value.report.errors
    assert snapshot(pkg) == before and snapshot(dist) == before_dist


def test_a_failure_after_the_build_restores_everything(first, monkeypatch):
    pkg, dist, _ = first
    note(pkg, "Something.")
    before, before_dist = snapshot(pkg), snapshot(dist)

    def broken(entry, path=None):
        raise OSError("disk full")

    monkeypatch.setattr(release_mod, "record_release", broken)
    with pytest.raises(OSError):
        release("0.1.1", pkg, dist, epoch=EPOCH + DAY)
    assert snapshot(pkg) == before and snapshot(dist) == before_dist


def test_cli_release(tmp_path):
    pkg = repo_like(tmp_path / "pkg")
    runner = CliRunner(env={"SOURCE_DATE_EPOCH": str(EPOCH)})
    out = str(tmp_path / "dist")
    ok = runner.invoke(cli, ["release", "0.1.0", str(pkg), "--out", out])
    assert ok.exit_code == 0, ok.output
    assert "tag v0.1.0" in ok.output
    again = runner.invoke(cli, ["release", "0.1.0", str(pkg), "--out", out])
    assert again.exit_code == 2 and "already released" in again.output
