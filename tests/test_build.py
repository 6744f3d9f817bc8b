"""`gsi build`: a validated, reproducible, immutable release folder and zip."""

import hashlib
import json
import os
import subprocess
import sys
import zipfile

import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from frictionless import validate as frictionless_validate

from gsi_tracker import build as build_mod
from gsi_tracker import schema as sch
from gsi_tracker.build import BuildError, ReleaseDiffers, build_release
from gsi_tracker.cli import cli
from gsi_tracker.package import open_package
from gsi_tracker.tables import read_table
from gsi_tracker.validate import validate_package
from tests.release_packages import EPOCH, REPO, make_package, rows, write_seeds


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One release built from the test rows, shared by the read-only tests."""
    base = tmp_path_factory.mktemp("built")
    return build_release(make_package(base / "pkg"), base / "dist", epoch=EPOCH)


def test_layout_and_descriptor(built):
    folder = built.folder
    assert folder.name == f"gsi-tracker-{built.version}" and built.zip.name == f"{folder.name}.zip"
    desc = json.loads((folder / "datapackage.json").read_text())
    repo_desc = json.loads((REPO / "datapackage.json").read_text())
    assert desc["$schema"].startswith("https://datapackage.org/profiles/2.0/")
    assert desc["version"] == repo_desc["version"] and desc["created"] == "2026-01-01T00:00:00Z"
    tables = [r["name"] for r in repo_desc["resources"]]
    assert [r["name"] for r in desc["resources"]] == tables + [f"{t}-parquet" for t in tables]
    for src in repo_desc["resources"]:
        declared = json.loads((REPO / src["schema"]).read_text())
        for res in (r for r in desc["resources"] if r["name"] in (src["name"], f"{src['name']}-parquet")):
            assert res["schema"] == declared
            assert res.get("x-gsi") == src.get("x-gsi")
            path = folder / res["path"]
            assert res["bytes"] == path.stat().st_size and res["hash"] == f"sha256:{sha(path)}"
        parquet = next(r for r in desc["resources"] if r["name"] == f"{src['name']}-parquet")
        assert parquet["format"] == "parquet" and parquet["path"] == f"data/{src['name']}.parquet"
    with open_package(folder) as pkg:
        assert pkg.tables == tables and all(pkg.has(t, "parquet") for t in tables)


def test_sums_citation_and_changelog(built):
    folder = built.folder
    sums = dict(reversed(line.split("  ", 1)) for line in (folder / "SHA256SUMS").read_text().splitlines())
    listed = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert sorted(sums) == [n for n in listed if n != "SHA256SUMS"]
    assert all(sha(folder / name) == digest for name, digest in sums.items())
    assert built.files == {n: sha(folder / n) for n in listed}
    import yaml

    cff = yaml.safe_load((folder / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0"
    assert str(cff["version"]) == built.version and str(cff["date-released"]) == built.created[:10]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.citation-file-format",
            str(folder / "CITATION.cff"),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    changelog = (folder / "CHANGELOG.md").read_text()
    assert changelog.startswith("# Changelog") and "## [Unreleased]" in changelog


def test_csv_and_parquet_load_back_into_equal_typed_frames(built):
    with open_package(built.folder) as pkg:
        for table in pkg.tables:
            schema = pkg.schema(table)
            from_csv, from_parquet = read_table(pkg, table, "csv"), read_table(pkg, table, "parquet")
            pd.testing.assert_frame_equal(from_csv, from_parquet)
            assert {c: str(t) for c, t in from_csv.dtypes.items()} == {
                c: str(t) for c, t in sch.pandas_dtypes(schema).items()
            }
            assert len(from_csv) == len(rows()[table])
            pk = sch.primary_key(schema)
            assert list(from_csv[pk[0]]) == sorted(r[pk[0]] for r in rows()[table])


def test_parquet_has_the_explicit_arrow_schema_and_zstd(built):
    with open_package(built.folder) as pkg:
        for table in pkg.tables:
            path = pkg.resource(table, "parquet").path
            stored = pq.read_schema(path)
            expected = sch.arrow_schema(pkg.schema(table))
            assert stored.remove_metadata() == expected.remove_metadata()
            for f in sch.fields(pkg.schema(table)):
                assert stored.field(f.name).metadata[b"description"].decode() == f.description
            meta = pq.ParquetFile(path).metadata
            if meta.num_row_groups:
                assert meta.row_group(0).column(0).compression == "ZSTD"


def test_csv_is_canonical(built):
    text = (built.folder / "data" / "sources.csv").read_bytes()
    assert not text.startswith(b"\xef\xbb\xbf") and b"\r\n" not in text.replace(b'"', b"")
    assert b'"Minister pledges training, ""3,000"" officers"' in text
    assert b',"' not in text.split(b"\n")[1]


def test_two_builds_are_byte_identical_whatever_the_seed_order(tmp_path):
    a = build_release(make_package(tmp_path / "a"), tmp_path / "dist-a", epoch=EPOCH)
    shuffled = {t: list(reversed(r)) for t, r in rows().items()}
    b = build_release(make_package(tmp_path / "b", shuffled), tmp_path / "dist-b", epoch=EPOCH)
    assert a.zip.read_bytes() == b.zip.read_bytes()
    for name in a.files:
        assert (a.folder / name).read_bytes() == (b.folder / name).read_bytes(), name


def test_zip_entries_are_sorted_with_fixed_time_and_mode(built):
    with zipfile.ZipFile(built.zip) as zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        assert names == sorted(names) and all(n.startswith(f"{built.folder.name}/") for n in names)
        assert {i.date_time for i in infos} == {(2026, 1, 1, 0, 0, 0)}
        assert {i.external_attr >> 16 for i in infos} == {0o100644}
        for info in infos:
            rel = info.filename.split("/", 1)[1]
            assert zf.read(info) == (built.folder / rel).read_bytes()


def test_created_comes_from_source_date_epoch_or_the_commit(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767312000")
    assert build_release(make_package(tmp_path / "p1"), tmp_path / "d1").created == "2026-01-02T00:00:00Z"
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    repo = make_package(tmp_path / "p2")
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": "2025-06-01T12:00:00Z",
        "GIT_COMMITTER_DATE": "2025-06-01T12:00:00Z",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    for cmd in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "x"]):
        subprocess.run(["git", "-C", str(repo), *cmd], check=True, env=env)
    assert build_release(repo, tmp_path / "d2").created == "2025-06-01T12:00:00Z"


def test_frictionless_validates_the_release_and_its_hashes(built, tmp_path):
    report = frictionless_validate(built.folder / "datapackage.json")
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])
    assert len(report.tasks) == 2 * len(open_package(built.folder).tables)
    done = subprocess.run(
        [sys.executable, "-m", "frictionless", "validate", "datapackage.json"],
        cwd=built.folder,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-3000:]


@pytest.mark.parametrize("victim", ["data/events.csv", "data/events.parquet"])
def test_frictionless_reports_a_tampered_file(built, tmp_path, victim):
    import shutil

    copy = tmp_path / "tampered"
    shutil.copytree(built.folder, copy)
    path = copy / victim
    data = bytearray(path.read_bytes())
    data[-2] = data[-2] ^ 1  # one flipped bit, same size
    path.write_bytes(bytes(data))
    report = frictionless_validate(copy / "datapackage.json")
    assert not report.valid
    assert "hash-count" in {e.type for task in report.tasks for e in task.errors}
    assert "hash-mismatch" in {f.code for f in validate_package(copy).errors}


def test_our_validator_passes_the_release(built):
    report = validate_package(built.folder)
    assert report.valid, report.errors
    assert validate_package(built.zip).valid


# Refusals: nothing is written, nothing is overwritten.


def leftovers(out):
    return sorted(p.name for p in out.iterdir()) if out.exists() else []


def test_refuses_invalid_data_and_writes_nothing(tmp_path):
    bad = rows()
    bad["events"][0]["description"] = ""
    pkg = make_package(tmp_path / "pkg", bad)
    with pytest.raises(BuildError) as err:
        build_release(pkg, tmp_path / "dist", epoch=EPOCH)
    assert err.value.report is not None and err.value.report.errors
    assert leftovers(tmp_path / "dist") == []


def test_refuses_to_overwrite_a_release_with_other_bytes(built, tmp_path):
    before = {n: sha(built.folder / n) for n in built.files}
    with pytest.raises(ReleaseDiffers, match="bump the version"):
        build_release(make_package(tmp_path / "pkg"), built.folder.parent, epoch=EPOCH + 1)
    assert before == {n: sha(built.folder / n) for n in built.files}


def test_a_second_build_of_the_same_bytes_is_a_no_op(built, tmp_path):
    before = {n: sha(built.folder / n) for n in built.files}
    again = build_release(make_package(tmp_path / "pkg"), built.folder.parent, epoch=EPOCH)
    assert again.unchanged and again.zip_sha256 == built.zip_sha256
    assert before == {n: sha(built.folder / n) for n in built.files}
    assert sorted(p.name for p in built.folder.parent.iterdir()) == [built.folder.name, built.zip.name]


def test_refuses_when_only_the_zip_exists(tmp_path):
    out = tmp_path / "dist"
    out.mkdir()
    version = json.loads((REPO / "datapackage.json").read_text())["version"]
    (out / f"gsi-tracker-{version}.zip").write_bytes(b"x")
    with pytest.raises(BuildError, match="never overwritten"):
        build_release(make_package(tmp_path / "pkg"), out, epoch=EPOCH)
    assert leftovers(out) == [f"gsi-tracker-{version}.zip"]


def test_a_failure_midway_leaves_nothing(tmp_path, monkeypatch):
    def broken(*args):
        raise OSError("disk full")

    monkeypatch.setattr(build_mod, "write_zip", broken)
    with pytest.raises(OSError):
        build_release(make_package(tmp_path / "pkg"), tmp_path / "dist", epoch=EPOCH)
    assert leftovers(tmp_path / "dist") == []


@pytest.mark.parametrize(
    "change, message",
    [
        (
            lambda p: p.joinpath("CITATION.cff").write_text(
                p.joinpath("CITATION.cff").read_text().replace('version: "', 'version: "9')
            ),
            "CITATION.cff says",
        ),
        (lambda p: p.joinpath("CHANGELOG.md").unlink(), "CHANGELOG.md is missing"),
        (
            lambda p: p.joinpath("datapackage.json").write_text(
                p.joinpath("datapackage.json").read_text().replace('"version": "', '"version": "v', 1)
            ),
            "not a semantic version",
        ),
    ],
)
def test_refuses_inconsistent_metadata(tmp_path, change, message):
    pkg = make_package(tmp_path / "pkg")
    change(pkg)
    with pytest.raises(BuildError, match=message):
        build_release(pkg, tmp_path / "dist", epoch=EPOCH)
    assert leftovers(tmp_path / "dist") == []


@pytest.mark.parametrize(
    "value, message", [(None, "set SOURCE_DATE_EPOCH"), ("yesterday", "whole seconds"), ("0", "before 1980")]
)
def test_refuses_without_a_reproducible_date(tmp_path, monkeypatch, value, message):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    if value is not None:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    with pytest.raises(BuildError, match=message):
        build_release(make_package(tmp_path / "pkg"), tmp_path / "dist")


@pytest.mark.parametrize("where", ["changelog", "citation"])
def test_without_git_the_date_is_the_latest_the_repository_records(tmp_path, monkeypatch, where):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    pkg = make_package(tmp_path / "pkg")
    if where == "changelog":
        log = pkg / "CHANGELOG.md"
        text = log.read_text(encoding="utf-8")
        older = "## [0.0.2] - 2025-03-04\n\n- Older.\n\n## [0.0.1] - 2024-01-02\n\n- First.\n"
        log.write_text(text.rstrip("\n") + "\n\n" + older, encoding="utf-8")
    else:
        cff = pkg / "CITATION.cff"
        cff.write_text(cff.read_text(encoding="utf-8") + "date-released: 2025-03-04\n", encoding="utf-8")
    assert build_release(pkg, tmp_path / "dist").created == "2025-03-04T00:00:00Z"


def test_cli_build(tmp_path, monkeypatch):
    pkg = make_package(tmp_path / "pkg")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    runner = CliRunner()
    ok = runner.invoke(cli, ["build", str(pkg), "--out", str(tmp_path / "dist")])
    assert ok.exit_code == 0, ok.output
    assert "gsi-tracker-" in ok.output and "sha256" in ok.output
    again = runner.invoke(cli, ["build", str(pkg), "--out", str(tmp_path / "dist")])
    assert again.exit_code == 0 and "same bytes" in again.output
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH + 86400))
    differs = runner.invoke(cli, ["build", str(pkg), "--out", str(tmp_path / "dist")])
    assert differs.exit_code == 1 and "bump the version" in differs.output
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    bad = rows()
    bad["events"][0]["description"] = ""
    write_seeds(pkg, bad)
    refused = runner.invoke(cli, ["build", str(pkg), "--out", str(tmp_path / "refused")])
    assert refused.exit_code == 1 and "refused" in refused.output
    assert not (tmp_path / "refused").exists() or leftovers(tmp_path / "refused") == []


def test_typed_tables_are_checked_by_their_pandera_schema(tmp_path):
    """A value lost in the conversion to types, or a typed value outside its schema, stops the build."""
    import csv as csv_module

    from gsi_tracker.build import BuildError, canonical_frame
    from gsi_tracker.package import open_package
    from tests.release_packages import fixture_package

    root = fixture_package(tmp_path / "pkg", "sample")
    path = root / "seeds" / "events.csv"
    rows = list(csv_module.reader(path.open(newline="", encoding="utf-8")))
    column = rows[0].index("event_type")
    rows[1][column] = "not-a-declared-type"
    with path.open("w", newline="", encoding="utf-8") as f:
        csv_module.writer(f, lineterminator="\n").writerows(rows)
    with open_package(root) as package:
        assert len(canonical_frame(package, "actors")) > 0
        with pytest.raises(BuildError, match="events: cells that do not convert.*'event_type': 1"):
            canonical_frame(package, "events")
    rows[1][column] = rows[2][column]
    rows[1][rows[0].index("edition")] = "0"
    with path.open("w", newline="", encoding="utf-8") as f:
        csv_module.writer(f, lineterminator="\n").writerows(rows)
    with open_package(root) as package, pytest.raises(BuildError, match="events: the typed table fails its schema"):
        canonical_frame(package, "events")


def test_released_resources_take_title_and_description_from_their_schema(built):
    desc = json.loads((built.folder / "datapackage.json").read_text())
    for res in desc["resources"]:
        assert res["description"] == res["schema"]["description"]
        assert res["title"].startswith(res["schema"]["title"])
