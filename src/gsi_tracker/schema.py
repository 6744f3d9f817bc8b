"""Parse each Table Schema once into a model, and derive every typed form of a table from it.

`schemas/*.json` is the only place where a type, enum, constraint, key or rule is declared. `parse` turns one
Table Schema (a dict) into a `TableSchema`: its fields (each with the codec of its type, see `codec.py`), keys,
foreign keys and every "x-gsi" rule as typed objects. A schema this package cannot follow (an unsupported type, an
unknown rule, a rule or key naming a missing field, a foreign key to a missing resource) is a `SchemaError` naming
the file and the JSON path; `package.open_package` parses every schema, so such a package is refused when opened.
The model emits pandas dtypes, a pandera DataFrameSchema, an Arrow schema and codebook rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .codec import CODECS, Codec
from .package import PackageError

RawSchema = Mapping[str, Any]

SUPPORTED_TYPES = tuple(CODECS)


class SchemaError(PackageError):
    """A Table Schema or a resource's "x-gsi" rules cannot be followed; `path` is the file, `pointer` the JSON path."""

    def __init__(self, message: str, path: Any = None, pointer: str = "$"):
        super().__init__(f"{pointer}: {message}" if pointer and pointer != "$" else message, path)
        self.pointer = pointer


@dataclass(frozen=True)
class FieldRules:
    """The "x-gsi" rules of one field."""

    precision_of: tuple[str, ...] = ()
    date_shapes: Mapping[str, str] = field(default_factory=dict)
    not_before: str | None = None
    iso3166: str | None = None
    required_when: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    empty_unless: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    fragment: bool = False
    iso4217: bool = False
    derived: Mapping[str, Any] | None = None
    cited_match: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Field:
    """One declared field, with its constraints and rules read once and the codec of its type."""

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
    true_values: tuple[str, ...] | None = None
    false_values: tuple[str, ...] | None = None
    rules: FieldRules = field(default_factory=FieldRules)

    @cached_property
    def codec(self) -> Codec:
        return CODECS[self.type](self)

    def to_pandas_dtype(self) -> Any:
        """The pandas dtype the field loads into (an enum is a Categorical of its declared values)."""
        import pandas as pd

        if self.enum is not None:
            return pd.CategoricalDtype(categories=list(self.enum), ordered=False)
        return self.codec.pandas_dtype()

    def to_pyarrow_dtype(self) -> Any:
        """The Arrow type of the field in a release's Parquet file (an enum is a dictionary of strings)."""
        import pyarrow as pa

        if self.enum is not None:
            return pa.dictionary(pa.int32(), pa.string())
        return self.codec.arrow_type()

    def to_pandas(self, col, present) -> Any:
        """The typed pandas array of a string column: a value where the cell is valid (and allowed), else missing."""
        import pandas as pd
        import pyarrow as pa
        import pyarrow.compute as pc

        from .codec import to_numpy

        ok, values = self.codec.parse(col, present)
        if self.enum is None:
            return self.codec.to_pandas(col, ok, values)
        allowed = pa.array([str(v) for v in self.enum], pa.string())
        codes = to_numpy(pc.fill_null(pc.index_in(col, value_set=allowed), -1)).astype("int64")
        codes[~ok] = -1
        return pd.Categorical.from_codes(codes, dtype=self.to_pandas_dtype())

    def to_text(self, value: Any) -> str:
        """Canonical CSV text of one typed value; empty for a missing one."""
        import pandas as pd

        if value is None or value is pd.NA or value is pd.NaT:
            return ""
        if self.enum is not None:
            return "" if not isinstance(value, str) and pd.isna(value) else str(value)
        return self.codec.to_text(value)


@dataclass(frozen=True)
class ForeignKey:
    """A foreign key and its "x-gsi" rules; `resource` is the referenced table (the own table when omitted)."""

    fields: tuple[str, ...]
    resource: str
    ref_fields: tuple[str, ...]
    same_values: tuple[str, ...] = ()
    referenced_where: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    pointer: str = "$.foreignKeys"


