"""Columns computed from the hand-coded ones, added to typed tables at build and load time.

A derived field is declared in its Table Schema with `"x-gsi": {"derived": {KIND: {...}}}`; it is never typed into
`seeds/`. This module reads those declarations and computes the columns from the other columns alone, so a release
can always be checked against its own hand-coded data. The kinds:

- `ancestor`: follow a foreign key into another table, then its parent field upwards, to the first row that meets
  `where`, and take its `value` (a participant's state through its actor's parents);
- `root`: the top of a parent chain within the table (the event itself when it has no parent);
- `rank`: the running number of a row among the rows sharing `groupBy`, ordered by `orderBy`;
- `linkedMax`: for rows meeting `where`, the largest `value` among the rows whose `link` points at them and that
  agree on every `match` field (the largest delivery of the same kind and currency linked to a pledge);
- `ratio`: one column divided by another (missing where either is missing or the divisor is 0);
- `citationCount`: how many distinct `sources`, or distinct `origins` of those sources, cite the row;
- `originsAll`: whether every origin of the sources citing the row has the named boolean field true.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

Schemas = Mapping[str, Mapping[str, Any]]


def derived_fields(schema: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Field name -> its `derived` declaration, in declared order."""
    return {f["name"]: f["x-gsi"]["derived"] for f in schema.get("fields", []) if (f.get("x-gsi") or {}).get("derived")}


def _primary_key(schema: Mapping[str, Any]) -> str:
    key = schema.get("primaryKey")
    return str(key[0] if isinstance(key, list) else key)


def _meets(frame: pd.DataFrame, where: Mapping[str, list[str]]) -> pd.Series:
    mask = None
    for field, values in where.items():
        m = frame[field].astype("string").isin(values).fillna(False).astype(bool)
        mask = m if mask is None else (mask & m)
    import pandas as pd

    return mask if mask is not None else pd.Series(True, index=frame.index)


def _ancestor(frame: pd.DataFrame, spec: Mapping[str, Any], tables: Mapping[str, pd.DataFrame], schemas: Schemas):
    import pandas as pd

    other = tables[spec["resource"]]
    key = _primary_key(schemas[spec["resource"]])
    parent = {k: p for k, p in zip(other[key], other[spec["parent"]], strict=True) if not pd.isna(p)}
    meets = dict(zip(other[key], _meets(other, spec["where"]), strict=True))
    value = dict(zip(other[key], other[spec["value"]], strict=True))
    found: dict[Any, Any] = {}
    for start in other[key]:
        node, seen, hit = start, set(), pd.NA
        while isinstance(node, str) and node not in seen:
            seen.add(node)
            if meets.get(node):
                hit = value.get(node, pd.NA)
                break
            node = parent.get(node)
        found[start] = hit
    return [found.get(v, pd.NA) for v in frame[spec["from"]]]


def _root(frame: pd.DataFrame, spec: Mapping[str, Any], key: str):
    import pandas as pd

    parent = {k: p for k, p in zip(frame[key], frame[spec["parent"]], strict=True) if not pd.isna(p)}
    out = []
    for start in frame[key]:
        node, seen = start, set()
        while isinstance(parent.get(node), str) and node not in seen:
            seen.add(node)
            node = parent[node]
        out.append(node)
    return out


def _rank(frame: pd.DataFrame, spec: Mapping[str, Any]):
    import pandas as pd

    group = spec["groupBy"]
    out = pd.Series(pd.NA, index=frame.index, dtype="Int64")
    members = frame[frame[group].notna()]
    ordered = members.sort_values([group, *spec["orderBy"]], kind="mergesort")
    ranks = ordered.groupby(group, observed=True, sort=False).cumcount() + 1
    out.loc[ranks.index] = ranks.astype("Int64")
    return out


def _linked_max(frame: pd.DataFrame, spec: Mapping[str, Any], key: str):
    import pandas as pd

    link, value, match = spec["link"], spec["value"], list(spec.get("match", []))

    def sig(row_index) -> tuple:
        return tuple("" if pd.isna(frame.at[row_index, f]) else str(frame.at[row_index, f]) for f in match)

    best: dict[tuple, Any] = {}
    for idx in frame.index[frame[link].notna() & frame[value].notna()]:
        k = (frame.at[idx, link], *sig(idx))
        best[k] = max(best.get(k, frame.at[idx, value]), frame.at[idx, value])
    out = pd.Series(pd.NA, index=frame.index, dtype="object")
    targets = _meets(frame, spec.get("where", {}))
    for idx in frame.index[targets]:
        got = best.get((frame.at[idx, key], *sig(idx)))
        if got is not None:
            out.at[idx] = got
    return out


