"""The typed forms derived from schemas/*.json agree with the declaration."""

import pandas as pd
import pandera.errors
import pyarrow as pa
import pytest

from gsi_tracker import schema as sch
from gsi_tracker.package import open_package
from gsi_tracker.tables import read_csv_text, typed


@pytest.fixture(scope="module")
def package(request):
    from tests.conftest import REPO

    return open_package(REPO)


def declared(package):
    for table in package.tables:
        yield table, package.schema(table)


def test_every_field_has_type_title_description(package):
    for table, schema in declared(package):
        for raw in schema["fields"]:
            assert raw.get("type"), (table, raw["name"])
            assert raw.get("title"), (table, raw["name"])
            assert raw.get("description"), (table, raw["name"])


def test_enums_become_categoricals_in_declared_order(package):
    for _table, schema in declared(package):
        dtypes = sch.pandas_dtypes(schema)
        assert list(dtypes) == sch.field_names(schema)
        for raw in schema["fields"]:
            enum = raw.get("constraints", {}).get("enum")
            if enum is not None:
                assert isinstance(dtypes[raw["name"]], pd.CategoricalDtype)
                assert list(dtypes[raw["name"]].categories) == enum


def test_types_map_to_declared_dtypes(package):
    expected = {
        "integer": "Int64",
        "date": "datetime64[ns]",
        "string": "string",
        "number": "Float64",
        "boolean": "boolean",
    }
    for table, schema in declared(package):
        for f in sch.fields(schema):
            if f.enum is None:
                assert str(sch.pandas_dtype(f)) == expected[f.type], (table, f.name)


def test_arrow_schema_nullability_and_metadata(package):
    for _table, schema in declared(package):
        arrow = sch.arrow_schema(schema)
        for f in sch.fields(schema):
            af = arrow.field(f.name)
            assert af.nullable is (not f.required)
            assert af.metadata[b"description"].decode() == f.description
            if f.enum is not None:
                assert pa.types.is_dictionary(af.type)
            elif f.type == "date":
                assert af.type == pa.date32()


def test_seeds_pass_their_pandera_schema(package):
    for table, schema in declared(package):
        frame = typed(read_csv_text(package.resource(table).path).frame, schema)
        sch.pandera_schema(schema, table).validate(frame, lazy=True)


def test_pandera_schema_rejects_pattern_and_range_violations():
    schema = {
        "fields": [
            {"name": "kind", "type": "string", "constraints": {"required": True, "enum": ["a", "b"]}},
            {"name": "code", "type": "string", "constraints": {"pattern": "[A-Z]{2}"}},
            {"name": "n", "type": "integer", "constraints": {"minimum": 0}},
        ]
    }
    good = pd.DataFrame({"kind": ["a"], "code": ["CN"], "n": ["3"]})
    sch.pandera_schema(schema, "t").validate(typed(good, schema))
    bad = pd.DataFrame({"kind": ["a", "a"], "code": ["CHN", "cn"], "n": ["-1", "2"]})
    with pytest.raises(pandera.errors.SchemaErrors) as err:
        sch.pandera_schema(schema, "t").validate(typed(bad, schema), lazy=True)
    failed = set(err.value.failure_cases["check"].astype(str))
    assert any("str_matches" in c for c in failed)
    assert any("greater_than_or_equal_to" in c for c in failed)


def test_unsupported_type_is_a_schema_error():
    with pytest.raises(sch.SchemaError, match="geopoint"):
        sch.fields({"fields": [{"name": "p", "type": "geopoint"}]})


def _field_index(schema: dict, name: str) -> int:
    return next(i for i, f in enumerate(schema["fields"]) if f["name"] == name)


def _set_rule(table: str, field: str, rule: str, value):
    def change(schema):
        schema["fields"][_field_index(schema, field)].setdefault("x-gsi", {})[rule] = value

    return table, change


def _set_fk(table: str, index: int, key: str, value):
    def change(schema):
        fk = schema["foreignKeys"][index]
        if key == "resource" or key == "fields":
            fk["reference"][key] = value
        else:
            fk.setdefault("x-gsi", {})[key] = value

    return table, change


