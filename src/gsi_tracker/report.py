"""A self-contained HTML report with charts (and a PNG of each), drawn from a package's typed tables."""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .findings import shorten

if TYPE_CHECKING:
    import pandas as pd

    from .package import Package

Tables = dict[str, "pd.DataFrame"]


@dataclass(frozen=True)
class Chart:
    """One chart: a file stem, a title, a caption for people, and the PNG bytes."""

    stem: str
    title: str
    caption: str
    png: bytes


@dataclass(frozen=True)
class Drawn:
    """One chart before it is saved: a file stem, a title, a one-line definition, and the laid-out figure."""

    stem: str
    title: str
    caption: str
    fig: Any


FOCAL_STATE = "CHN"
"""The state the data set is about: it takes part in nearly every event, so the partner chart leaves it out."""

TOP_EVENT_TYPES = 8
"""Event types drawn on their own in the events chart; the rarer ones are summed as "other types"."""

TOP_PARTNERS = 30
"""Partner states shown in the partner chart."""


def _figure(title: str, subtitle: str, height: float = 4.5):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # Cells are drawn as text: `text.parse_math` off, so a `$...$` in a cell is never read as mathtext.
    plt.rcParams.update({"svg.hashsalt": "gsi", "font.size": 9, "text.parse_math": False, "text.usetex": False})
    fig, ax = plt.subplots(figsize=(9, height), dpi=110, layout="constrained")
    fig.suptitle(title, x=0.01, ha="left", fontsize=11, fontweight="bold")
    ax.set_title(subtitle, loc="left", fontsize=8, color="#444444")
    return fig, ax


def _png(fig) -> bytes:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def _empty(ax, text: str = "no rows yet") -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])


def _years(index) -> list[int]:
    """Every year from the first to the last in `index`, so a year without rows is drawn as zero."""
    years = [int(y) for y in index]
    return list(range(min(years), max(years) + 1)) if years else []


def _stacked_years(ax, table: pd.DataFrame, legend_title: str, ylabel: str) -> None:
    """Stacked bars of `table` (one row per year, one column per group) on a continuous year axis, each bar's
    total written above it (a 0 for a year without rows)."""
    from matplotlib.ticker import MaxNLocator

    table = table.reindex(_years(table.index), fill_value=0)
    x = list(table.index)
    bottom = [0.0] * len(x)
    for i, column in enumerate(table.columns):
        values = [float(v) for v in table[column]]
        ax.bar(x, values, bottom=bottom, width=0.8, color=_colour(i), label=str(column))
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    for year, total in zip(x, bottom, strict=True):
        ax.text(year, total, f"{int(total)}", ha="center", va="bottom", fontsize=6, color="#555555")
    ax.set_ylim(0, max(bottom, default=0) * 1.1 + 1)
    ax.set_xlim(x[0] - 0.7, x[-1] + 0.7)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=12))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(title=legend_title, fontsize=7, title_fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))


def _colour(i: int):
    import matplotlib.pyplot as plt

    return plt.get_cmap("tab10")(i % 10)


def events_per_year(t: Tables) -> Drawn:
    """Events per calendar year of their start date, stacked by event type (rare types summed)."""
    events = t["events"].dropna(subset=["start_date"])
    counts = events["event_type"].astype(object).value_counts()
    shown = [str(c) for c in counts.index[:TOP_EVENT_TYPES]]
    rest = [str(c) for c in counts.index[TOP_EVENT_TYPES:]]
    other = f"other types ({len(rest)})"
    kind = events["event_type"].astype(object).where(events["event_type"].astype(object).isin(shown), other)
    table = (
        events.assign(event_year=events["start_date"].dt.year, kind=kind)
        .pivot_table(index="event_year", columns="kind", values="event_id", aggfunc="count", fill_value=0)
        .reindex(columns=[*shown, *([other] if rest else [])], fill_value=0)
    )
    subtitle = f"{len(events)} dated events counted by the year they start in; each bar's total is written above it."
    fig, ax = _figure("Events per year by type", subtitle)
    if table.empty:
        _empty(ax)
    else:
        _stacked_years(ax, table, "event type", "events")
    caption = subtitle + (f" Other types: {', '.join(rest)}." if rest else "")
    return Drawn("timeline", "Events per year by type", caption, fig)