@dataclass(frozen=True)
class RecordReference:
    """x-gsi recordReference: `table_field` names a table, `id_field` the primary key of one of its rows; a row whose
    boolean `context_field` is true supports a fact about that row without reporting it, and is left out of counts."""

    table_field: str
    id_field: str
    context_field: str | None = None


@dataclass(frozen=True)
class TableRules:
    """The table-level "x-gsi" rules of a Table Schema."""

    together: tuple[tuple[str, ...], ...] = ()
    requires: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    record_reference: RecordReference | None = None
    referenced_when: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class ResourceRules:
    """The "x-gsi" rules of a resource in datapackage.json."""

    citation_required: bool = False
    warn_unreferenced: bool = False


@dataclass(frozen=True)
class TableSchema:
    """One Table Schema, parsed: fields in declared order, keys, foreign keys and rules."""

    table: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...] = ()
    unique_keys: tuple[tuple[str, ...], ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    rules: TableRules = field(default_factory=TableRules)
    missing_values: tuple[str, ...] = ("",)
    title: str | None = None
    description: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)
    file: str | None = None

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


# Parsing


def _strings(value: Any, path: Any, pointer: str) -> tuple[str, ...]:
    """A string or a list of strings, as a tuple."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise SchemaError("must be a field name or a list of field names", path, pointer)


def _name(value: Any, path: Any, pointer: str) -> str:
    if not isinstance(value, str):
        raise SchemaError("must be a field name", path, pointer)
    return value


def _mapping(value: Any, path: Any, pointer: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise SchemaError("must be an object", path, pointer)
    return value


def _condition(value: Any, path: Any, pointer: str) -> dict[str, tuple[str, ...]]:
    """{field: [values]} of requiredWhen, emptyUnless and referencedWhere."""
    out = {}
    for name, values in _mapping(value, path, pointer).items():
        if not isinstance(values, list) or not values:
            raise SchemaError("must list at least one value", path, f"{pointer}.{name}")
        out[name] = tuple(str(v) for v in values)
    return out


def _flag(value: Any, path: Any, pointer: str) -> bool:
    if not isinstance(value, bool):
        raise SchemaError("must be true or false", path, pointer)
    return value


def _field_rules(raw: Any, path: Any, pointer: str) -> FieldRules:
    rules = _mapping(raw, path, pointer)
    parsers = {
        "precisionOf": ("precision_of", lambda v, p: _strings(v, path, p)),
        "dateShapes": ("date_shapes", lambda v, p: {str(k): str(s) for k, s in _mapping(v, path, p).items()}),
        "notBefore": ("not_before", lambda v, p: _name(v, path, p)),
        "iso3166": ("iso3166", lambda v, p: _iso_kind(v, path, p)),
        "requiredWhen": ("required_when", lambda v, p: _condition(v, path, p)),
        "emptyUnless": ("empty_unless", lambda v, p: _condition(v, path, p)),
        "fragment": ("fragment", lambda v, p: _flag(v, path, p)),
        "iso4217": ("iso4217", lambda v, p: _flag(v, path, p)),
        "derived": ("derived", lambda v, p: _derived(v, path, p)),
        "citedExcerptMatches": ("cited_match", lambda v, p: _cited_match(v, path, p)),
    }
    return FieldRules(**_known(rules, parsers, path, pointer))


DERIVED_KINDS = ("ancestor", "root", "rank", "linkedMax", "ratio", "citationCount", "originsAll")


def _derived(value: Any, path: Any, pointer: str) -> Mapping[str, Any]:
    """A derived field's computation: one kind (see derive.py) and its parameters."""
    spec = _mapping(value, path, pointer)
    if len(spec) != 1 or next(iter(spec)) not in DERIVED_KINDS:
        raise SchemaError(f"must name one computation of {', '.join(DERIVED_KINDS)}", path, pointer)
    return dict(spec)


