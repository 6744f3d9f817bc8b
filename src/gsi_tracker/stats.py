"""Coverage figures: how much the package holds, over which years, regions and kinds, and how well it is sourced."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .domain import MIDDLE_EAST, MIDDLE_EAST_WORDS, pledge_link, region_of, typed_tables

if TYPE_CHECKING:
    import pandas as pd

    from .package import Package


@dataclass
class Coverage:
    """Counts and shares; every mapping is ordered for printing."""

    rows: dict[str, int]
    events_by_year: dict[str, int]
    events_by_type: dict[str, int]
    events_by_region: dict[str, int]
    participants_by_region: dict[str, int]
    distinct_participant_actors: int
    distinct_states: int
    multi_sourced: dict[str, tuple[int, int]]
    pledges_with_delivery: tuple[int, int]
    events_involving_region: dict[str, int]
    events_involving_middle_east: int
    events_without_participants: int
    deliveries_linked: tuple[int, int]
    gsi_named: tuple[int, int]
    prc_official_only: dict[str, tuple[int, int]]

    def to_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        return asdict(self)


def _counts(series: pd.Series) -> dict[str, int]:
    counts = series.dropna().astype(str).value_counts()
    return {k: int(counts[k]) for k in sorted(counts.index)}


def coverage(package: Package) -> Coverage:
    """Compute the coverage figures of a package from its typed tables."""
    t = typed_tables(package)
    events, actors, participants = t["events"], t["actors"], t["participants"]
    commitments = t["commitments"]

    region = region_of(actors)
    iso_region = actors.dropna(subset=["iso3"]).set_index("iso3")["m49_region"].astype(object)
    import pandas as pd

    multi: dict[str, tuple[int, int]] = {}
    official: dict[str, tuple[int, int]] = {}
    for table in ("events", "commitments", "participants", "figures"):
        if table in t and "origin_count" in t[table]:
            frame = t[table]
            multi[table] = (int(frame["origin_count"].fillna(0).ge(2).sum()), int(len(frame)))
            official[table] = (int(frame["prc_official_only"].fillna(False).astype(bool).sum()), int(len(frame)))

    link, is_pledge = pledge_link(commitments, package.schema("commitments"))
    pledges = commitments.loc[is_pledge, "commitment_id"]
    with_delivery = (int(pledges.isin(set(commitments[link].dropna())).sum()), int(len(pledges)))

    named = participants["actor_id"].astype(object)
    involved = events[["event_id"]].assign(iso=events["country_iso3"].astype(object))
    by_state = participants[["event_id"]].assign(iso=participants["state_iso3"].astype(object))
    pairs = pd.concat([involved, by_state]).dropna()
    middle_east = int(pairs.loc[pairs["iso"].isin(MIDDLE_EAST), "event_id"].nunique())
    pairs = pairs.assign(m49=pairs["iso"].map(iso_region)).dropna().drop_duplicates(["event_id", "m49"])
    deliveries = commitments.loc[~is_pledge]
    return Coverage(
        rows={name: int(len(frame)) for name, frame in t.items()},
        events_by_year=_counts(events["start_date"].dt.year.astype("Int64")),
        events_by_type=_counts(events["event_type"]),
        events_by_region=_counts(events["country_iso3"].astype(object).map(iso_region)),
        participants_by_region=_counts(participants["actor_id"].astype(object).map(region)),
        distinct_participant_actors=int(named.nunique()),
        distinct_states=int(participants["state_iso3"].dropna().nunique()),
        multi_sourced=multi,
        pledges_with_delivery=with_delivery,
        events_involving_region=_counts(pairs["m49"]),
        events_involving_middle_east=middle_east,
        events_without_participants=int((~events["event_id"].isin(set(participants["event_id"]))).sum()),
        deliveries_linked=(int(deliveries[link].notna().sum()), int(len(deliveries))),
        gsi_named=(int(events["gsi_named"].fillna(False).astype(bool).sum()), int(len(events))),
        prc_official_only=official,
    )


def _share(pair: tuple[int, int]) -> str:
    n, d = pair
    return f"{n} of {d} ({100 * n / d:.0f}%)" if d else "0 of 0"


def render_text(c: Coverage) -> str:
    lines = ["Rows per table:"] + [f"  {k:<14}{v:>6}" for k, v in c.rows.items()]
    for title, mapping in (
        ("Events per year:", c.events_by_year),
        ("Events per type:", c.events_by_type),
        ("Events per region (UN M49, by place):", c.events_by_region),
        ("Participant rows per region (UN M49, by actor):", c.participants_by_region),
    ):
        lines += ["", title] + [f"  {k:<22}{v:>6}" for k, v in mapping.items()]
    lines += ["", "Events involving a region (by place, or by a participant's state):"]
    lines += [f"  {k:<22}{v:>6}" for k, v in c.events_involving_region.items()]
    lines += [f"  {'middle east':<22}{c.events_involving_middle_east:>6}  ({MIDDLE_EAST_WORDS})"]
    lines += [
        "",
        f"Distinct actors named as participants: {c.distinct_participant_actors}; states or territories taking part "
        f"(a participant counts for the state it belongs to through its parents): {c.distinct_states}",
        "Rows with two or more independent origins (outlets that wrote the texts; copies of one wire count once;"
        " context-only citations left out):",
    ]
    lines += [f"  {k:<14}{_share(v)}" for k, v in c.multi_sourced.items()]
    lines.append("Rows whose every origin is a PRC government body or state outlet:")
    lines += [f"  {k:<14}{_share(v)}" for k, v in c.prc_official_only.items()]
    lines.append(f"Pledges with a linked delivery: {_share(c.pledges_with_delivery)}")
    lines.append(f"Deliveries linked to a pledge (the rest say why not in their notes): {_share(c.deliveries_linked)}")
    lines.append(f"Events whose cited excerpts name the GSI: {_share(c.gsi_named)}")
    return "\n".join(lines)


def render_markdown(c: Coverage) -> str:
    """The headline figures as a Markdown table and two lines, for the README and release notes."""
    types = ", ".join(f"{k} {v}" for k, v in sorted(c.events_by_type.items(), key=lambda kv: -kv[1]))
    regions = ", ".join(f"{k} {v}" for k, v in c.participants_by_region.items())
    years = [int(y) for y in c.events_by_year]
    lines = ["| table | rows |", "|---|---:|"] + [f"| `{k}` | {v:,} |" for k, v in c.rows.items()]
    lines += [
        "",
        f"- Events from {min(years, default='-')} to {max(years, default='-')}, by type: {types}.",
        f"- {c.distinct_participant_actors} distinct actors named as participants; {c.distinct_states} states or "
        f"territories take part (a participant counts for the state it belongs to through its parents); participant "
        f"rows by UN M49 region of the actor: {regions}.",
        "- Events involving a region (by place, or by a participant's state): "
        + ", ".join(f"{k} {v}" for k, v in c.events_involving_region.items())
        + f"; the Middle East {c.events_involving_middle_east} ({MIDDLE_EAST_WORDS}).",
        "- Rows with two or more independent origins (the outlets that wrote the texts; two copies of one wire "
        "count once; citations of texts that do not report the row, such as previews, are left out): "
        + "; ".join(f"{k} {_share(v)}" for k, v in c.multi_sourced.items())
        + ".",
        "- Rows resting only on PRC government bodies or state outlets: "
        + "; ".join(f"{k} {_share(v)}" for k, v in c.prc_official_only.items())
        + ".",
        f"- Pledges with a delivery linked to them: {_share(c.pledges_with_delivery)}; deliveries linked to a pledge: "
        f"{_share(c.deliveries_linked)} (each other delivery says why in its notes).",
        f"- Events whose cited excerpts name the Global Security Initiative: {_share(c.gsi_named)}.",
    ]
    return "\n".join(lines)


def render_gaps(c: Coverage) -> str:
    """Where the tables are thin, from the same figures, as Markdown bullets for the datasheet."""
    years = {int(y): n for y, n in c.events_by_year.items()}
    span = range(min(years, default=0), max(years, default=-1) + 1)
    empty = ", ".join(str(y) for y in span if not years.get(y))
    thin = ", ".join(f"{y} ({years[y]})" for y in span if 0 < years.get(y, 0) < 10)
    regions = ", ".join(f"{k} {v}" for k, v in c.events_involving_region.items())
    n_events = c.rows.get("events", 0)
    single = (n_events - c.multi_sourced["events"][0], n_events) if "events" in c.multi_sourced else (0, 0)
    lines = [
        f"- **Years.** {f'No event in {empty}' if empty else 'Every year has an event'}; fewer than ten in "
        f"{thin or 'no year'}.",
        f"- **Regions.** Events involving a region (by place, or by a participant's state): {regions}; the Middle "
        f"East ({MIDDLE_EAST_WORDS}) {c.events_involving_middle_east}. Most events involve China, so Asia counts "
        "nearly all of them.",
        "- **Independence.** Events resting on fewer than two independent origins (one, or none where every "
        f"citation is context-only): {_share(single)}; events whose every origin is a "
        f"PRC government body or state outlet: {_share(c.prc_official_only.get('events', (0, 0)))}.",
        f"- **Participants.** Events with no participant row (no source read names one): "
        f"{_share((c.events_without_participants, n_events))}.",
        f"- **Pledged and delivered.** Pledges with no linked delivery: "
        f"{_share((c.pledges_with_delivery[1] - c.pledges_with_delivery[0], c.pledges_with_delivery[1]))}; "
        f"deliveries not linked to a pledge: "
        f"{_share((c.deliveries_linked[1] - c.deliveries_linked[0], c.deliveries_linked[1]))} (each says why in its "
        "notes: most donations are reported at their handover with no earlier pledge).",
    ]
    return "\n".join(lines)
