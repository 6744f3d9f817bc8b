"""Answers to the questions researchers ask first, computed from a loaded Dataset.

Each function takes the Dataset that `load()` returns (with its derived columns) and gives a plain DataFrame or a
record; `Dataset` exposes them as methods. What counts as a pledge is read from the schema (the rows a delivery's
`pledge_commitment_id` may point at), never restated here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from .load import Dataset


def _names(ds: Dataset) -> dict[str, str]:
    return dict(zip(ds.actors["actor_id"], ds.actors["name"], strict=True))


def pledges(ds: Dataset, sector: str | None = None) -> pd.DataFrame:
    """One row per pledge: what was pledged, by whom and when, and the largest linked delivery of the same kind and
    currency with its share of the pledge (`delivered_share` above 1 means more than pledged)."""
    from .domain import pledge_link

    c = ds.commitments
    link, is_pledge = pledge_link(c, ds.schema("commitments"))
    rows = c[is_pledge].copy()
    if sector is not None:
        rows = rows[rows["sector"].astype("string") == sector]
    counts = c[link].value_counts()
    rows["deliveries"] = rows["commitment_id"].map(counts).fillna(0).astype("Int64")
    rows["pledger"] = rows["pledger_actor_id"].map(_names(ds)).astype("string")
    cols = [
        "commitment_id",
        "announced_date",
        "pledger",
        "sector",
        "commitment_type",
        "quantity",
        "quantity_kind",
        "currency",
        "quantity_unit",
        "delivered_quantity",
        "delivered_share",
        "deliveries",
        "status",
        "description",
    ]
    return rows[cols].sort_values(["announced_date", "commitment_id"]).reset_index(drop=True)


def participants_by_state(ds: Dataset, event_id: str | None = None) -> pd.DataFrame:
    """Per event and state: the state's name, its region, how many of its actors took part and in which roles.
    A participant counts for the state it belongs to through its parents (`state_iso3`); international
    organisations, which belong to no state, are left out."""
    p = ds.participants
    if event_id is not None:
        p = p[p["event_id"] == event_id]
    p = p[p["state_iso3"].notna()]
    states = ds.actors[ds.actors["iso3"].notna()].drop_duplicates("iso3").set_index("iso3")
    grouped = (
        p.groupby(["event_id", "state_iso3"], observed=True)
        .agg(actors=("actor_id", "nunique"), roles=("role", lambda r: ", ".join(sorted({str(x) for x in r}))))
        .reset_index()
    )
    grouped["state_name"] = grouped["state_iso3"].map(states["name"]).astype("string")
    grouped["m49_region"] = grouped["state_iso3"].map(states["m49_region"].astype("string")).astype("string")
    ev = ds.events.set_index("event_id")
    grouped["event"] = grouped["event_id"].map(ev["name"]).astype("string")
    grouped["start_date"] = grouped["event_id"].map(ev["start_date"])
    cols = ["event_id", "event", "start_date", "state_iso3", "state_name", "m49_region", "actors", "roles"]
    return grouped[cols].sort_values(["start_date", "event_id", "state_iso3"]).reset_index(drop=True)


def events_per_year(ds: Dataset, by: str = "event_type", gsi_named: bool | None = None) -> pd.DataFrame:
    """Events counted by start year (every year from the first to the last, zeros included) and by the categories
    of `by` (every declared category, zeros included)."""
    import pandas as pd

    e = ds.events
    if gsi_named is not None:
        e = e[e["gsi_named"] == gsi_named]
    years = e["start_date"].dt.year
    if years.empty:
        return pd.DataFrame()
    table = pd.crosstab(years.rename("start_year"), e[by], dropna=False)
    span = range(int(years.min()), int(years.max()) + 1)
    cats = list(e[by].cat.categories) if hasattr(e[by], "cat") else sorted(e[by].dropna().unique())
    return table.reindex(index=span, columns=cats, fill_value=0).rename_axis(columns=by)


@dataclass
class Record:
    """One row of a table, the rows it links to, and the citations that support it with their sources."""

    table: str
    row: dict[str, Any]
    linked: dict[str, pd.DataFrame] = field(default_factory=dict)
    citations: pd.DataFrame | None = None


def find(ds: Dataset, record_id: str) -> Record:
    """The record with this ID in whichever table holds it; KeyError naming the ID when none does."""
    for table in ds:
        declared = ds.schema(table).get("primaryKey")
        key = str(declared[0] if isinstance(declared, list) else declared)
        frame = ds[table]
        hit = frame[frame[key] == record_id]
        if len(hit):
            return _record(ds, table, key, hit.iloc[0])
    raise KeyError(f"no record with ID {record_id!r} in any table")


def _record(ds: Dataset, table: str, key: str, row: pd.Series) -> Record:
    rid = row[key]
    rec = Record(table, {k: (None if _missing(v) else v) for k, v in row.items()})
    _link_other_tables(ds, table, key, row, rec)
    _link_same_table(ds, table, row, rec)
    rec.citations = citations_of(ds, table, rid)
    return rec


def _link_other_tables(ds: Dataset, table: str, key: str, row: pd.Series, rec: Record) -> None:
    """Rows of other tables pointing at this record, and rows this record points at."""
    rid = row[key]
    for other in ds:
        if other == table:
            continue
        for fk in ds.schema(other).get("foreignKeys", []):
            ref = fk.get("reference") or {}
            if ref.get("resource") == table and ref.get("fields", [None])[0] == key:
                hits = ds[other][ds[other][fk["fields"][0]] == rid]
                if len(hits):
                    rec.linked[f"{other} ({fk['fields'][0]})"] = hits
        for fk in ds.schema(table).get("foreignKeys", []):
            ref = fk.get("reference") or {}
            if ref.get("resource") == other and not _missing(row.get(fk["fields"][0])):
                target = ds[other]
                hits = target[target[ref["fields"][0]] == row[fk["fields"][0]]]
                if len(hits):
                    rec.linked[f"{other} ({fk['fields'][0]})"] = hits


def _link_same_table(ds: Dataset, table: str, row: pd.Series, rec: Record) -> None:
    """Rows of the same table this record points at (its parent, its pledge) and rows pointing at it."""
    key = str(next(iter(rec.row)))
    rid = row[key]
    for fk in ds.schema(table).get("foreignKeys", []):
        if not (fk.get("reference") or {}).get("resource"):
            f, target = fk["fields"][0], fk["reference"]["fields"][0]
            if not _missing(row.get(f)):
                rec.linked[f"{table} ({f})"] = ds[table][ds[table][target] == row[f]]
            back = ds[table][ds[table][f] == rid]
            if len(back):
                rec.linked[f"{table} pointing here ({f})"] = back


def _missing(v: Any) -> bool:
    import pandas as pd

    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def citations_of(ds: Dataset, table: str, record_id: str) -> pd.DataFrame:
    """The citations of one record, each with its source's title, publisher, origin, date and URL."""
    c = ds.citations
    c = c[(c["record_table"].astype("string") == table) & (c["record_id"] == record_id)]
    s = ds.sources[["source_id", "title", "publisher", "origin_id", "published_date", "url"]]
    out = c.merge(s, on="source_id", how="left")
    cols = [
        "citation_id",
        "source_id",
        "title",
        "publisher",
        "origin_id",
        "published_date",
        "url",
        "locator",
        "excerpt",
    ]
    return out[cols].reset_index(drop=True)


