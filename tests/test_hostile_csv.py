"""CSV files and schemas built to break the readers: an unclosed quote, a cell of megabytes, a header a million
columns wide, and schemas `gsi fmt` once crashed on. Each is exit 2 with a one-line message, no traceback."""

import json

import pytest

from gsi_tracker.limits import MAX_CELL, MAX_COLUMNS
from tests.hostile import assert_clean_exit, gsi, package


def _append(root, text: str, table: str = "sources") -> None:
    with open(root / "seeds" / f"{table}.csv", "a", encoding="utf-8", newline="") as f:
        f.write(text)


def _one_line(result) -> str:
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    return lines[0]


@pytest.mark.parametrize("command", ["validate", "fmt", "build"])
def test_unclosed_quote_before_128_kib_without_quotes(tmp_path, command):
    root = package(tmp_path)
    _append(root, 'src-x,"Unclosed ' + "word " * 30_000 + "\n")
    args = [command, root] + (["--out", tmp_path / "dist"] if command == "build" else [])
    result = gsi(*args)
    assert_clean_exit(result, (2,))
    assert f"at most {MAX_CELL:,} are read" in _one_line(result)
    assert "seeds/sources.csv" in result.output


@pytest.mark.parametrize("size", [MAX_CELL + 1, 5 << 20])
@pytest.mark.parametrize("command", ["validate", "fmt"])
def test_one_long_cell(tmp_path, command, size):
    root = package(tmp_path)
    _append(root, "src-x," + "a" * size + ",,,,,,,,,\n")
    result = gsi(command, root)
    assert_clean_exit(result, (2,))
    assert "characters" in _one_line(result)


def test_cell_at_the_limit_is_read(tmp_path):
    root = package(tmp_path)
    _append(root, "src-x," + "a" * MAX_CELL + ",,,,,,,,,\n")
    result = gsi("validate", root)
    assert_clean_exit(result, (1,))


@pytest.mark.parametrize("command", ["validate", "fmt"])
def test_header_a_million_columns_wide(tmp_path, command):
    root = package(tmp_path)
    path = root / "seeds" / "sources.csv"
    lines = path.read_text().splitlines(keepends=True)
    lines[0] = lines[0].rstrip("\n") + "".join(f",x{i}" for i in range(1_000_000)) + "\n"
    path.write_text("".join(lines))
    assert path.stat().st_size > 7_000_000
    result = gsi(command, root)
    assert_clean_exit(result, (2,))
    assert f"at most {MAX_COLUMNS:,} are read" in _one_line(result)


@pytest.mark.parametrize(
    "fields",
    [
        ["source_id", "title"],
        [{"type": "string"}],
        [{"name": "source_id", "type": "geopoint"}],
        [{"name": "source_id", "type": "string", "constraints": "x"}],
        [{"name": "source_id", "type": "string", "constraints": {"pattern": 5}}],
        [{"name": "source_id", "type": "date", "constraints": {"minimum": []}}],
        [{"name": "source_id", "type": "string", "constraints": {"enum": [["a"], "b"]}}],
    ],
    ids=["strings", "no-name", "unsupported-type", "bad-constraints", "pattern-number", "minimum-list", "enum-list"],
)
@pytest.mark.parametrize("command", ["fmt", "validate", "build", "stats"])
def test_malformed_schema(tmp_path, fields, command):
    root = package(tmp_path)
    path = root / "schemas" / "sources.schema.json"
    schema = json.loads(path.read_text())
    schema["fields"] = fields
    path.write_text(json.dumps(schema))
    args = [command, root] + (["--out", tmp_path / "dist"] if command == "build" else [])
    result = gsi(*args)
    assert_clean_exit(result, (2,))
    _one_line(result)


@pytest.mark.parametrize("command", ["validate", "build"])
def test_date_bound_that_is_not_a_date(tmp_path, command):
    root = package(tmp_path)
    path = root / "schemas" / "sources.schema.json"
    schema = json.loads(path.read_text())
    field = next(f for f in schema["fields"] if f["type"] == "date")
    field.setdefault("constraints", {})["minimum"] = "not a date"
    path.write_text(json.dumps(schema))
    args = [command, root] + (["--out", tmp_path / "dist"] if command == "build" else [])
    result = gsi(*args)
    assert_clean_exit(result, (2,))
    assert "must be an ISO 8601 date" in _one_line(result)


@pytest.mark.parametrize("command", ["stats", "report"])
def test_stats_and_report_on_a_package_without_the_fields_they_use(tmp_path, command):
    root = package(tmp_path)
    path = root / "schemas" / "events.schema.json"
    schema = json.loads(path.read_text())
    schema["fields"][0]["name"] = "event_key"  # the primary key still names event_id
    path.write_text(json.dumps(schema))
    args = [command, root] + (["--out", tmp_path / "out"] if command == "report" else [])
    result = gsi(*args)
    assert_clean_exit(result, (2,))
    line = _one_line(result)
    assert "needs the tables and fields of gsi-tracker" in line or "names no field of this schema" in line


def test_diff_with_a_field_renamed_in_the_schema_only(tmp_path, built_release):
    root = package(tmp_path)
    path = root / "schemas" / "sources.schema.json"
    schema = json.loads(path.read_text())
    schema["fields"][-1]["name"] = "remarks"  # the CSV header still says notes
    path.write_text(json.dumps(schema))
    result = gsi("diff", built_release.zip, root)
    assert_clean_exit(result, (0, 2))
    if result.exit_code == 2:
        _one_line(result)
