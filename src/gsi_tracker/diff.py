"""Compare two versions of the data package: rows by primary key, field by field, and schemas constraint by constraint.

Each change carries the version bump it needs under semantic versioning for data:
major - a table, field or released record removed; a field renamed, retyped or reordered; a key changed; a
        constraint tightened (or changed in a way that may reject old values);
minor - rows, tables or optional fields added; a constraint loosened;
patch - values corrected; titles, descriptions and other metadata changed.
Rows are compared as the text of their CSV cells, so a release and the working seeds compare alike.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import schema as sch
from .package import Package, open_package
from .semver import MAJOR, MINOR, PATCH, highest

LOWER_BOUNDS = ("minimum", "minLength", "exclusiveMinimum")
UPPER_BOUNDS = ("maximum", "maxLength", "exclusiveMaximum")
FLAGS = ("required", "unique")
METADATA_KEYS = ("title", "description", "example")
IGNORED_PACKAGE_KEYS = ("resources", "version", "created")


@dataclass(frozen=True)
class Change:
    """One schema or package change: what, where, and the bump it needs."""

    kind: str
    bump: str
    detail: str
    table: str | None = None
    field: str | None = None


@dataclass(frozen=True)
class RowChange:
    """A row present in both versions whose cells differ: (field, old, new) per changed field."""

    key: str
    fields: tuple[tuple[str, str, str], ...]


@dataclass
class TableDiff:
    """Changes of one table: schema changes, and rows added, removed and changed by primary key."""

    table: str
    key: list[str]
    schema: list[Change] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[RowChange] = field(default_factory=list)
    rows_compared: bool = True

    @property
    def bump(self) -> str:
        bumps = [c.bump for c in self.schema]
        bumps += [MINOR] if self.added else []
        bumps += [MAJOR] if self.removed else []
        bumps += [PATCH] if self.changed else []
        return highest(bumps)

    @property
    def empty(self) -> bool:
        return not (self.schema or self.added or self.removed or self.changed)


@dataclass
class PackageDiff:
    """All changes from `old` to `new`, and the version bump they need."""

    old: str
    new: str
    old_version: str | None
    new_version: str | None
    package: list[Change] = field(default_factory=list)
    tables: list[TableDiff] = field(default_factory=list)
    old_released: bool = True
    new_released: bool = True

    @property
    def bump(self) -> str:
        return highest([c.bump for c in self.package] + [t.bump for t in self.tables])

    def reasons(self) -> list[str]:
        """Why the bump is what it is: the changes that need it."""
        out = [c.detail for c in self.package if c.bump == self.bump]
        for t in self.tables:
            out += [f"{t.table}: {c.detail}" for c in t.schema if c.bump == self.bump]
            if self.bump == MAJOR and t.removed:
                out.append(f"{t.table}: {len(t.removed)} released record(s) removed")
            if self.bump == MINOR and t.added:
                out.append(f"{t.table}: {len(t.added)} row(s) added")
            if self.bump == PATCH and t.changed:
                out.append(f"{t.table}: {len(t.changed)} row(s) corrected")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": {"path": self.old, "version": self.old_version, "release": self.old_released},
            "new": {"path": self.new, "version": self.new_version, "release": self.new_released},
            "bump": self.bump,
            "reasons": self.reasons(),
            "package": [asdict(c) for c in self.package],
            "tables": [
                {
                    "table": t.table,
                    "key": t.key,
                    "bump": t.bump,
                    "schema": [asdict(c) for c in t.schema],
                    "rows_compared": t.rows_compared,
                    "added": t.added,
                    "removed": t.removed,
                    "changed": [
                        {"key": r.key, "fields": [{"field": f, "old": o, "new": n} for f, o, n in r.fields]}
                        for r in t.changed
                    ],
                }
                for t in self.tables
            ],
        }


# Schema comparison


def _constraint_changes(table: str, name: str, old: dict, new: dict) -> list[Change]:  # noqa: C901 (one branch per constraint kind)
    out = []

    def add(kind, bump, detail):
        out.append(Change(kind, bump, f"field `{name}`: {detail}", table, name))

    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if key in FLAGS:
            if b:
                add("constraint-tightened", MAJOR, f"now {key}")
            else:
                add("constraint-loosened", MINOR, f"no longer {key}")
        elif key == "enum":
            if a is None:
                add("constraint-tightened", MAJOR, f"values now limited to {', '.join(map(str, b or []))}")
            elif b is None:
                add("constraint-loosened", MINOR, "allowed values no longer limited")
            else:
                gone = [v for v in a if v not in b]
                new_values = [v for v in b if v not in a]
                if gone:
                    add("constraint-tightened", MAJOR, f"allowed values removed: {', '.join(map(str, gone))}")
                if new_values:
                    add("constraint-loosened", MINOR, f"allowed values added: {', '.join(map(str, new_values))}")
                if not gone and not new_values:
                    add("metadata-changed", PATCH, "allowed values reordered")
        elif key in LOWER_BOUNDS + UPPER_BOUNDS:
            upper = key in UPPER_BOUNDS
            if a is None:
                add("constraint-tightened", MAJOR, f"{key} {b} added")
            elif b is None:
                add("constraint-loosened", MINOR, f"{key} {a} removed")
            else:
                try:
                    tighter = (b < a) if upper else (b > a)
                except TypeError:
                    add("constraint-changed", MAJOR, f"{key} changed from {a} to {b}")
                    continue
                if tighter:
                    add("constraint-tightened", MAJOR, f"{key} {a} -> {b}")
                else:
                    add("constraint-loosened", MINOR, f"{key} {a} -> {b}")
        elif a is None:
            add("constraint-tightened", MAJOR, f"{key} {_show(b)} added")
        elif b is None:
            add("constraint-loosened", MINOR, f"{key} {_show(a)} removed")
        else:
            add("constraint-changed", MAJOR, f"{key} {_show(a)} -> {_show(b)} (may reject old values)")
    return out


def _show(value: Any) -> str:
    from .escape import md_code

    return md_code(value) if isinstance(value, str) else md_code(json.dumps(value, ensure_ascii=False))


def _rules_changes(table: str, name: str | None, where: str, old: dict, new: dict) -> list[Change]:
    """Generic comparison of "x-gsi" rule properties: added or changed tightens, removed loosens."""
    out = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if a is None:
            out.append(Change("constraint-tightened", MAJOR, f"{where}: rule {key} added", table, name))
        elif b is None:
            out.append(Change("constraint-loosened", MINOR, f"{where}: rule {key} removed", table, name))
        else:
            out.append(Change("constraint-changed", MAJOR, f"{where}: rule {key} changed", table, name))
    return out


def _field_changes(table: str, a: dict, b: dict) -> list[Change]:
    name = b["name"]
    out = []
    if a.get("type") != b.get("type"):
        out.append(
            Change("field-retyped", MAJOR, f"field `{name}`: type {a.get('type')} -> {b.get('type')}", table, name)
        )
    if a.get("format") != b.get("format"):
        out.append(
            Change(
                "field-retyped", MAJOR, f"field `{name}`: format {a.get('format')} -> {b.get('format')}", table, name
            )
        )
    out += _constraint_changes(table, name, a.get("constraints", {}), b.get("constraints", {}))
    out += _rules_changes(table, name, f"field `{name}`", a.get("x-gsi", {}), b.get("x-gsi", {}))
    for key in METADATA_KEYS:
        if a.get(key) != b.get(key):
            out.append(Change("metadata-changed", PATCH, f"field `{name}`: {key} changed", table, name))
    return out


def _renames(
    old_fields: dict,
    new_fields: dict,
    removed: list[str],
    added: list[str],
    old_cells: dict | None,
    new_cells: dict | None,
) -> dict[str, str]:
    """Removed -> added field pairs that are one field renamed: same type, and same values or same description."""
    pairs: dict[str, str] = {}
    for r in removed:
        for a in added:
            if a in pairs.values() or old_fields[r].get("type") != new_fields[a].get("type"):
                continue
            old_col = old_cells.get(r) if old_cells is not None else None
            new_col = new_cells.get(a) if new_cells is not None else None
            same_values = old_col is not None and new_col is not None and len(old_col) > 0 and old_col == new_col
            same_text = any(
                old_fields[r].get(k) and old_fields[r].get(k) == new_fields[a].get(k) for k in ("description", "title")
            )
            if same_values or same_text:
                pairs[r] = a
                break
    return pairs


def _key_list(keys: list) -> list[str]:
    return [json.dumps(k, sort_keys=True) for k in keys]


def schema_changes(
    table: str,
    old: dict,
    new: dict,
    old_res: dict,
    new_res: dict,
    old_cells: dict | None = None,
    new_cells: dict | None = None,
) -> tuple[list[Change], dict[str, str]]:
    """Changes between two Table Schemas of `table`, and the renamed fields (old name -> new name)."""
    old_fields = {f["name"]: f for f in old.get("fields", [])}
    new_fields = {f["name"]: f for f in new.get("fields", [])}
    removed = [n for n in old_fields if n not in new_fields]
    added = [n for n in new_fields if n not in old_fields]
    renames = _renames(old_fields, new_fields, removed, added, old_cells, new_cells)
    out = _field_set_changes(table, new_fields, removed, added, renames)
    common = [(n, n) for n in old_fields if n in new_fields] + list(renames.items())
    for o, n in common:
        out += _field_changes(table, old_fields[o], new_fields[n])
    old_order = [renames.get(n, n) for n in old_fields if n in new_fields or n in renames]
    new_order = [n for n in new_fields if n in set(old_order)]
    if old_order != new_order:
        out.append(Change("fields-reordered", MAJOR, "fields reordered (CSV columns move)", table))
    out += _key_changes(table, old, new)
    out += _rules_changes(table, None, "table", old.get("x-gsi", {}), new.get("x-gsi", {}))
    out += _rules_changes(table, None, "resource", old_res.get("x-gsi", {}), new_res.get("x-gsi", {}))
    for key in ("title", "description"):
        # a release copies the schema's title and description onto its resource; a resource without its own
        # takes the schema's, so only the value a reader sees is compared
        if old.get(key) != new.get(key) or old_res.get(key, old.get(key)) != new_res.get(key, new.get(key)):
            out.append(Change("metadata-changed", PATCH, f"table {key} changed", table))
    return out, renames


def _field_set_changes(
    table: str, new_fields: dict, removed: list[str], added: list[str], renames: dict[str, str]
) -> list[Change]:
    """Fields renamed, removed and added."""
    out = []
    for r, a in renames.items():
        out.append(Change("field-renamed", MAJOR, f"field `{r}` renamed to `{a}`", table, a))
    for r in removed:
        if r not in renames:
            out.append(Change("field-removed", MAJOR, f"field `{r}` removed", table, r))
    for a in added:
        if a in renames.values():
            continue
        if new_fields[a].get("constraints", {}).get("required"):
            out.append(Change("field-added", MAJOR, f"required field `{a}` added", table, a))
        else:
            out.append(Change("field-added", MINOR, f"optional field `{a}` added", table, a))
    return out


def _key_changes(table: str, old: dict, new: dict) -> list[Change]:
    """Primary, unique and foreign keys, and missing values."""
    out = []
    if sch.primary_key(old) != sch.primary_key(new):
        out.append(Change("key-changed", MAJOR, f"primary key {sch.primary_key(old)} -> {sch.primary_key(new)}", table))
    for prop, label in (("uniqueKeys", "unique key"), ("foreignKeys", "foreign key")):
        a, b = _key_list(old.get(prop, [])), _key_list(new.get(prop, []))
        for k in b:
            if k not in a:
                out.append(Change("constraint-tightened", MAJOR, f"{label} added: {k}", table))
        for k in a:
            if k not in b:
                out.append(Change("constraint-loosened", MINOR, f"{label} removed: {k}", table))
    if old.get("missingValues", [""]) != new.get("missingValues", [""]):
        out.append(Change("constraint-changed", MAJOR, "missingValues changed", table))
    return out


# Row comparison


def _cells(package: Package, table: str) -> tuple[list[str], Any]:
    from .tables import read_csv_text

    text = read_csv_text(package.resource(table, "csv").path)
    # derived columns follow from the hand-coded ones (and are absent from seeds): only the latter are compared
    derived = {f.name for f in package.model(table).fields if f.rules.derived is not None}
    frame = text.frame.drop(columns=[c for c in text.frame.columns if c in derived])
    return list(frame.columns), frame


def _by_key(frame, key: list[str]) -> dict[str, dict[str, str]]:
    records = frame.to_dict("records")
    out = {}
    for rec in records:
        values = [str(rec[k]) for k in key]
        out[values[0] if len(values) == 1 else " | ".join(values)] = {k: str(v) for k, v in rec.items()}
    return out


def table_diff(table: str, old_pkg: Package, new_pkg: Package) -> TableDiff:
    old_schema, new_schema = old_pkg.schema(table), new_pkg.schema(table)
    old_res = old_pkg.resource(table, "csv").descriptor
    new_res = new_pkg.resource(table, "csv").descriptor
    _, old_frame = _cells(old_pkg, table)
    _, new_frame = _cells(new_pkg, table)
    key = sch.primary_key(new_schema) or sch.primary_key(old_schema)
    comparable = bool(key) and all(k in old_frame.columns and k in new_frame.columns for k in key)
    old_rows = _by_key(old_frame, key) if comparable else {}
    new_rows = _by_key(new_frame, key) if comparable else {}
    common_keys = [k for k in new_rows if k in old_rows]
    old_cells = {c: [old_rows[k].get(c) for k in common_keys] for c in old_frame.columns} if comparable else None
    new_cells = {c: [new_rows[k].get(c) for k in common_keys] for c in new_frame.columns} if comparable else None
    changes, renames = schema_changes(table, old_schema, new_schema, old_res, new_res, old_cells, new_cells)
    diff = TableDiff(table, key, changes, rows_compared=comparable)
    if not comparable:
        return diff
    diff.added = sorted(k for k in new_rows if k not in old_rows)
    diff.removed = sorted(k for k in old_rows if k not in new_rows)
    pairs = [(renames.get(c, c), c) for c in old_frame.columns if renames.get(c, c) in new_frame.columns]
    for k in sorted(common_keys):
        a, b = old_rows[k], new_rows[k]
        fields = tuple((n, a[o], b[n]) for n, o in pairs if a[o] != b[n])
        if fields:
            diff.changed.append(RowChange(k, fields))
    return diff


def diff_packages(old: str | Path, new: str | Path) -> PackageDiff:
    """Compare the data packages at `old` and `new` (release folders, zips, or a repository's working seeds)."""
    with open_package(old) as a, open_package(new) as b:
        out = PackageDiff(
            str(old),
            str(new),
            a.version,
            b.version,
            old_released="created" in a.descriptor,
            new_released="created" in b.descriptor,
        )
        for t in a.tables:
            if t not in b.tables:
                out.package.append(Change("table-removed", MAJOR, f"table `{t}` removed", t))
        for t in b.tables:
            if t not in a.tables:
                out.package.append(Change("table-added", MINOR, f"table `{t}` added", t))
        for key in sorted((set(a.descriptor) | set(b.descriptor)) - set(IGNORED_PACKAGE_KEYS)):
            if a.descriptor.get(key) != b.descriptor.get(key):
                out.package.append(Change("metadata-changed", PATCH, f"package {key} changed"))
        for t in b.tables:
            if t in a.tables:
                out.tables.append(table_diff(t, a, b))
    return out


# Rendering


def _label(path: str, version: str | None) -> str:
    return f"{version} ({path})" if version else path


def _short(version: str | None, released: bool) -> str:
    if released and version:
        return version
    return f"the working tree (version {version})" if version else "the working tree"


def render_text(d: PackageDiff) -> str:
    lines = [f"{_label(d.old, d.old_version)} -> {_label(d.new, d.new_version)}", f"version bump needed: {d.bump}"]
    lines += [f"  because {r}" for r in d.reasons()]
    for c in d.package:
        lines.append(f"{c.detail} [{c.bump}]")
    for t in d.tables:
        if t.empty:
            continue
        lines.append(f"\n{t.table} [{t.bump}]")
        lines += [f"  schema: {c.detail} [{c.bump}]" for c in t.schema]
        if not t.rows_compared:
            lines.append("  rows not compared: no primary key common to both versions")
        lines.append(f"  rows: {len(t.added)} added, {len(t.removed)} removed, {len(t.changed)} changed")
        lines += [f"  + {k}" for k in t.added]
        lines += [f"  - {k} (removed)" for k in t.removed]
        for r in t.changed:
            lines.append(f"  ~ {r.key}")
            lines += [f"      {f}: {o!r} -> {n!r}" for f, o, n in r.fields]
    if not d.package and all(t.empty for t in d.tables):
        lines.append("no changes")
    return "\n".join(lines)


def _md(value: str) -> str:
    from .escape import md_code

    return md_code(value) if value else "*(empty)*"


def render_markdown(d: PackageDiff) -> str:  # noqa: C901 (one section per kind of change)
    lines = [
        f"## Changes from {_short(d.old_version, d.old_released)} to {_short(d.new_version, d.new_released)}",
        "",
        f"Version bump needed: **{d.bump}**",
    ]
    if d.reasons():
        lines += [""] + [f"- {r}" for r in d.reasons()]
    if d.package:
        lines += ["", "### Package", ""] + [f"- {c.detail} ({c.bump})" for c in d.package]
    for t in d.tables:
        if t.empty:
            continue
        lines += ["", f"### `{t.table}` ({t.bump})", ""]
        if t.schema:
            lines += ["Schema:", ""] + [f"- {c.detail} ({c.bump})" for c in t.schema] + [""]
        lines.append(f"Rows: {len(t.added)} added, {len(t.removed)} removed, {len(t.changed)} changed.")
        if t.added:
            lines += ["", "Added: " + ", ".join(_md(k) for k in t.added)]
        if t.removed:
            lines += ["", "Removed (these IDs no longer exist): " + ", ".join(_md(k) for k in t.removed)]
        if t.changed:
            lines += ["", "| record | field | old | new |", "|---|---|---|---|"]
            for r in t.changed:
                lines += [f"| {_md(r.key)} | `{f}` | {_md(o)} | {_md(n)} |" for f, o, n in r.fields]
    if not d.package and all(t.empty for t in d.tables):
        lines += ["", "No changes."]
    return "\n".join(lines) + "\n"


def render_json(d: PackageDiff) -> str:
    return json.dumps(d.to_dict(), indent=2, ensure_ascii=False)


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown}