def _ratio(frame: pd.DataFrame, spec: Mapping[str, Any]):
    import pandas as pd

    num = pd.to_numeric(frame[spec["numerator"]], errors="coerce").astype("Float64")
    den = pd.to_numeric(frame[spec["denominator"]], errors="coerce").astype("Float64")
    return (num / den.where(den != 0)).astype("Float64")


def _citing(table: str, frame: pd.DataFrame, key: str, tables: Mapping[str, pd.DataFrame], schemas: Schemas):
    """(row id -> set of citing source ids, source id -> origin id, origin table name, origin frame); citations
    declared context-only are left out."""
    import pandas as pd

    for name, schema in schemas.items():
        ref = (schema.get("x-gsi") or {}).get("recordReference")
        if ref and name in tables:
            citing_name, ref_spec = name, ref
            break
    else:
        raise KeyError("no table declares x-gsi recordReference, so citation counts cannot be derived")
    citing = tables[citing_name]
    fk_source = next(
        fk for fk in schemas[citing_name].get("foreignKeys", []) if (fk.get("reference") or {}).get("resource")
    )
    source_table = fk_source["reference"]["resource"]
    source_field = fk_source["fields"][0]
    rows = citing[citing[ref_spec["tableField"]].astype("string") == table]
    context = ref_spec.get("contextField")
    if context in rows:
        from .codec import TRUE_VALUES

        field = next(f for f in schemas[citing_name]["fields"] if f["name"] == context)
        true = set(field.get("trueValues") or TRUE_VALUES)

        def flagged(v: Any) -> bool:
            return v in true if isinstance(v, str) else not pd.isna(v) and bool(v)

        rows = rows[~rows[context].map(flagged).astype(bool)]
    by_record: dict[Any, set] = {}
    for rid, sid in zip(rows[ref_spec["idField"]], rows[source_field], strict=True):
        by_record.setdefault(rid, set()).add(sid)
    sources = tables[source_table]
    source_key = _primary_key(schemas[source_table])
    fk_origin = next(
        fk for fk in schemas[source_table].get("foreignKeys", []) if (fk.get("reference") or {}).get("resource")
    )
    origin_of = {
        s: o for s, o in zip(sources[source_key], sources[fk_origin["fields"][0]], strict=True) if not pd.isna(o)
    }
    origin_table = fk_origin["reference"]["resource"]
    return by_record, origin_of, origin_table, tables[origin_table]


def _citation_column(kind: str, spec: Any, table: str, frame: pd.DataFrame, key: str, tables, schemas: Schemas):
    import pandas as pd

    by_record, origin_of, origin_table, origins = _citing(table, frame, key, tables, schemas)
    if kind == "citationCount":
        if spec == "sources":
            return [len(by_record.get(r, ())) for r in frame[key]]
        return [len({origin_of[s] for s in by_record.get(r, ()) if s in origin_of}) for r in frame[key]]
    flag = dict(zip(origins[_primary_key(schemas[origin_table])], origins[spec], strict=True))
    out = []
    for r in frame[key]:
        os_ = {origin_of[s] for s in by_record.get(r, ()) if s in origin_of}
        out.append(all(bool(flag.get(o)) is True for o in os_) if os_ else pd.NA)
    return out


def derive(tables: Mapping[str, pd.DataFrame], schemas: Schemas) -> dict[str, pd.DataFrame]:
    """Every table with its declared derived columns computed afresh, cast to their declared dtypes, in declared
    order. Tables without derived fields are returned as they are."""
    import pandas as pd

    from . import schema as sch

    out = dict(tables)
    for table, schema in schemas.items():
        declared = derived_fields(schema)
        if not declared or table not in tables:
            continue
        frame = tables[table].copy()
        key = _primary_key(schema)
        for name, decl in declared.items():
            (kind, spec), *_ = decl.items()
            if kind == "ancestor":
                values = _ancestor(frame, spec, tables, schemas)
            elif kind == "root":
                values = _root(frame, spec, key)
            elif kind == "rank":
                values = _rank(frame, spec)
            elif kind == "linkedMax":
                values = _linked_max(frame, spec, key)
            elif kind == "ratio":
                values = _ratio(frame, spec)
            elif kind in ("citationCount", "originsAll"):
                values = _citation_column(kind, spec, table, frame, key, tables, schemas)
            else:
                raise KeyError(f"{table}.{name}: unknown derived kind {kind!r}")
            field = next(f for f in sch.fields(schema) if f.name == name)
            frame[name] = pd.Series(values, index=frame.index, dtype="object").astype(sch.pandas_dtype(field))
        out[table] = frame[[f["name"] for f in schema["fields"] if f["name"] in frame.columns]]
    return out