def _pledge_label(row, names: pd.Series) -> str:
    """Pledger, quantity and unit, each cut short enough for a tick label."""
    pledger = shorten(names.get(row.pledger_actor_id, row.pledger_actor_id), 30)
    return f"{pledger}: {int(row.quantity):,} {shorten(row.quantity_unit or '', 34)}".strip()


def pledged_vs_delivered(t: Tables) -> Drawn:
    """Each pledge with a delivered share: the largest linked delivery of the same kind and currency over the
    pledged quantity, coloured by sector, above 100% where more was reported than pledged."""
    c = t["commitments"]
    names = t["actors"].set_index("actor_id")["name"].astype(object)
    pledges = c.dropna(subset=["delivered_share"]).copy()
    sectors = [s for s in c["sector"].cat.categories if (pledges["sector"] == s).any()]
    pledges["order"] = pledges["sector"].astype(object).map({s: i for i, s in enumerate(sectors)})
    pledges = pledges.sort_values(["order", "delivered_share"], ascending=[False, True])
    subtitle = "Delivered share = largest linked delivery of the same kind and currency ÷ pledged quantity."
    fig, ax = _figure("Pledged versus reported delivered", subtitle, height=1.8 + 0.32 * max(len(pledges), 1))
    if pledges.empty:
        _empty(ax, "no pledge has a linked delivery of the same kind and currency yet")
    else:
        shares = [float(s) for s in pledges["delivered_share"]]
        y = list(range(len(pledges)))
        colours = [_colour(sectors.index(s)) for s in pledges["sector"].astype(object)]
        ax.barh(y, shares, color=colours, height=0.7)
        ax.axvline(1.0, color="#333333", linestyle="--", linewidth=1)
        for i, row in enumerate(pledges.itertuples()):
            ax.text(
                shares[i],
                i,
                f"  {shares[i]:.0%} ({int(row.delivered_quantity):,} of {int(row.quantity):,})",
                va="center",
                fontsize=7,
            )
        ax.set_yticks(y, [_pledge_label(r, names) for r in pledges.itertuples()], fontsize=7)
        top = max(max(shares), 1.0)
        ax.set_xlim(0, top * 1.45)
        ax.xaxis.set_major_formatter(lambda v, _pos: f"{v:.0%}")
        ax.set_xlabel("share of the pledged quantity reported delivered (dashed line: 100%)")
        ax.spines[["top", "right"]].set_visible(False)
        from matplotlib.patches import Patch

        ax.legend(
            handles=[Patch(color=_colour(i), label=s) for i, s in enumerate(sectors)],
            title="sector",
            fontsize=7,
            title_fontsize=8,
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
        )
    caption = (
        f"{len(pledges)} pledges that have a linked delivery of the same quantity kind and currency; "
        "delivery figures are mostly the pledger's own claims."
    )
    return Drawn("pledged_vs_delivered", "Pledged versus reported delivered", caption, fig)


def _state_regions(actors: pd.DataFrame) -> pd.Series:
    """ISO3 -> UN M49 region of the actor row carrying that code."""
    rows = actors.dropna(subset=["iso3", "m49_region"]).drop_duplicates("iso3")
    return rows.set_index("iso3")["m49_region"].astype(object)


def states_by_region_year(t: Tables) -> Drawn:
    """Distinct states taking part in events of each year, stacked by the state's UN M49 region."""
    p = t["participants"].dropna(subset=["state_iso3"])
    p = p.merge(t["events"][["event_id", "start_date"]], on="event_id", how="left").dropna(subset=["start_date"])
    regions = _state_regions(t["actors"])
    order = [str(r) for r in t["actors"]["m49_region"].cat.categories]
    unplaced = "no region coded"
    p = p.assign(event_year=p["start_date"].dt.year, m49=p["state_iso3"].astype(object).map(regions).fillna(unplaced))
    table = p.pivot_table(index="event_year", columns="m49", values="state_iso3", aggfunc="nunique", fill_value=0)
    table = table.reindex(columns=[r for r in [*order, unplaced] if r in table.columns])
    subtitle = "Distinct states (through their bodies and officials too) named as participants in events of each year."
    fig, ax = _figure("States taking part per year, by region", subtitle)
    if table.empty:
        _empty(ax)
    else:
        _stacked_years(ax, table, "UN M49 region", "distinct states")
    return Drawn("participants_by_region_year", "States taking part per year, by region", subtitle, fig)


