"""Rules across fields and tables: foreign keys and the "x-gsi" rules declared in the schemas and datapackage.json.

Field rules: precisionOf + dateShapes, notBefore, iso3166, requiredWhen, emptyUnless, fragment. Table rules: together,
requires, recordReference. Foreign-key rules: sameValues, referencedWhere. Resource rules (datapackage.json):
citationRequired, warnUnreferenced. Every rule names fields and values that the schemas declare; nothing here
restates them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from .. import schema as sch
from ..codec import regex_mask, to_numpy
from ..findings import Finding
from .table import TableData, all_present, joined, listing

Tables = dict[str, TableData]

# A quotation that opens with a capital letter and closes with sentence-final punctuation, quotes aside.
WHOLE_SENTENCE = r"^[\"“'‘(]?\p{Lu}.*[.!?。！？][\"”'’)]?$"


def _is_in(col, values) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    value_set = (
        values if isinstance(values, (pa.Array, pa.ChunkedArray)) else pa.array([str(v) for v in values], pa.string())
    )
    if isinstance(value_set, pa.ChunkedArray):
        value_set = value_set.combine_chunks()
    if 8 * len(col) < len(value_set):
        value_set = value_set.filter(pc.is_in(value_set, value_set=pc.unique(col)))
    return to_numpy(pc.is_in(col, value_set=value_set))


def _when(data: TableData, condition: Mapping[str, Iterable[str]]) -> Any:
    """Rows where every condition field holds one of its listed values."""
    import numpy as np

    mask = np.ones(data.n, dtype=bool)
    for name, values in condition.items():
        mask &= _is_in(data.raw(name), values) if name in data.position else False
    return mask


def _describe(condition: Mapping[str, Iterable[str]]) -> str:
    return " and ".join(f"{k} is {listing(v)}" for k, v in condition.items())


def check_field_rules(data: TableData) -> list[Finding]:
    out: list[Finding] = []
    for f in data.schema.fields:
        name, rules = f.name, f.rules
        if name not in data.position:
            continue
        if rules.date_shapes:
            out += _date_shapes(data, name, rules.precision_of, rules.date_shapes)
        if rules.not_before is not None and data.has(rules.not_before):
            other = rules.not_before
            out += _not_before(data, name, other)
        if rules.iso3166 is not None:
            out += _iso3166(data, name, rules.iso3166)
        if rules.iso4217:
            out += _iso4217(data, name)
        if rules.required_when:
            cond = rules.required_when
            bad = _when(data, cond) & data.missing(name)
            out += data.findings(
                "required-when",
                name,
                bad,
                f"{name} is required when {_describe(cond)}",
                show_value=False,
            )
        if rules.empty_unless:
            cond = rules.empty_unless
            bad = data.present(name) & ~_when(data, cond)
            out += data.findings("empty-unless", name, bad, f"{name} must be empty unless {_describe(cond)}")
        if rules.fragment:
            bad = data.present(name) & regex_mask(data.raw(name), WHOLE_SENTENCE)
            out += data.findings(
                "sentence",
                name,
                bad,
                f"{name} should quote a fragment holding the fact, not a whole sentence",
            )
    return out


def _not_before(data: TableData, name: str, other: str) -> list[Finding]:
    ok, days = data.typed(name)
    ok2, days2 = data.typed(other)
    if days is None or days2 is None:
        return []
    return data.findings(
        "not-before",
        name,
        ok & ok2 & (days < days2),
        lambda r: f"{name} must not be before {other} ({data.show(other, days2[r])})",
    )


def _shape_regex(shape: str) -> str:
    return "^" + "".join("[0-9]" if ch in "YMD" else re.escape(ch) for ch in shape) + "$"


def _date_shapes(data: TableData, precision: str, targets: Iterable[str], shapes: Mapping[str, str]) -> list[Finding]:
    out = []
    for target in targets:
        if not data.has(target):
            continue
        ok, _ = data.typed(target)
        for level, shape in shapes.items():
            bad = ok & _is_in(data.raw(precision), [level]) & ~regex_mask(data.raw(target), _shape_regex(shape))
            out += data.findings(
                "date-shape",
                target,
                bad,
                f"{precision} is {level}, so {target} must have the shape {shape}",
            )
    return out


def _iso3166(data: TableData, name: str, kind: str) -> list[Finding]:
    import pycountry

    known = sorted({getattr(c, kind) for c in pycountry.countries if hasattr(c, kind)})
    bad = data.present(name) & ~_is_in(data.raw(name), known)
    return data.findings("iso3166", name, bad, f"{name} must be an ISO 3166-1 {kind} code that pycountry knows")


def _iso4217(data: TableData, name: str) -> list[Finding]:
    import pycountry

    codes = [c.alpha_3 for c in pycountry.currencies]
    bad = data.present(name) & ~_is_in(data.raw(name), codes)
    return data.findings("iso4217", name, bad, f"{name} must be an ISO 4217 currency code that pycountry knows")


def check_table_rules(data: TableData) -> list[Finding]:
    import numpy as np

    out: list[Finding] = []
    rules = data.schema.rules
    for group in rules.together:
        if not all(n in data.position for n in group):
            continue
        filled = sum(data.present(n).astype(np.int64) for n in group)
        partly = (filled > 0) & (filled < len(group))
        for n in group:
            out += data.findings(
                "together",
                n,
                partly & data.missing(n),
                f"{listing(group).replace(' or ', ' and ')} are filled all or none; {n} is empty",
                show_value=False,
            )
    for name, needed in rules.requires.items():
        if name not in data.position:
            continue
        for other in needed:
            if other in data.position:
                bad = data.present(name) & data.missing(other)
                out += data.findings(
                    "requires", other, bad, f"{other} must be filled when {name} is filled", show_value=False
                )
    rw = rules.referenced_when
    if rw is not None and rw["by"] in data.position and all(n in data.position for n in rw["where"]):
        key = _single_key(data)
        if key is not None:
            refs = data.raw(rw["by"]).filter(data.present(rw["by"]))
            bad = _when(data, rw["where"]) & ~_is_in(data.raw(key), refs)
            out += data.findings(
                "referenced-when",
                key,
                bad,
                f"a row where {_describe(rw['where'])} needs a row whose {rw['by']} points at it",
            )
    return out


def _key_index(parent: TableData, fields: list[str]):
    """(joined key strings of the parent, rows that hold a complete key)."""
    return joined(parent, fields), all_present(parent, fields)


def check_foreign_keys(tables: Tables) -> list[Finding]:
    """Every foreign key of every table, with its x-gsi sameValues and referencedWhere rules."""
    out: list[Finding] = []
    for data in tables.values():
        out += _foreign_keys(data, tables)
    return out


def _foreign_keys(data: TableData, tables: Tables) -> list[Finding]:
    import pyarrow as pa
    import pyarrow.compute as pc

    out: list[Finding] = []
    for fk in data.schema.foreign_keys:
        fields, ref_table, ref_fields = list(fk.fields), fk.resource, list(fk.ref_fields)
        parent = tables.get(ref_table)
        if (
            parent is None
            or not all(n in data.position for n in fields)
            or not all(n in parent.position for n in ref_fields)
        ):
            continue
        keys, complete = _key_index(parent, ref_fields)
        value_set = pc.filter(keys, pa.array(complete)).combine_chunks()
        child = joined(data, fields)
        check = all_present(data, fields)
        found = _is_in(child, value_set)
        target = f"{ref_table}.{', '.join(ref_fields)}"
        out += data.findings(
            "foreign-key", fields[0], check & ~found, f"{', '.join(fields)} must match a value of {target}"
        )
        if not (fk.same_values or fk.referenced_where) or len(value_set) == 0:
            continue
        linked = check & found
        pos = to_numpy(pc.fill_null(pc.index_in(child, value_set=value_set), 0))
        parent_rows = to_numpy(pc.indices_nonzero(pa.array(complete)))
        referenced = parent_rows[pos]
        for same in fk.same_values:
            if same not in data.position or same not in parent.position:
                continue
            theirs = parent.raw(same).take(pa.array(referenced))
            differ = linked & ~to_numpy(pc.fill_null(pc.equal(data.raw(same), theirs), False))
            out += data.findings(
                "same-values",
                same,
                differ,
                f"{same} must equal the {same} of the {ref_table} row that {fields[0]} references",
            )
        where = fk.referenced_where
        if where:
            ok = _when(parent, where)[referenced]
            out += data.findings(
                "referenced-where",
                fields[0],
                linked & ~ok,
                f"{fields[0]} must reference a {ref_table} row where {_describe(where)}",
            )
    return out


def _record_reference(tables: Tables):
    """(citing table, table field, id field) for every table declaring x-gsi recordReference."""
    for data in tables.values():
        rr = data.schema.rules.record_reference
        if rr and rr.table_field in data.position and rr.id_field in data.position:
            yield data, rr.table_field, rr.id_field


def _single_key(data: TableData) -> str | None:
    pk = data.schema.primary_key
    return pk[0] if len(pk) == 1 and pk[0] in data.position else None


def check_record_references(tables: Tables) -> list[Finding]:
    out: list[Finding] = []
    for cites, table_field, id_field in _record_reference(tables):
        names = cites.raw(table_field)
        has_id = cites.present(id_field)
        for target in to_numpy(names.unique()).tolist():
            rows = _is_in(names, [target]) & has_id & cites.present(table_field)
            if not rows.any():
                continue
            data = tables.get(target)
            key = _single_key(data) if data is not None else None
            if data is None or key is None:
                continue
            known = _is_in(cites.raw(id_field), data.raw(key))
            out += cites.findings(
                "record-reference",
                id_field,
                rows & ~known,
                f"{id_field} must be the {key} of an existing {target} row",
            )
    return out


def _context_only(cites: TableData) -> Any:
    """Citations whose declared contextField holds one of its field's true values."""
    import numpy as np

    from ..codec import TRUE_VALUES

    name = cites.schema.rules.record_reference.context_field if cites.schema.rules.record_reference else None
    if name is None or name not in cites.position:
        return np.zeros(cites.n, dtype=bool)
    return _is_in(cites.raw(name), list(cites.schema.field(name).true_values or TRUE_VALUES))


