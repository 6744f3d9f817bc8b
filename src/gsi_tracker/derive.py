"""Columns computed from the hand-coded ones, added to typed tables at build and load time.

They are declared in the schemas with `"x-gsi": {"derived": true}`, never typed into `seeds/`, and recomputed
here from the other columns alone, so a release can always be checked against its own hand-coded data:

- participants `state_iso3`: the state or territory an actor belongs to, found by walking `parent_actor_id`;
- events `root_event_id`: the top of the `parent_event_id` chain (the event itself when it has no parent), and
  `series_number`: the event's running number among this data set's events of its series, by start date;
- commitments `delivered_quantity` and `delivered_share`: for a pledge with a quantity, the largest quantity among
  the deliveries linked to it that count the same kind (and, for money, the same currency), and that quantity
  divided by the pledge's;
- every cited table: `source_count` (distinct sources citing the row), `origin_count` (distinct outlets those
  sources come from) and `prc_official_only` (every origin is a PRC government body or state outlet).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

STATE_TYPES = ("state", "territory")


def _walk_to_top(ids: pd.Series, parent: dict[str, Any]) -> list[Any]:
    """For each id, the last id reached by following `parent` (cycles stop where they would repeat)."""
    out = []
    for start in ids:
        node, seen = start, set()
        while isinstance(parent.get(node), str) and node not in seen:
            seen.add(node)
            node = parent[node]
        out.append(node)
    return out


def state_of_actors(actors: pd.DataFrame) -> dict[str, str | None]:
    """actor_id -> ISO 3166 alpha-3 of the state or territory it belongs to (None for none)."""
    import pandas as pd

    parent = {a: p for a, p in zip(actors["actor_id"], actors["parent_actor_id"], strict=True) if not pd.isna(p)}
    kind = dict(zip(actors["actor_id"], actors["actor_type"].astype("string"), strict=True))
    iso = dict(zip(actors["actor_id"], actors["iso3"], strict=True))
    result: dict[str, str | None] = {}
    for actor in actors["actor_id"]:
        node, seen, found = actor, set(), None
        while isinstance(node, str) and node not in seen:
            seen.add(node)
            if kind.get(node) in STATE_TYPES:
                found = None if pd.isna(iso.get(node)) else str(iso[node])
                break
            node = parent.get(node)
        result[actor] = found
    return result


def participants_state(participants: pd.DataFrame, actors: pd.DataFrame) -> pd.Series:
    import pandas as pd

    states = state_of_actors(actors)
    return pd.Series([states.get(a) for a in participants["actor_id"]], index=participants.index, dtype="string")


def events_root(events: pd.DataFrame) -> pd.Series:
    import pandas as pd

    parent = {e: p for e, p in zip(events["event_id"], events["parent_event_id"], strict=True) if not pd.isna(p)}
    return pd.Series(_walk_to_top(events["event_id"], parent), index=events.index, dtype="string")


def events_series_number(events: pd.DataFrame) -> pd.Series:
    import pandas as pd

    out = pd.Series(pd.NA, index=events.index, dtype="Int64")
    in_series = events[events["series_id"].notna()]
    ordered = in_series.sort_values(["series_id", "start_date", "event_id"], kind="mergesort")
    ranks = ordered.groupby("series_id", observed=True).cumcount() + 1
    out.loc[ranks.index] = ranks.astype("Int64")
    return out


def commitments_delivered(commitments: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """(delivered_quantity, delivered_share) for each pledge; missing for deliveries and unmatched pledges."""
    import pandas as pd

    c = commitments
    kind = c["quantity_kind"].astype("string")
    currency = c["currency"].astype("string").fillna("")
    deliveries = c[(c["record_kind"].astype("string") == "delivery") & c["pledge_commitment_id"].notna()]
    deliveries = deliveries[deliveries["quantity"].notna()]
    best: dict[tuple[str, str, str], int] = {}
    for pid, k, cur, q in zip(
        deliveries["pledge_commitment_id"],
        kind.loc[deliveries.index],
        currency.loc[deliveries.index],
        deliveries["quantity"],
        strict=True,
    ):
        if pd.isna(k):
            continue
        key = (str(pid), str(k), str(cur))
        best[key] = max(best.get(key, 0), int(q))
    quantity = pd.Series(pd.NA, index=c.index, dtype="Int64")
    share = pd.Series(pd.NA, index=c.index, dtype="Float64")
    pledges = c[(c["record_kind"].astype("string") == "pledge") & c["quantity"].notna() & kind.notna()]
    for idx, cid, k, cur, q in zip(
        pledges.index,
        pledges["commitment_id"],
        kind.loc[pledges.index],
        currency.loc[pledges.index],
        pledges["quantity"],
        strict=True,
    ):
        got = best.get((str(cid), str(k), str(cur)))
        if got is not None:
            quantity.loc[idx] = got
            if int(q) > 0:
                share.loc[idx] = got / int(q)
    return quantity, share


def citation_counts(
    table: str, frame: pd.DataFrame, id_field: str, citations: pd.DataFrame, sources: pd.DataFrame, outlets: pd.DataFrame
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(source_count, origin_count, prc_official_only) for each row of a cited table."""
    import pandas as pd

    cites = citations[citations["record_table"].astype("string") == table][["record_id", "source_id"]]
    origin = dict(zip(sources["source_id"], sources["origin_id"], strict=True))
    official = dict(zip(outlets["outlet_id"], outlets["prc_official"], strict=True))
    by_record: dict[str, set[str]] = {}
    for rid, sid in zip(cites["record_id"], cites["source_id"], strict=True):
        by_record.setdefault(rid, set()).add(sid)
    src_n, org_n, prc = [], [], []
    for rid in frame[id_field]:
        srcs = by_record.get(rid, set())
        origins = {origin[s] for s in srcs if s in origin and not pd.isna(origin[s])}
        src_n.append(len(srcs))
        org_n.append(len(origins))
        prc.append(bool(origins) and all(bool(official.get(o)) is True for o in origins) if origins else pd.NA)
    idx = frame.index
    return (
        pd.Series(src_n, index=idx, dtype="Int64"),
        pd.Series(org_n, index=idx, dtype="Int64"),
        pd.Series(prc, index=idx, dtype="boolean"),
    )