def partner_states(t: Tables) -> Drawn:
    """States other than China by the number of events in which they, their bodies or officials take part."""
    p = t["participants"].dropna(subset=["state_iso3"])
    counts = p.groupby("state_iso3")["event_id"].nunique().sort_values(ascending=False)
    focal = int(counts.get(FOCAL_STATE, 0))
    partners = counts.drop(FOCAL_STATE, errors="ignore")
    shown = partners.head(TOP_PARTNERS).sort_values()
    names = t["actors"].dropna(subset=["iso3"]).drop_duplicates("iso3").set_index("iso3")["name"].astype(object)
    title = f"Partner states (China, in {focal} events, left out)"
    subtitle = (
        f"Events in which a state, one of its bodies or officials takes part; "
        f"top {len(shown)} of {len(partners)} partner states."
    )
    fig, ax = _figure(title, subtitle, height=1.6 + 0.2 * max(len(shown), 1))
    if shown.empty:
        _empty(ax)
    else:
        labels = [shorten(f"{names.get(i, i)} ({i})", 40) or "" for i in shown.index]
        ax.barh(labels, [int(v) for v in shown.values], color=_colour(0))
        for i, v in enumerate(shown.values):
            ax.text(int(v), i, f" {int(v)}", va="center", fontsize=7)
        ax.set_xlim(0, int(shown.max()) * 1.12 + 1)
        ax.set_xlabel("events")
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.tick_params(axis="y", labelsize=7)
        ax.spines[["top", "right"]].set_visible(False)
    return Drawn("countries", title, subtitle, fig)


def drawn(package: Package) -> list[Drawn]:
    """Every chart of the report as a laid-out figure (the caller closes them)."""
    from .domain import typed_tables

    t = typed_tables(package)
    builders: list[Callable[[], Drawn]] = [
        lambda: events_per_year(t),
        lambda: pledged_vs_delivered(t),
        lambda: states_by_region_year(t),
        lambda: partner_states(t),
    ]
    out = []
    for b in builders:
        d = b()
        d.fig.canvas.draw()
        out.append(d)
    return out


def charts(package: Package) -> list[Chart]:
    return [Chart(d.stem, d.title, d.caption, _png(d.fig)) for d in drawn(package)]


def render_html(package: Package, chart_list: list[Chart]) -> str:
    title = html.escape(f"{package.descriptor.get('title', 'gsi-tracker')}, version {package.version}")
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{title}</title>",
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#222}"
        "figure{margin:2em 0}img{max-width:100%;border:1px solid #ddd}figcaption{color:#555}</style>",
        f"</head><body><h1>{title}</h1>",
        f"<p>{html.escape(package.descriptor.get('description', ''))}</p>",
    ]
    for c in chart_list:
        data = base64.b64encode(c.png).decode("ascii")
        parts.append(
            f"<figure id='{c.stem}' class='chart'><h2>{html.escape(c.title)}</h2>"
            f"<img alt='{html.escape(c.title)}' src='data:image/png;base64,{data}'>"
            f"<figcaption>{html.escape(c.caption)}</figcaption></figure>"
        )
    parts.append("</body></html>\n")
    return "\n".join(parts)


def write_report(package: Package, out: Path) -> list[Path]:
    """Write report.html and one PNG per chart into `out` (built in a temporary folder, then moved in)."""
    import shutil
    import tempfile

    chart_list = charts(package)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out) as tmp:
        tmpdir = Path(tmp)
        names = [f"{c.stem}.png" for c in chart_list] + ["report.html"]
        for c in chart_list:
            (tmpdir / f"{c.stem}.png").write_bytes(c.png)
        (tmpdir / "report.html").write_text(render_html(package, chart_list), encoding="utf-8")
        for name in names:
            shutil.move(str(tmpdir / name), out / name)
    return [out / n for n in names]