def _cited_match(value: Any, path: Any, pointer: str) -> Mapping[str, Any]:
    """Rows holding `when` in this field need a citation whose excerpt matches `pattern`."""
    spec = _mapping(value, path, pointer)
    if not isinstance(spec.get("pattern"), str) or "when" not in spec or not isinstance(spec.get("excerptField"), str):
        raise SchemaError("must give a pattern, a when value and the citing table's excerptField", path, pointer)
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        pc.match_substring_regex(pa.array([""]), spec["pattern"])
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as e:
        raise SchemaError(f"pattern is not RE2: {e}", path, f"{pointer}.pattern") from None
    return dict(spec)


def _iso_kind(value: Any, path: Any, pointer: str) -> str:
    if value not in ("alpha_2", "alpha_3", "numeric"):
        raise SchemaError(f"must be alpha_2, alpha_3 or numeric, not {value!r}", path, pointer)
    return value


def _known(rules: Mapping[str, Any], parsers: dict, path: Any, pointer: str) -> dict[str, Any]:
    """Each rule through its parser; a rule this package does not know is an error, not silently skipped."""
    out = {}
    for key, value in rules.items():
        if key not in parsers:
            raise SchemaError(f"unknown x-gsi rule {key!r}; known: {', '.join(parsers)}", path, f"{pointer}.{key}")
        attr, parse_value = parsers[key]
        out[attr] = parse_value(value, f"{pointer}.{key}")
    return out


def _table_rules(raw: Any, path: Any, pointer: str) -> TableRules:
    def together(v, p):
        if not isinstance(v, list):
            raise SchemaError("must be a list of field groups", path, p)
        return tuple(_strings(g, path, f"{p}[{i}]") for i, g in enumerate(v))

    def requires(v, p):
        return {k: _strings(n, path, f"{p}.{k}") for k, n in _mapping(v, path, p).items()}

    def record_reference(v, p):
        rr = _mapping(v, path, p)
        if not isinstance(rr.get("tableField"), str) or not isinstance(rr.get("idField"), str):
            raise SchemaError("must name a tableField and an idField", path, p)
        if not isinstance(rr.get("contextField", ""), str):
            raise SchemaError("contextField must name a field", path, p)
        return RecordReference(rr["tableField"], rr["idField"], rr.get("contextField"))

    def referenced_when(v, p):
        rw = _mapping(v, path, p)
        if not isinstance(rw.get("by"), str):
            raise SchemaError("must name the referencing field in 'by'", path, p)
        return {"where": _condition(rw.get("where", {}), path, f"{p}.where"), "by": rw["by"]}

    parsers = {
        "together": ("together", together),
        "requires": ("requires", requires),
        "recordReference": ("record_reference", record_reference),
        "referencedWhen": ("referenced_when", referenced_when),
    }
    return TableRules(**_known(_mapping(raw, path, pointer), parsers, path, pointer))


def resource_rules(raw: Any, path: Any = None, pointer: str = "$.x-gsi") -> ResourceRules:
    """The "x-gsi" rules of a resource of datapackage.json."""
    parsers = {
        "citationRequired": ("citation_required", lambda v, p: _flag(v, path, p)),
        "warnUnreferenced": ("warn_unreferenced", lambda v, p: _flag(v, path, p)),
    }
    return ResourceRules(**_known(_mapping(raw or {}, path, pointer), parsers, path, pointer))


def _check_bound(ftype: str, value: Any, path: Any, pointer: str) -> None:
    """A minimum or maximum must be of its field's type: an ISO date for a date, a number for a number."""
    import datetime as dt

    if value is None:
        return
    if ftype == "date":
        try:
            dt.date.fromisoformat(str(value))
        except ValueError:
            raise SchemaError(f"must be an ISO 8601 date, not {value!r}", path, pointer) from None
    elif ftype in ("integer", "number") and (isinstance(value, bool) or not isinstance(value, (int, float))):
        raise SchemaError(f"must be a number, not {value!r}", path, pointer)


