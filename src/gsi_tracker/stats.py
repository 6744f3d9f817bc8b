"""Coverage figures: how much the package holds, over which years, regions and kinds, and how well it is sourced."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import schema as sch
from .domain import pledge_link, region_of, typed_tables

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
    commitments, citations, sources = t["commitments"], t["citations"], t["sources"]

    region = region_of(actors)
    iso_region = actors.dropna(subset=["iso3"]).set_index("iso3")["m49_region"].astype(object)
    state_ids = set(actors.dropna(subset=["iso3"])["actor_id"])

    publisher = citations["source_id"].map(sources.set_index("source_id")["publisher"])
    cited = citations.assign(publisher=publisher)
    multi = {}
    for table in ("events", "commitments", "participants"):
        pk = sch.primary_key(package.schema(table))[0]
        per_record = cited[cited["record_table"] == table].groupby("record_id", observed=True)["publisher"].nunique()
        ids = t[table][pk]
        multi[table] = (int(ids.map(per_record).fillna(0).ge(2).sum()), int(len(ids)))

    link, is_pledge = pledge_link(commitments, package.schema("commitments"))
    pledges = commitments.loc[is_pledge, "commitment_id"]
    with_delivery = (int(pledges.isin(set(commitments[link].dropna())).sum()), int(len(pledges)))

    named = participants["actor_id"].astype(object)
    return Coverage(
        rows={name: int(len(frame)) for name, frame in t.items()},
        events_by_year=_counts(events["start_date"].dt.year.astype("Int64")),
        events_by_type=_counts(events["event_type"]),
        events_by_region=_counts(events["country_iso3"].astype(object).map(iso_region)),
        participants_by_region=_counts(participants["actor_id"].astype(object).map(region)),
        distinct_participant_actors=int(named.nunique()),
        distinct_states=int(named[named.isin(state_ids)].nunique()),
        multi_sourced=multi,
        pledges_with_delivery=with_delivery,
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
    lines += [
        "",
        f"Distinct actors named as participants: {c.distinct_participant_actors} "
        f"({c.distinct_states} states or territories)",
        "Rows with two or more independent sources (distinct publishers):",
    ]
    lines += [f"  {k:<14}{_share(v)}" for k, v in c.multi_sourced.items()]
    lines.append(f"Pledges with a reported delivery: {_share(c.pledges_with_delivery)}")
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
        f"- {c.distinct_participant_actors} distinct actors named as participants, {c.distinct_states} of them states "
        f"or territories; participant rows by UN M49 region of the actor: {regions}.",
        "- Rows with two or more independent sources (distinct publishers): "
        + "; ".join(f"{k} {_share(v)}" for k, v in c.multi_sourced.items())
        + ".",
        f"- Pledges with a reported delivery linked to them: {_share(c.pledges_with_delivery)}.",
    ]
    return "\n".join(lines)
