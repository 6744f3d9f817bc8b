"""Derive every typed form of a table from its Frictionless Table Schema.

`schemas/*.json` is the only place where a type, enum, constraint or description is declared. This module turns
one Table Schema (a dict) into pandas dtypes, a pandera DataFrameSchema, an Arrow schema and codebook rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

TableSchema = Mapping[str, Any]

SUPPORTED_TYPES = ("string", "integer", "number", "boolean", "date")


class SchemaError(ValueError):
    """A Table Schema uses something this package cannot derive a typed form for."""


@dataclass(frozen=True)
class Field:
    """One declared field, with its constraints read once."""

    name: str
    type: str
    title: str
    description: str
    required: bool
    unique: bool
    enum: tuple[str, ...] | None
    pattern: str | None
    minimum: Any
    maximum: Any
    min_length: int | None
    max_length: int | None
    example: Any = None
    format: str | None = None


def fields(schema: TableSchema) -> list[Field]:
    """The schema's fields in declared order."""
    out = []
    for raw in schema.get("fields", []):
        ftype = raw.get("type", "any")
        if ftype not in SUPPORTED_TYPES:
            raise SchemaError(f"field {raw.get('name')!r}: type {ftype!r} is not one of {', '.join(SUPPORTED_TYPES)}")
        c = raw.get("constraints", {})
        enum = c.get("enum")
        out.append(
            Field(
                name=raw["name"],
                type=ftype,
                title=raw.get("title", raw["name"]),
                description=raw.get("description", ""),
                required=bool(c.get("required", False)),
                unique=bool(c.get("unique", False)),
                enum=tuple(enum) if enum is not None else None,
                pattern=c.get("pattern"),
                minimum=c.get("minimum"),
                maximum=c.get("maximum"),
                min_length=c.get("minLength"),
                max_length=c.get("maxLength"),
                example=raw.get("example"),
                format=raw.get("format"),
            )
        )
    return out


def field_names(schema: TableSchema) -> list[str]:
    return [f["name"] for f in schema.get("fields", [])]


def primary_key(schema: TableSchema) -> list[str]:
    pk = schema.get("primaryKey", [])
    return [pk] if isinstance(pk, str) else list(pk)


def unique_keys(schema: TableSchema) -> list[list[str]]:
    return [list(k) for k in schema.get("uniqueKeys", [])]


def foreign_keys(schema: TableSchema, table: str) -> list[tuple[list[str], str, list[str]]]:
    """(fields, referenced table, referenced fields) per foreign key; a missing resource means the table itself."""
    out = []
    for fk in schema.get("foreignKeys", []):
        ref = fk["reference"]
        fields_ = [fk["fields"]] if isinstance(fk["fields"], str) else list(fk["fields"])
        ref_fields = [ref["fields"]] if isinstance(ref["fields"], str) else list(ref["fields"])
        out.append((fields_, ref.get("resource") or table, ref_fields))
    return out


def full_pattern(pattern: str) -> str:
    """A Table Schema pattern matches the whole value; anchor it for Python's `re`."""
    return f"^(?:{pattern})$"


def pandas_dtype(field: Field):
    """The pandas dtype a field loads into."""
    import pandas as pd

    if field.enum is not None:
        return pd.CategoricalDtype(categories=list(field.enum), ordered=False)
    return {
        "string": pd.StringDtype(),
        "integer": pd.Int64Dtype(),
        "number": pd.Float64Dtype(),
        "boolean": pd.BooleanDtype(),
        "date": "datetime64[ns]",
    }[field.type]


def pandas_dtypes(schema: TableSchema) -> dict[str, Any]:
    """Column name -> pandas dtype, in declared order."""
    return {f.name: pandas_dtype(f) for f in fields(schema)}


def _bound(field: Field, value):
    import pandas as pd

    return pd.Timestamp(value) if field.type == "date" else value


def re2_matches(pattern: str):
    """A pandera Check that strings match `pattern`, run in RE2 through Arrow as `gsi validate` runs it: linear
    time, where pandera's own `str_matches` (Python's backtracking `re`) can take minutes on one short cell."""
    import pandas as pd
    import pandera.pandas as pa

    def matches(series: pd.Series) -> pd.Series:
        import pyarrow as arrow
        import pyarrow.compute as pc

        values = arrow.array(series.astype(object).where(series.notna(), None), arrow.string())
        found = pc.fill_null(pc.match_substring_regex(values, pattern), True)
        return pd.Series(found.to_numpy(zero_copy_only=False), index=series.index)

    return pa.Check(matches, name="str_matches", error=f"str_matches('{pattern}')")


def pandera_checks(field: Field) -> list:
    """pandera Checks for the constraints of one field (types, required and unique are column options)."""
    import pandera.pandas as pa

    checks = []
    if field.enum is not None:
        checks.append(pa.Check.isin(list(field.enum)))
    if field.pattern is not None:
        checks.append(re2_matches(full_pattern(field.pattern)))
    if field.min_length is not None or field.max_length is not None:
        checks.append(pa.Check.str_length(field.min_length, field.max_length))
    if field.minimum is not None:
        checks.append(pa.Check.ge(_bound(field, field.minimum)))
    if field.maximum is not None:
        checks.append(pa.Check.le(_bound(field, field.maximum)))
    return checks