def _field(raw: Any, path: Any, pointer: str) -> Field:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        raise SchemaError("a field must be an object with a name", path, pointer)
    ftype = raw.get("type", "any")
    if ftype not in SUPPORTED_TYPES:
        raise SchemaError(
            f"field {raw['name']!r}: type {ftype!r} is not supported; use one of {', '.join(SUPPORTED_TYPES)}",
            path,
            f"{pointer}.type",
        )
    c = _mapping(raw.get("constraints", {}), path, f"{pointer}.constraints")
    enum = c.get("enum")
    if enum is not None and not isinstance(enum, list):
        raise SchemaError("enum must be a list", path, f"{pointer}.constraints.enum")
    for bound in ("minimum", "maximum"):
        _check_bound(ftype, c.get(bound), path, f"{pointer}.constraints.{bound}")
    tv, fv = raw.get("trueValues"), raw.get("falseValues")
    return Field(
        name=raw["name"],
        type=ftype,
        title=str(raw.get("title", raw["name"])),
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
        true_values=tuple(_strings(tv, path, f"{pointer}.trueValues")) if tv is not None else None,
        false_values=tuple(_strings(fv, path, f"{pointer}.falseValues")) if fv is not None else None,
        rules=_field_rules(raw.get("x-gsi", {}), path, f"{pointer}.x-gsi"),
    )


def _foreign_key(raw: Any, table: str, path: Any, pointer: str) -> ForeignKey:
    fk = _mapping(raw, path, pointer)
    ref = _mapping(fk.get("reference"), path, f"{pointer}.reference")
    parsers = {
        "sameValues": ("same_values", lambda v, p: _strings(v, path, p)),
        "referencedWhere": ("referenced_where", lambda v, p: _condition(v, path, p)),
    }
    rules = _known(_mapping(fk.get("x-gsi", {}), path, f"{pointer}.x-gsi"), parsers, path, f"{pointer}.x-gsi")
    resource = ref.get("resource") or table
    if not isinstance(resource, str):
        raise SchemaError("must be a resource name", path, f"{pointer}.reference.resource")
    return ForeignKey(
        fields=_strings(fk.get("fields"), path, f"{pointer}.fields"),
        resource=resource,
        ref_fields=_strings(ref.get("fields"), path, f"{pointer}.reference.fields"),
        pointer=pointer,
        **rules,
    )


def parse(raw: RawSchema, table: str = "", path: Any = None) -> TableSchema:
    """Parse one Table Schema; SchemaError names `path` and the JSON path of what cannot be followed.

    Every field that a key or a rule names must be a field of this schema (for a foreign key's referenced fields
    and its rules, see `check_references`, which knows the other tables).
    """
    if isinstance(raw, TableSchema):
        return raw
    if not isinstance(raw, Mapping) or not isinstance(raw.get("fields"), list):
        raise SchemaError("a Table Schema needs a list of fields", path)
    flds = tuple(_field(f, path, f"$.fields[{i}]") for i, f in enumerate(raw["fields"]))
    pk = raw.get("primaryKey", [])
    uniques = raw.get("uniqueKeys", [])
    if not isinstance(uniques, list):
        raise SchemaError("must be a list of keys", path, "$.uniqueKeys")
    fks = raw.get("foreignKeys", [])
    if not isinstance(fks, list):
        raise SchemaError("must be a list", path, "$.foreignKeys")
    missing = raw.get("missingValues", [""])
    model = TableSchema(
        table=table,
        fields=flds,
        primary_key=_strings(pk, path, "$.primaryKey") if pk else (),
        unique_keys=tuple(_strings(k, path, f"$.uniqueKeys[{i}]") for i, k in enumerate(uniques)),
        foreign_keys=tuple(_foreign_key(fk, table, path, f"$.foreignKeys[{i}]") for i, fk in enumerate(fks)),
        rules=_table_rules(raw.get("x-gsi", {}), path, "$.x-gsi"),
        missing_values=tuple(str(v) for v in missing) if isinstance(missing, list) else ("",),
        title=raw.get("title"),
        description=raw.get("description"),
        raw=raw,
        file=str(path) if path is not None else None,
    )
    _check_names(model, path)
    return model