def _cited(
    data: TableData, tables: Tables, excerpt: tuple[str, str] | None = None, reporting_only: bool = False
) -> Any:
    """Rows of `data` that a citation points at; with `excerpt` (field, pattern), only citations whose excerpt
    matches the pattern count; with `reporting_only`, context-only citations do not."""
    import numpy as np

    out = np.zeros(data.n, dtype=bool)
    key = _single_key(data)
    if key is None:
        return out
    for cites, table_field, id_field in _record_reference(tables):
        rows = _is_in(cites.raw(table_field), [data.table]) & cites.present(id_field)
        if reporting_only:
            rows &= ~_context_only(cites)
        if excerpt is not None:
            if excerpt[0] not in cites.position:
                continue
            rows &= regex_mask(cites.raw(excerpt[0]), excerpt[1])
        out |= _is_in(data.raw(key), cites.raw(id_field).filter(rows))
    return out


def check_cited_matches(tables: Tables) -> list[Finding]:
    """x-gsi citedExcerptMatches: rows holding the declared value need a citation whose excerpt matches."""
    out: list[Finding] = []
    for data in tables.values():
        if _single_key(data) is None:
            continue
        for f in data.schema.fields:
            spec = f.rules.cited_match
            if spec is None or f.name not in data.position:
                continue
            want = _is_in(data.raw(f.name), [str(spec["when"]).lower(), str(spec["when"])])
            matched = _cited(data, tables, (spec["excerptField"], spec["pattern"]))
            out += data.findings(
                "cited-match",
                f.name,
                want & ~matched,
                f"{f.name} is {spec['when']} but no citation of this row has an excerpt matching the declared pattern",
            )
    return out


