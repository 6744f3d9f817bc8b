"""Table Schema rules on cells: type, required, enum, pattern, lengths, ranges, unique, primary and unique keys."""

from __future__ import annotations

from collections.abc import Callable

from .. import schema as sch
from ..codec import regex_mask, to_numpy
from ..findings import Finding
from .table import TableData, all_present, listing


def check_fields(data: TableData) -> list[Finding]:
    out: list[Finding] = []
    pk = sch.primary_key(data.schema)
    for name, f in data.fields.items():
        if name not in data.position:
            continue
        present = data.present(name)
        if f.required or name in pk:
            why = "" if f.required else " (a primary-key field)"
            out += data.findings("required", name, ~present, f"{name} must not be empty{why}", show_value=False)
        ok, values = data.typed(name)
        what = f.codec.expected
        if what:
            out += data.findings("type", name, present & ~ok, f"{name} must be {what}")
        out += _constraints(data, f, ok, values)
        if f.unique:
            rows, first = data.duplicates((name,), ok)
            lines = dict(zip(rows.tolist(), data.lines[first].tolist(), strict=True))
            out += data.findings(
                "unique", name, rows, _same_as(f"{name} must be unique; line {{}} has the same value", lines)
            )
    out += _keys(data, "primary-key", [pk] if pk else [])
    out += _keys(data, "unique-key", sch.unique_keys(data.schema))
    return out


def _same_as(template: str, lines: dict[int, int]) -> Callable[[int], str]:
    """A message for a row repeating an earlier one: `template` with the earlier row's line."""
    return lambda r: template.format(lines[r])


def _constraints(data: TableData, f: sch.Field, ok, values) -> list[Finding]:
    import pyarrow as pa
    import pyarrow.compute as pc

    out = []
    col = data.raw(f.name)
    if f.enum is not None:
        allowed = pa.array([str(v) for v in f.enum], pa.string())
        bad = ok & ~to_numpy(pc.is_in(col, value_set=allowed))
        out += data.findings("enum", f.name, bad, f"{f.name} must be one of {listing(f.enum)}")
    if f.pattern is not None and f.type == "string":
        bad = ok & ~regex_mask(col, sch.full_pattern(f.pattern))
        out += data.findings("pattern", f.name, bad, f"{f.name} must match `{f.pattern}`")
    if (f.min_length is not None or f.max_length is not None) and f.type == "string":
        length = to_numpy(pc.utf8_length(col))
        if f.min_length is not None:
            bad = ok & (length < f.min_length)
            out += data.findings("min-length", f.name, bad, f"{f.name} must have at least {f.min_length} characters")
        if f.max_length is not None:
            bad = ok & (length > f.max_length)
            out += data.findings("max-length", f.name, bad, f"{f.name} must have at most {f.max_length} characters")
    if values is not None and f.type in ("integer", "number", "date"):
        if f.minimum is not None:
            bad = ok & (values < data.bound(f.name, f.minimum))
            out += data.findings("minimum", f.name, bad, f"{f.name} must be at least {f.minimum}")
        if f.maximum is not None:
            bad = ok & (values > data.bound(f.name, f.maximum))
            out += data.findings("maximum", f.name, bad, f"{f.name} must be at most {f.maximum}")
    return out


def _keys(data: TableData, code: str, keys: list[list[str]]) -> list[Finding]:
    out = []
    for key in keys:
        if not key or not all(n in data.position for n in key):
            continue
        rows, first = data.duplicates(tuple(key), all_present(data, key))
        lines = dict(zip(rows.tolist(), data.lines[first].tolist(), strict=True))
        label = ", ".join(key)
        kind = "primary key" if code == "primary-key" else "unique key"
        message = f"the {kind} ({label}) must be unique; line {{}} has the same"
        out += data.findings(code, key[0], rows, _same_as(message, lines))
    return out