def pandera_schema(schema: TableSchema, table: str):
    """A pandera DataFrameSchema for a typed frame of `table` (as `pandas_dtypes` gives it)."""
    import pandera.pandas as pa

    columns = {
        f.name: pa.Column(
            pandas_dtype(f),
            checks=pandera_checks(f),
            nullable=not f.required,
            unique=f.unique,
            required=True,
            title=f.title,
            description=f.description,
        )
        for f in fields(schema)
    }
    pk = primary_key(schema)
    return pa.DataFrameSchema(
        columns,
        name=table,
        strict=True,
        ordered=True,
        unique=pk if len(pk) > 1 else None,
        title=schema.get("title"),
        description=schema.get("description"),
    )


def arrow_type(field: Field):
    import pyarrow as pa

    if field.enum is not None:
        return pa.dictionary(pa.int32(), pa.string())
    return {
        "string": pa.string(),
        "integer": pa.int64(),
        "number": pa.float64(),
        "boolean": pa.bool_(),
        "date": pa.date32(),
    }[field.type]


def arrow_schema(schema: TableSchema):
    """An explicit Arrow schema: nullable unless required, title and description kept in field metadata."""
    import json

    import pyarrow as pa

    out = []
    for f in fields(schema):
        meta = {"title": f.title, "description": f.description}
        if f.enum is not None:
            meta["enum"] = json.dumps(list(f.enum))
        out.append(pa.field(f.name, arrow_type(f), nullable=not f.required, metadata=meta))
    meta = {k: schema[k] for k in ("title", "description") if k in schema}
    meta["primary_key"] = json.dumps(primary_key(schema))
    return pa.schema(out, metadata=meta)


def constraint_summary(field: Field) -> list[str]:
    """Human-readable constraints of a field, for the codebook and messages."""
    parts = []
    if field.required:
        parts.append("required")
    if field.unique:
        parts.append("unique")
    if field.pattern is not None:
        parts.append(f"pattern `{field.pattern}`")
    if field.min_length is not None:
        parts.append(f"at least {field.min_length} characters")
    if field.max_length is not None:
        parts.append(f"at most {field.max_length} characters")
    if field.minimum is not None:
        parts.append(f"minimum {field.minimum}")
    if field.maximum is not None:
        parts.append(f"maximum {field.maximum}")
    if field.format not in (None, "default"):
        parts.append(f"format {field.format}")
    return parts


def enum_meanings(field: Field) -> dict[str, str]:
    """Each allowed value's meaning, read from the field description, where it is written `value (meaning)`."""
    import re

    out = {}
    for value in field.enum or ():
        m = re.search(r"(?<![\w])" + re.escape(value) + r" \(([^()]*(?:\([^()]*\)[^()]*)*)\)", field.description)
        out[value] = m.group(1) if m else ""
    return out


def rule_summary(schema: TableSchema) -> list[str]:
    """The cross-field rules a schema declares in its "x-gsi" properties, as sentences for people."""
    out = []
    for f in schema.get("fields", []):
        rules = f.get("x-gsi", {})
        name = f["name"]
        if "precisionOf" in rules:
            shapes = ", ".join(f"{k}: {v}" for k, v in rules.get("dateShapes", {}).items())
            out.append(f"`{', '.join(rules['precisionOf'])}` take the shape that `{name}` gives them ({shapes}).")
        if "notBefore" in rules:
            out.append(f"`{name}` is not before `{rules['notBefore']}`.")
        if "iso3166" in rules:
            out.append(f"`{name}` is an ISO 3166-1 {rules['iso3166'].replace('_', '-')} code known to pycountry.")
        if rules.get("fragment"):
            out.append(f"`{name}` quotes a fragment, not a whole sentence (a warning otherwise).")
        for key, verb in (("requiredWhen", "is required when"), ("emptyUnless", "is empty unless")):
            for other, values in rules.get(key, {}).items():
                out.append(f"`{name}` {verb} `{other}` is {' or '.join(f'`{v}`' for v in values)}.")
    table_rules = schema.get("x-gsi", {})
    for group in table_rules.get("together", []):
        out.append(f"{', '.join(f'`{g}`' for g in group)} are filled all together or not at all.")
    for name, needs in table_rules.get("requires", {}).items():
        out.append(f"`{name}` requires {', '.join(f'`{n}`' for n in needs)}.")
    for fk in schema.get("foreignKeys", []):
        rules = fk.get("x-gsi", {})
        if rules:
            where = "; ".join(
                f"`{k}` is {' or '.join(f'`{v}`' for v in vs)}" for k, vs in rules.get("referencedWhere", {}).items()
            )
            same = ", ".join(f"`{s}`" for s in rules.get("sameValues", []))
            out.append(f"`{', '.join(fk['fields'])}` points at a row where {where}, with the same {same}.")
    rr = table_rules.get("recordReference")
    if rr:
        out.append(
            f"`{rr['idField']}` is the primary key of an existing row in the table that `{rr['tableField']}` names."
        )
    return out
