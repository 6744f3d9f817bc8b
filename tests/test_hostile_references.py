"""A typo in a foreign key must not switch the rule off: a reference to no resource, or to no field of it, is a
schema error (exit 2) naming it, not a silent pass with a dangling row present."""

import json

import pytest

from tests.hostile import assert_clean_exit, gsi
from tests.release_packages import make_package, rows


def _package_with_a_dangling_actor(tmp_path, change):
    table_rows = rows()
    dangling = dict(table_rows["participants"][0])
    dangling["participant_id"] = "pt-dangling"
    dangling["actor_id"] = "no-such-actor"
    table_rows["participants"].append(dangling)
    root = make_package(tmp_path / "pkg", table_rows)
    path = root / "schemas" / "participants.schema.json"
    schema = json.loads(path.read_text())
    change(next(fk for fk in schema["foreignKeys"] if fk["fields"] == ["actor_id"])["reference"])
    path.write_text(json.dumps(schema))
    return root


def test_intact_reference_finds_the_dangling_row(tmp_path):
    root = _package_with_a_dangling_actor(tmp_path, lambda ref: None)
    result = gsi("validate", root, "--format", "json")
    assert_clean_exit(result, (1,))
    assert "foreign-key" in {f["code"] for f in json.loads(result.output)["findings"]}


@pytest.mark.parametrize(
    "change, named",
    [
        (lambda ref: ref.__setitem__("resource", "actor"), "actor"),
        (lambda ref: ref.__setitem__("fields", ["actor_idd"]), "actor_idd"),
    ],
    ids=["missing-resource", "missing-field"],
)
def test_reference_to_nothing_is_a_schema_error(tmp_path, change, named):
    root = _package_with_a_dangling_actor(tmp_path, change)
    result = gsi("validate", root)
    assert_clean_exit(result, (2,))
    assert f"'{named}'" in result.output or f"`{named}`" in result.output or named in result.output.split()