SCHEMA_DEFECTS = {
    "unknown field rule": (*_set_rule("events", "end_date", "notAfter", "start_date"), "unknown x-gsi rule 'notAfter'"),
    "rule naming a missing field": (
        *_set_rule("events", "end_date", "notBefore", "start_day"),
        "x-gsi.notBefore: names no field of this schema: 'start_day'",
    ),
    "condition on a missing field": (
        *_set_rule("actors", "iso3", "requiredWhen", {"kind": ["x"]}),
        "x-gsi.requiredWhen: names no field of this schema: 'kind'",
    ),
    "foreign key to a missing resource": (
        *_set_fk("participants", 0, "resource", "meetings"),
        "$.foreignKeys[0].reference.resource: no resource 'meetings' in the package",
    ),
    "foreign key to a missing field": (
        *_set_fk("participants", 1, "fields", ["actor_code"]),
        "$.foreignKeys[1].reference.fields: actors has no field 'actor_code'",
    ),
    "unknown foreign-key rule": (*_set_fk("commitments", 3, "sameKind", ["status"]), "unknown x-gsi rule 'sameKind'"),
    "context field naming a missing field": (
        "citations",
        lambda schema: schema["x-gsi"]["recordReference"].update(contextField="preview"),
        "x-gsi.recordReference.contextField: names no field of this schema: 'preview'",
    ),
    "context field that is no name": (
        "citations",
        lambda schema: schema["x-gsi"]["recordReference"].update(contextField=True),
        "contextField must name a field",
    ),
}


@pytest.mark.parametrize("case", sorted(SCHEMA_DEFECTS))
def test_schema_defects_are_refused_when_the_package_is_opened(tmp_path, case):
    """A rule this package does not know, or one naming what does not exist, is a SchemaError at open (exit 2)
    naming the schema file and the JSON path, never a finding or a traceback later."""
    import json

    from click.testing import CliRunner

    from gsi_tracker.cli import cli
    from tests.validate_cases import build

    table, change, message = SCHEMA_DEFECTS[case]
    folder = build(tmp_path)
    path = folder / "schemas" / f"{table}.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    change(schema)
    path.write_text(json.dumps(schema), encoding="utf-8")
    with pytest.raises(sch.SchemaError) as err:
        open_package(folder)
    assert err.value.path == str(path)
    assert message in str(err.value)
    result = CliRunner().invoke(cli, ["validate", str(folder)])
    assert result.exit_code == 2
    assert f"{table}.schema.json: $." in result.output and message in result.output
    assert "Traceback" not in result.output


def test_unknown_resource_rule_names_the_descriptor(tmp_path):
    import json

    from tests.validate_cases import build

    folder = build(tmp_path)
    path = folder / "datapackage.json"
    desc = json.loads(path.read_text(encoding="utf-8"))
    desc["resources"][2]["x-gsi"] = {"citationsRequired": True}
    path.write_text(json.dumps(desc), encoding="utf-8")
    with pytest.raises(sch.SchemaError, match=r"\$\.resources\[2\]\.x-gsi\.citationsRequired: unknown x-gsi rule"):
        open_package(folder)


def test_rules_are_parsed_into_typed_objects(package):
    events = package.model("events")
    assert events.field("end_date").rules.not_before == "start_date"
    assert events.field("date_precision").rules.precision_of == ("start_date", "end_date")
    commitments = package.model("commitments")
    fk = next(fk for fk in commitments.foreign_keys if fk.referenced_where)
    assert fk.resource == "commitments" and fk.same_values
    assert package.model("citations").rules.record_reference is not None
    assert next(r for r in package.resources if r.table == "sources").rules.warn_unreferenced


def test_foreign_keys_default_to_the_same_table(package):
    fks = sch.foreign_keys(package.schema("actors"), "actors")
    assert (["parent_actor_id"], "actors", ["actor_id"]) in fks


def _conditions(model):
    """(table, field, values) of every condition a rule of `model` puts on a field of its own or another table."""
    for f in model.fields:
        for cond in (f.rules.required_when, f.rules.empty_unless):
            yield from ((model.table, name, values) for name, values in cond.items())
    for fk in model.foreign_keys:
        yield from ((fk.resource, name, values) for name, values in fk.referenced_where.items())


def test_gsi_rules_name_declared_values(package):
    """The values that x-gsi rules name are enum values that the schemas declare (field names are checked when the
    package is opened)."""
    enums = {t: {f.name: set(f.enum or ()) for f in package.model(t).fields} for t in package.tables}
    for table in package.tables:
        model = package.model(table)
        for where, name, values in _conditions(model):
            assert set(values) <= enums[where][name], (table, where, name, values)
        for f in model.fields:
            if f.rules.date_shapes:
                assert set(f.rules.date_shapes) == enums[table][f.name]
        rr = model.rules.record_reference
        if rr:
            assert enums[table][rr.table_field] <= set(package.tables)
