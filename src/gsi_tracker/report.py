"""A self-contained HTML report with charts (and a PNG of each), drawn from a package's typed tables."""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

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


def _figure(height: float = 4.5):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.hashsalt": "gsi", "font.size": 9})
    fig, ax = plt.subplots(figsize=(9, height), dpi=110)
    return plt, fig, ax


def _png(plt, fig) -> bytes:
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def _empty(ax, text: str = "no rows yet") -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes)
    ax.set_axis_off()


def timeline(t: Tables, exact_precisions: list[str]) -> Chart:
    """Events over time, one row of points per event type."""
    plt, fig, ax = _figure()
    events = t["events"].dropna(subset=["start_date"])
    types = [c for c in events["event_type"].cat.categories if (events["event_type"] == c).any()]
    if events.empty:
        _empty(ax)
    exact = events["date_precision"].isin(exact_precisions)
    for i, kind in enumerate(types):
        for known, sel in ((True, events[(events["event_type"] == kind) & exact]),
                           (False, events[(events["event_type"] == kind) & ~exact])):
            ax.scatter(sel["start_date"], [i] * len(sel), s=30, alpha=0.8, color=f"C{i % 10}",
                       facecolors=None if known else "none")
    ax.set_yticks(range(len(types)), types)
    ax.set_xlabel("start date")
    ax.grid(axis="x", alpha=0.3)
    return Chart("timeline", "Events by type over time", f"{len(events)} events, one dot each; a hollow dot is dated only to the month or year.", _png(plt, fig))


def pledged_vs_delivered(t: Tables, link: str, is_pledge: "pd.Series") -> Chart:
    """Each pledge with a quantity beside the largest delivery figure reported against it."""
    import numpy as np

    plt, fig, ax = _figure(height=5)
    c = t["commitments"]
    reported = c.dropna(subset=[link, "quantity"]).groupby(link, observed=True)["quantity"].max()
    pledges = c[is_pledge].dropna(subset=["quantity"])
    if pledges.empty:
        _empty(ax, "no pledges with a quantity yet")
    else:
        pledges = pledges.sort_values("quantity")
        y = np.arange(len(pledges))
        done = pledges["commitment_id"].map(reported).astype("Float64").fillna(0).astype(float)
        bars = ax.barh(y + 0.2, pledges["quantity"].astype(float), height=0.4, label="pledged")
        ax.bar_label(bars, fmt="{:,.0f}", padding=3, fontsize=7)
        bars = ax.barh(y - 0.2, done, height=0.4, label="reported delivered (largest figure)")
        ax.bar_label(bars, labels=[f"{v:,.0f}" if v else "none reported" for v in done], padding=3, fontsize=7)
        labels = [f"{cid} ({unit})" for cid, unit in zip(pledges["commitment_id"], pledges["quantity_unit"].fillna(""))]
        ax.set_yticks(y, labels, fontsize=7)
        ax.margins(x=0.15)
        ax.legend(loc="lower right")
    caption = "Quantities as the sources give them; units differ between pledges, so compare each pair, not rows."
    return Chart("pledged_vs_delivered", "Pledged versus reported delivered", caption, _png(plt, fig))


def participants_by_region_year(t: Tables, region: "pd.Series") -> Chart:
    """Participant rows per year of the event, stacked by the participant's UN M49 region."""
    plt, fig, ax = _figure()
    p = t["participants"].merge(t["events"][["event_id", "start_date"]], on="event_id", how="left")
    p["event_year"] = p["start_date"].dt.year
    p["m49"] = p["actor_id"].astype(object).map(region).fillna("organisation or unplaced")
    table = p.dropna(subset=["event_year"]).pivot_table(
        index="event_year", columns="m49", values="event_id", aggfunc="count"
    )
    if table.empty:
        _empty(ax)
    else:
        table.fillna(0).plot.bar(stacked=True, ax=ax, width=0.8)
        ax.set_xlabel("year of the event")
        ax.set_ylabel("participant rows")
    return Chart("participants_by_region_year", "Participants by region and year", "Named participants only; "
                 "aggregate attendance figures are in the events table.", _png(plt, fig))


def countries(t: Tables) -> Chart:
    """States and territories by the number of events they are named in."""
    plt, fig, ax = _figure(height=6)
    actors = t["actors"].dropna(subset=["iso3"])
    p = t["participants"][t["participants"]["actor_id"].isin(actors["actor_id"])]
    counts = p.groupby("actor_id", observed=True)["event_id"].nunique().sort_values().tail(40)
    if counts.empty:
        _empty(ax)
    else:
        names = counts.index.map(actors.set_index("actor_id")["name"])
        ax.barh([f"{n} ({i.upper()})" for n, i in zip(names, counts.index)], counts.values)
        ax.set_xlabel("events in which the state is named")
    return Chart("countries", "Countries involved", f"{p['actor_id'].nunique()} states or territories named; "
                 "the 40 most frequent shown.", _png(plt, fig))


def exact_day_precisions(schema) -> list[str]:
    """Precision values whose declared date shape fixes year, month and day."""
    for f in schema.get("fields", []):
        shapes = f.get("x-gsi", {}).get("dateShapes")
        if shapes:
            return [value for value, shape in shapes.items() if shape == "YYYY-MM-DD"]
    return []


def charts(package: "Package") -> list[Chart]:
    from .stats import pledge_link, region_of
    from .tables import read_table

    t = {name: read_table(package, name) for name in package.tables}
    link, is_pledge = pledge_link(t["commitments"], package.schema("commitments"))
    builders: list[Callable[[], Chart]] = [
        lambda: timeline(t, exact_day_precisions(package.schema("events"))),
        lambda: pledged_vs_delivered(t, link, is_pledge),
        lambda: participants_by_region_year(t, region_of(t["actors"])),
        lambda: countries(t),
    ]
    return [b() for b in builders]


def render_html(package: "Package", chart_list: list[Chart]) -> str:
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


def write_report(package: "Package", out: Path) -> list[Path]:
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
