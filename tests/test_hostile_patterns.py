"""Patterns run in RE2 only: one RE2 refuses (a lookahead, a backreference) or an invalid one is exit 2 naming the
schema and field, before any cell is read; so no cell can make validation backtrack for ever."""

import json

import pytest

from tests.hostile import assert_clean_exit, gsi, package


def _set_pattern(root, pattern):
    path = root / "schemas" / "sources.schema.json"
    schema = json.loads(path.read_text())
    field = next(f for f in schema["fields"] if f["type"] == "string" and f["name"] == "title")
    field.setdefault("constraints", {})["pattern"] = pattern
    path.write_text(json.dumps(schema))
    return field["name"]


def _set_first_cell(root, name, value):
    seeds = root / "seeds" / "sources.csv"
    lines = seeds.read_text().splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index(name)] = value
    seeds.write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n")


@pytest.mark.parametrize("pattern", ["(?=a)(a+)+", "(", r"(a)\1"])
def test_pattern_that_re2_refuses_is_exit_2(tmp_path, pattern):
    root = package(tmp_path)
    name = _set_pattern(root, pattern)
    _set_first_cell(root, name, "a" * 50_000 + "!")
    result = gsi("validate", root)
    assert_clean_exit(result, (2,))
    assert f"field '{name}'" in result.output and "RE2" in result.output
    assert "sources" in result.output


def test_re2_pattern_runs_in_linear_time_on_a_long_cell(tmp_path):
    root = package(tmp_path)
    name = _set_pattern(root, "(a+)+")
    _set_first_cell(root, name, "a" * 100_000 + "!")
    result = gsi("validate", root, "--format", "json")
    assert_clean_exit(result, (1,))
    assert any(f["code"] == "pattern" for f in json.loads(result.output)["findings"])


def test_build_runs_patterns_in_re2_too(tmp_path, monkeypatch):
    """A cell that matches in RE2 but takes Python's `re` exponential time (about 25 s at 28 characters, doubling
    with each 2 more) must not stall the build's own schema check. pandas 3 backs strings with Arrow, so its
    `str.match` is RE2 already; under pandas 2 (which pyproject allows) pandera's check would run Python's `re`."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    root = package(tmp_path)
    name = _set_pattern(root, "(a*)*b|a*c|.*")
    _set_first_cell(root, name, "a" * 40 + "c")
    result = gsi("build", root, "--out", tmp_path / "dist")
    assert_clean_exit(result, (0,))


def test_an_excerpt_pattern_that_re2_refuses_is_exit_2(tmp_path):
    root = package(tmp_path)
    path = root / "schemas" / "events.schema.json"
    schema = json.loads(path.read_text())
    rule = next(
        f["x-gsi"]["citedExcerptMatches"] for f in schema["fields"] if "citedExcerptMatches" in f.get("x-gsi", {})
    )
    rule["pattern"] = "(?=a)(a+)+"
    path.write_text(json.dumps(schema))
    result = gsi("validate", root)
    assert_clean_exit(result, (2,))
    assert "citedExcerptMatches.pattern" in result.output and "not RE2" in result.output