def _named_fields(model: TableSchema):
    """(JSON path, field name) of every field that a key or a rule of the schema names in this table."""
    for i, f in enumerate(model.fields):
        at = f"$.fields[{i}].x-gsi"
        r = f.rules
        yield from ((f"{at}.precisionOf", n) for n in r.precision_of)
        if r.not_before is not None:
            yield f"{at}.notBefore", r.not_before
        for key, cond in (("requiredWhen", r.required_when), ("emptyUnless", r.empty_unless)):
            yield from ((f"{at}.{key}", n) for n in cond)
    yield from (("$.primaryKey", n) for n in model.primary_key)
    for i, unique in enumerate(model.unique_keys):
        yield from ((f"$.uniqueKeys[{i}]", n) for n in unique)
    for fk in model.foreign_keys:
        yield from ((f"{fk.pointer}.fields", n) for n in fk.fields)
        yield from ((f"{fk.pointer}.x-gsi.sameValues", n) for n in fk.same_values)
    for i, group in enumerate(model.rules.together):
        yield from ((f"$.x-gsi.together[{i}]", n) for n in group)
    for name, needed in model.rules.requires.items():
        yield from ((f"$.x-gsi.requires.{name}", n) for n in (name, *needed))
    rr = model.rules.record_reference
    if rr is not None:
        named = {"tableField": rr.table_field, "idField": rr.id_field, "contextField": rr.context_field}
        yield from ((f"$.x-gsi.recordReference.{k}", n) for k, n in named.items() if n is not None)
    rw = model.rules.referenced_when
    if rw is not None:
        yield "$.x-gsi.referencedWhen.by", rw["by"]
        yield from (("$.x-gsi.referencedWhen.where", n) for n in rw["where"])


def _check_names(model: TableSchema, path: Any) -> None:
    names = set(model.names)
    for pointer, name in _named_fields(model):
        if name not in names:
            raise SchemaError(f"names no field of this schema: {name!r}", path, pointer)


def check_references(models: Mapping[str, TableSchema]) -> None:
    """Every foreign key names a table of the package and fields of it; its rules name fields of both tables."""
    for model in models.values():
        for fk in model.foreign_keys:
            parent = models.get(fk.resource)
            if parent is None:
                raise SchemaError(
                    f"no resource {fk.resource!r} in the package", model.file, f"{fk.pointer}.reference.resource"
                )
            if len(fk.ref_fields) != len(fk.fields):
                raise SchemaError("must name as many fields as the key", model.file, f"{fk.pointer}.reference.fields")
            names = set(parent.names)
            for name in (*fk.ref_fields, *fk.same_values):
                if name not in names:
                    where = "reference.fields" if name in fk.ref_fields else "x-gsi.sameValues"
                    raise SchemaError(f"{fk.resource} has no field {name!r}", model.file, f"{fk.pointer}.{where}")
            for name in fk.referenced_where:
                if name not in names:
                    raise SchemaError(
                        f"{fk.resource} has no field {name!r}", model.file, f"{fk.pointer}.x-gsi.referencedWhere"
                    )


def model(schema: RawSchema | TableSchema, table: str = "") -> TableSchema:
    """The parsed model of a schema (a dict is parsed; a model is returned as it is)."""
    return schema if isinstance(schema, TableSchema) else parse(schema, table)


# Derived forms (each accepts a raw schema or its model)


def fields(schema: RawSchema | TableSchema) -> list[Field]:
    """The schema's fields in declared order."""
    return list(model(schema).fields)


def field_names(schema: RawSchema | TableSchema) -> list[str]:
    return model(schema).names


def primary_key(schema: RawSchema | TableSchema) -> list[str]:
    return list(model(schema).primary_key)


def unique_keys(schema: RawSchema | TableSchema) -> list[list[str]]:
    return [list(k) for k in model(schema).unique_keys]