def derive(tables: dict[str, pd.DataFrame], derived: dict[str, list[str]]) -> dict[str, pd.DataFrame]:
    """The tables with the derived columns each schema declares, computed afresh and in declared position.

    `derived` maps a table to the names of its derived fields; a derived field this module does not know raises
    KeyError (a schema that declares a computation the code lacks is a programming error, not a data error).
    """
    out = dict(tables)
    t = {name: frame.copy() for name, frame in tables.items()}
    cited = {"events": "event_id", "commitments": "commitment_id", "participants": "participant_id", "figures": "figure_id"}
    for table, names in derived.items():
        if not names or table not in t:
            continue
        frame = t[table]
        for name in names:
            if table == "participants" and name == "state_iso3":
                frame[name] = participants_state(frame, t["actors"])
            elif table == "events" and name == "root_event_id":
                frame[name] = events_root(frame)
            elif table == "events" and name == "series_number":
                frame[name] = events_series_number(frame)
            elif table == "commitments" and name in ("delivered_quantity", "delivered_share"):
                quantity, share = commitments_delivered(frame)
                frame["delivered_quantity" if name == "delivered_quantity" else "delivered_share"] = (
                    quantity if name == "delivered_quantity" else share
                )
            elif table in cited and name in ("source_count", "origin_count", "prc_official_only"):
                counts = citation_counts(table, frame, cited[table], t["citations"], t["sources"], t["outlets"])
                frame[name] = counts[("source_count", "origin_count", "prc_official_only").index(name)]
            else:
                raise KeyError(f"{table}.{name} is declared derived but no computation is defined for it")
        out[table] = frame
    return out
