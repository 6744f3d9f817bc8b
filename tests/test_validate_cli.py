"""`gsi validate` and the release checks: formats, exit codes, unreadable input, bytes, hashes and Parquet."""

import hashlib
import json
import shutil
import zipfile

import pytest
from click.testing import CliRunner

from gsi_tracker import schema as sch
from gsi_tracker.cli import cli
from gsi_tracker.package import PackageError, open_package
from gsi_tracker.render import KEYS
from gsi_tracker.tables import read_table
from gsi_tracker.validate import validate_package
from tests.validate_cases import build


def run(*args):
    return CliRunner().invoke(cli, ["validate", *map(str, args)])


def test_repo_is_valid(repo):
    result = run(repo)
    assert result.exit_code == 0, result.output
    assert "valid: 0 errors" in result.output


def test_text_groups_by_file_and_exits_1(tmp_path):
    result = run(build(tmp_path, "hygiene"))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "seeds/participants.csv" in lines
    assert (
        "  line 3, notes: error formula: notes must not begin with =, +, -, @, a tab or a carriage return "
        "(a spreadsheet would run it) ['=HYPERLINK(\"x\")']" in lines
    )
    assert lines[-1] == "invalid: 6 errors, 0 warnings"


def test_json_has_stable_keys(tmp_path):
    result = run(build(tmp_path, "keys"), "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.output)
    assert list(doc) == ["valid", "errors", "warnings", "findings"]
    assert doc["valid"] is False and doc["errors"] == len(doc["findings"]) == 4
    assert all(list(f) == list(KEYS) for f in doc["findings"])
    assert {"code": "unique", "file": "seeds/events.csv", "line": 5, "column": "event_id"}.items() <= doc["findings"][
        1
    ].items()


def test_github_annotations(tmp_path):
    result = run(build(tmp_path, "citations"), "--format", "github")
    assert result.exit_code == 1
    assert (
        "::warning file=seeds/sources.csv,line=4,title=unreferenced source_id::no row of any table references"
        in result.output
    )
    assert "::error file=seeds/citations.csv,line=8,title=record-reference record_id::" in result.output


def test_warnings_only_exit_0(tmp_path):
    folder = build(tmp_path)
    with open(folder / "seeds" / "sources.csv", "a", encoding="utf-8") as f:
        f.write("src-uncited,Uncited,Agency,agency,,2024-01-01,https://x.example/a,,2025-01-15,news,en,\n")
    result = run(folder)
    assert result.exit_code == 0 and "valid: 0 errors, 1 warning" in result.output


@pytest.mark.parametrize(
    "damage, message",
    [
        (
            lambda d: (d / "seeds" / "events.csv").write_bytes(b"event_id\n\xff\xfe\n"),
            "events.csv: not UTF-8: undecodable byte at line 2",
        ),
        (lambda d: (d / "seeds" / "events.csv").unlink(), "events.csv: file not found"),
        (lambda d: (d / "datapackage.json").write_text("{broken"), "broken JSON"),
        (lambda d: (d / "datapackage.json").write_text("[]"), "not a data package"),
        (
            lambda d: (d / "schemas" / "actors.schema.json").write_text(
                '{"fields": [{"name": "x", "type": "geopoint"}]}'
            ),
            "actors.schema.json: schema not supported: field 'x': type 'geopoint' is not one of",
        ),
    ],
)
def test_unreadable_input_exits_2_without_traceback(tmp_path, damage, message):
    folder = build(tmp_path)
    damage(folder)
    result = run(folder)
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    with pytest.raises(PackageError):
        validate_package(folder)


def test_missing_path_exits_2(tmp_path):
    result = run(tmp_path / "nowhere")
    assert result.exit_code == 2 and "no such file" in result.output


def test_invalid_descriptor_is_a_finding(tmp_path):
    folder = build(tmp_path)
    desc = json.loads((folder / "datapackage.json").read_text())
    desc["licenses"] = "CC-BY-4.0"
    (folder / "datapackage.json").write_text(json.dumps(desc))
    codes = {(f.code, f.file) for f in validate_package(folder).findings}
    assert codes == {("descriptor-invalid", "datapackage.json")}


def _digest(path):
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


def make_release(folder):
    """A release folder: every table as CSV and as Parquet, each resource with bytes and sha256."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    build(folder)
    desc = json.loads((folder / "datapackage.json").read_text())
    (folder / "data").mkdir()
    resources = []
    with open_package(folder) as package:
        for res in desc["resources"]:
            table = res["name"]
            schema = package.schema(table)
            res["schema"] = schema
            csv_path = folder / "data" / f"{table}.csv"
            shutil.copy(folder / res["path"], csv_path)
            res["path"] = f"data/{table}.csv"
            frame = read_table(package, table)
            arrow = pa.Table.from_pandas(frame, schema=sch.arrow_schema(schema), preserve_index=False)
            pq_path = folder / "data" / f"{table}.parquet"
            pq.write_table(arrow, pq_path)
            parquet = {
                "name": f"{table}-parquet",
                "type": "table",
                "path": f"data/{table}.parquet",
                "format": "parquet",
                "schema": schema,
            }
            for r, p in ((res, csv_path), (parquet, pq_path)):
                r["bytes"] = p.stat().st_size
                r["hash"] = _digest(p)
            resources += [res, parquet]
    desc["resources"] = resources
    shutil.rmtree(folder / "seeds")
    shutil.rmtree(folder / "schemas")
    (folder / "datapackage.json").write_text(json.dumps(desc, indent=2))
    return folder


def test_release_folder_and_zip_are_valid(tmp_path):
    folder = make_release(tmp_path / "gsi-tracker-0.1.0")
    assert validate_package(folder).findings == []
    zpath = tmp_path / "release.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for p in sorted(folder.rglob("*")):
            zf.write(p, p.relative_to(tmp_path).as_posix())
    assert validate_package(zpath).findings == []
    assert run(zpath).exit_code == 0


def test_release_bytes_hash_and_parquet_mismatches(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = make_release(tmp_path / "rel")
    with open(folder / "data" / "events.csv", "a", encoding="utf-8") as f:
        f.write("\n")
    pq.write_table(pa.table({"participant_id": ["pt-1"]}), folder / "data" / "participants.parquet")
    got = {(f.code, f.file, f.column) for f in validate_package(folder).findings}
    assert ("bytes-mismatch", "data/events.csv", None) in got
    assert ("hash-mismatch", "data/events.csv", None) in got
    assert ("row-blank", "data/events.csv", None) in got
    assert ("hash-mismatch", "data/participants.parquet", None) in got
    assert ("parquet-schema", "data/participants.parquet", None) in got
    assert ("parquet-rows", "data/participants.parquet", None) in got
    assert not any(f[1] == "data/events.parquet" for f in got)
