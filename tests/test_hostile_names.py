"""Hostile descriptors: names that would become paths outside the release, remote references, deep nesting,
field names a spreadsheet would run. Each is refused with exit 2 and a one-line message; nothing is written
outside the package or the output folder, and nothing is fetched."""

import json

import pytest

from tests.hostile import assert_clean_exit, edit_resource, gsi, package


def _tree(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


@pytest.mark.parametrize("key", ["name", "table"])
@pytest.mark.parametrize("bad", ["../../../../seeds/sources", "/tmp/x", "Sources", ".hidden", "a/b"])
def test_resource_name_that_is_not_a_file_name_is_refused(tmp_path, key, bad):
    root = package(tmp_path)
    before = (root / "seeds" / "sources.csv").read_bytes()
    edit_resource(root, "sources", lambda r: r.__setitem__(key, bad))
    outside = _tree(tmp_path)
    for command in (["validate", root], ["build", root, "--out", tmp_path / "dist"], ["fmt", root]):
        result = gsi(*command)
        assert_clean_exit(result, (2,))
        assert "must match the Data Package name pattern" in result.output
        assert len(result.output.strip().splitlines()) == 1
    assert (root / "seeds" / "sources.csv").read_bytes() == before
    assert _tree(tmp_path) == outside


@pytest.mark.parametrize("key", ["dialect", "schema", "path", "$schema"])
def test_remote_reference_is_refused_and_never_fetched(tmp_path, listener, key):
    root = package(tmp_path)
    edit_resource(root, "events", lambda r: r.__setitem__(key, listener.url + "x.json"))
    result = gsi("validate", root)
    assert_clean_exit(result, (2,))
    assert "is remote" in result.output
    assert listener.connections == 0


def test_remote_package_profile_is_refused(tmp_path, listener):
    root = package(tmp_path)
    d = json.loads((root / "datapackage.json").read_text())
    d["$schema"] = listener.url + "profile.json"
    (root / "datapackage.json").write_text(json.dumps(d))
    result = gsi("validate", root)
    assert_clean_exit(result, (2,))
    assert listener.connections == 0


def test_remote_dialect_inside_an_inline_schema_is_refused(tmp_path, listener):
    root = package(tmp_path)
    schema = json.loads((root / "schemas" / "events.schema.json").read_text())
    schema["$schema"] = listener.url
    (root / "schemas" / "events.schema.json").write_text(json.dumps(schema))
    result = gsi("validate", root)
    assert_clean_exit(result, (2,))
    assert listener.connections == 0


def test_descriptor_nested_ten_thousand_levels_is_refused(tmp_path):
    root = package(tmp_path)
    text = (root / "datapackage.json").read_text()
    deep = "[" * 10_000 + "]" * 10_000
    (root / "datapackage.json").write_text(text.replace('"keywords": [', f'"x-deep": {deep}, "keywords": [', 1))
    for command in ("validate", "fmt"):
        result = gsi(command, root)
        assert_clean_exit(result, (2,))
        assert "nested more than" in result.output


@pytest.mark.parametrize("bad", ["=cmd", "+1", "a\x1b[31m", " pad"])
def test_field_name_a_spreadsheet_would_run_is_refused(tmp_path, bad):
    root = package(tmp_path)
    path = root / "schemas" / "sources.schema.json"
    schema = json.loads(path.read_text())
    schema["fields"][-1]["name"] = bad
    path.write_text(json.dumps(schema))
    result = gsi("build", root, "--out", tmp_path / "dist")
    assert_clean_exit(result, (2,))
    assert "field name" in result.output
    assert not (tmp_path / "dist").exists() or not any((tmp_path / "dist").iterdir())