def check_resource_rules(tables: Tables) -> list[Finding]:
    """citationRequired and warnUnreferenced, from the "x-gsi" of each resource in datapackage.json."""

    out: list[Finding] = []
    for table, data in tables.items():
        rules = data.rules
        key = _single_key(data)
        if key is None or not (rules.citation_required or rules.warn_unreferenced):
            continue
        cited = _cited(data, tables)
        if rules.citation_required:
            out += data.findings(
                "citation-missing",
                key,
                data.present(key) & ~cited,
                f"every {table} row needs at least one citation; none cites this {key}",
            )
            out += data.findings(
                "context-only",
                key,
                data.present(key) & cited & ~_cited(data, tables, reporting_only=True),
                f"every citation of this {key} is context-only: no cited text reports the row itself",
            )
        if rules.warn_unreferenced:
            used = cited.copy()
            for other in tables.values():
                for fields, ref_table, ref_fields in sch.foreign_keys(other.schema, other.table):
                    if (
                        ref_table != table
                        or not all(n in other.position for n in fields)
                        or not all(n in data.position for n in ref_fields)
                    ):
                        continue
                    child = joined(other, fields).filter(all_present(other, fields))
                    used |= _is_in(joined(data, ref_fields), child)
            out += data.findings(
                "unreferenced",
                key,
                data.present(key) & ~used,
                f"no row of any table references this {table} row",
            )
    return out