def render_record(rec: Record) -> str:
    """The record as text: its fields, its linked records by ID, and each citation with its quote."""
    lines = [f"{rec.table}: {next(iter(rec.row.values()))}"]
    width = max(len(k) for k in rec.row)
    for k, v in rec.row.items():
        if v is not None:
            text = v.strftime("%Y-%m-%d") if hasattr(v, "strftime") else str(v)
            lines.append(f"  {k:<{width}}  {text}")
    for name, frame in rec.linked.items():
        ids = ", ".join(str(x) for x in frame.iloc[:, 0].tolist()[:20])
        more = f" (+{len(frame) - 20} more)" if len(frame) > 20 else ""
        lines.append(f"linked {name}: {ids}{more}")
    if rec.citations is not None and len(rec.citations):
        lines.append("citations:")
        for c in rec.citations.itertuples(index=False):
            date = "" if _missing(c.published_date) else f", {c.published_date:%Y-%m-%d}"
            lines.append(f"  [{c.source_id}] {c.title} ({c.publisher}{date})")
            lines.append(f"    {c.url}")
            lines.append(f'    {c.locator}: "{c.excerpt}"')
    return "\n".join(lines)


def record_json(rec: Record) -> dict[str, Any]:
    """The record as JSON-ready data."""
    import json

    def frame(f: pd.DataFrame) -> list[dict[str, Any]]:
        return json.loads(f.to_json(orient="records", date_format="iso"))

    return {
        "table": rec.table,
        "record": json.loads(json.dumps(rec.row, default=str)),
        "linked": {k: frame(v) for k, v in rec.linked.items()},
        "citations": frame(rec.citations) if rec.citations is not None else [],
    }