def foreign_keys(schema: RawSchema | TableSchema, table: str) -> list[tuple[list[str], str, list[str]]]:
    """(fields, referenced table, referenced fields) per foreign key; a missing resource means the table itself."""
    return [(list(fk.fields), fk.resource, list(fk.ref_fields)) for fk in model(schema, table).foreign_keys]


def full_pattern(pattern: str) -> str:
    """A Table Schema pattern matches the whole value; anchor it for Python's `re`."""
    return f"^(?:{pattern})$"


def pandas_dtype(field: Field) -> Any:
    """The pandas dtype a field loads into."""
    return field.to_pandas_dtype()


def pandas_dtypes(schema: RawSchema | TableSchema) -> dict[str, Any]:
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


def pandera_schema(schema: RawSchema | TableSchema, table: str):
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
    m = model(schema, table)
    pk = list(m.primary_key)
    return pa.DataFrameSchema(
        columns,
        name=table,
        strict=True,
        ordered=True,
        unique=pk if len(pk) > 1 else None,
        title=m.title,
        description=m.description,
    )


def arrow_type(field: Field) -> Any:
    return field.to_pyarrow_dtype()


def arrow_schema(schema: RawSchema | TableSchema):
    """An explicit Arrow schema: nullable unless required, title and description kept in field metadata."""
    import json

    import pyarrow as pa

    out = []
    for f in fields(schema):
        meta = {"title": f.title, "description": f.description}
        if f.enum is not None:
            meta["enum"] = json.dumps(list(f.enum))
        out.append(pa.field(f.name, arrow_type(f), nullable=not f.required, metadata=meta))
    m = model(schema)
    meta = {k: v for k, v in (("title", m.title), ("description", m.description)) if v is not None}
    meta["primary_key"] = json.dumps(list(m.primary_key))
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


def _values(values) -> str:
    return " or ".join(f"`{v}`" for v in values)


def _field_rule_sentences(f: Field) -> list[str]:
    out = []
    r, name = f.rules, f.name
    if r.precision_of:
        shapes = ", ".join(f"{k}: {v}" for k, v in r.date_shapes.items())
        out.append(f"`{', '.join(r.precision_of)}` take the shape that `{name}` gives them ({shapes}).")
    if r.not_before is not None:
        out.append(f"`{name}` is not before `{r.not_before}`.")
    if r.iso3166 is not None:
        out.append(f"`{name}` is an ISO 3166-1 {r.iso3166.replace('_', '-')} code known to pycountry.")
    if r.fragment:
        out.append(f"`{name}` quotes a fragment, not a whole sentence (a warning otherwise).")
    for cond, verb in ((r.required_when, "is required when"), (r.empty_unless, "is empty unless")):
        for other, values in cond.items():
            out.append(f"`{name}` {verb} `{other}` is {_values(values)}.")
    return out


def rule_summary(schema: RawSchema | TableSchema) -> list[str]:
    """The cross-field rules a schema declares in its "x-gsi" properties, as sentences for people."""
    m = model(schema)
    out = [sentence for f in m.fields for sentence in _field_rule_sentences(f)]
    for group in m.rules.together:
        out.append(f"{', '.join(f'`{g}`' for g in group)} are filled all together or not at all.")
    for name, needs in m.rules.requires.items():
        out.append(f"`{name}` requires {', '.join(f'`{n}`' for n in needs)}.")
    for fk in m.foreign_keys:
        if fk.same_values or fk.referenced_where:
            where = "; ".join(f"`{k}` is {_values(vs)}" for k, vs in fk.referenced_where.items())
            same = ", ".join(f"`{s}`" for s in fk.same_values)
            out.append(f"`{', '.join(fk.fields)}` points at a row where {where}, with the same {same}.")
    rr = m.rules.record_reference
    if rr:
        out.append(f"`{rr.id_field}` is the primary key of an existing row in the table that `{rr.table_field}` names.")
        if rr.context_field:
            out.append(
                f"A row whose `{rr.context_field}` is true supports a fact in the record's description or notes without"
                " reporting the record; derived citation counts leave it out."
            )
    return out
