"""A self-contained HTML report with charts (and a PNG of each), drawn from a package's typed tables."""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

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


def _figure(height: float = 4.5):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # Cells are drawn as text: `text.parse_math` off, so a `$...$` in a cell is never read as mathtext.
    plt.rcParams.update({"svg.hashsalt": "gsi", "font.size": 9, "text.parse_math": False, "text.usetex": False})
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
        for known, sel in (
            (True, events[(events["event_type"] == kind) & exact]),
            (False, events[(events["event_type"] == kind) & ~exact]),
        ):
            ax.scatter(
                sel["start_date"],
                [i] * len(sel),
                s=30,
                alpha=0.8,
                color=plt.cm.tab20(i % 20),
                facecolors=None if known else "none",
            )
    ax.set_yticks(range(len(types)), types)
    ax.set_xlabel("start date")
    ax.grid(axis="x", alpha=0.3)
    return Chart(
        "timeline",
        "Events by type over time",
        f"{len(events)} events, one dot each; a hollow dot is dated only to the month or year.",
        _png(plt, fig),
    )


def pledged_vs_delivered(t: Tables, link: str, is_pledge: pd.Series) -> Chart:
    """Each pledge with a quantity: the share of it that the largest linked delivery figure reports as done."""
    import pandas as pd

    c = t["commitments"]
    reported = c.dropna(subset=[link, "quantity"]).groupby(link, observed=True)["quantity"].max()
    pledges = c[is_pledge].dropna(subset=["quantity"]).copy()
    pledges["done"] = pledges["commitment_id"].map(reported).astype("Float64")
    pledges["share"] = (pledges["done"] / pledges["quantity"].astype("Float64")).fillna(0).clip(upper=1.0)
    pledges = pledges.sort_values(["share", "quantity"], ascending=[True, True])
    plt, fig, ax = _figure(height=1.2 + 0.3 * max(len(pledges), 1))
    if pledges.empty:
        _empty(ax, "no pledges with a quantity yet")
    else:
        y = range(len(pledges))
        ax.barh(y, [1.0] * len(pledges), color="#dddddd", label="pledged")
        ax.barh(y, pledges["share"].astype(float), color="C1", label="reported delivered (largest linked figure)")
        for i, row in enumerate(pledges.itertuples()):
            done = "none reported" if pd.isna(row.done) else f"{int(row.done):,}"
            ax.text(
                1.02,
                i,
                f"{done} of {int(row.quantity):,} {shorten(row.quantity_unit or '', 40)}",
                va="center",
                fontsize=7,
            )
        ax.set_yticks(list(y), list(pledges["commitment_id"]), fontsize=7)
        ax.set_xlim(0, 2.1)
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0%", "25%", "50%", "75%", "100%"])
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(loc="lower right", fontsize=8)
    caption = (
        "Each bar is one pledge; the orange part is the share that the largest delivery figure linked to it "
        "reports as done, in the pledge's own unit. Delivery figures are mostly the pledger's own claims."
    )
    return Chart("pledged_vs_delivered", "Pledged versus reported delivered", caption, _png(plt, fig))


def participants_by_region_year(t: Tables, region: pd.Series) -> Chart:
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
        ax.legend(title="UN M49 region of the actor", fontsize=8)
        ax.set_xlabel("year of the event")
        ax.set_ylabel("participant rows")
    return Chart(
        "participants_by_region_year",
        "Participants by region and year",
        "Named participants only; aggregate attendance figures are in the events table.",
        _png(plt, fig),
    )


def countries(t: Tables, state_of: pd.Series) -> Chart:
    """States and territories by the number of events in which they, or their bodies and officials, are named."""
    plt, fig, ax = _figure(height=6)
    p = (
        t["participants"]
        .assign(iso3=t["participants"]["actor_id"].astype(object).map(state_of))
        .dropna(subset=["iso3"])
    )
    counts = p.groupby("iso3")["event_id"].nunique().sort_values().tail(40)
    if counts.empty:
        _empty(ax)
    else:
        names = t["actors"].dropna(subset=["iso3"]).drop_duplicates("iso3").set_index("iso3")["name"]
        ax.barh([f"{names.get(i, i)} ({i})" for i in counts.index], counts.values)
        ax.set_xlabel("events in which the state, one of its bodies or officials is named")
    return Chart(
        "countries",
        "Countries involved",
        f"{p['iso3'].nunique()} states or territories named; the 40 most frequent shown.",
        _png(plt, fig),
    )


def exact_day_precisions(schema) -> list[str]:
    """Precision values whose declared date shape fixes year, month and day."""
    for f in schema.get("fields", []):
        shapes = f.get("x-gsi", {}).get("dateShapes")
        if shapes:
            return [value for value, shape in shapes.items() if shape == "YYYY-MM-DD"]
    return []


def charts(package: Package) -> list[Chart]:
    from .domain import inherited, pledge_link, region_of, typed_tables

    t = typed_tables(package)
    link, is_pledge = pledge_link(t["commitments"], package.schema("commitments"))
    builders: list[Callable[[], Chart]] = [
        lambda: timeline(t, exact_day_precisions(package.schema("events"))),
        lambda: pledged_vs_delivered(t, link, is_pledge),
        lambda: participants_by_region_year(t, region_of(t["actors"])),
        lambda: countries(t, inherited(t["actors"], "iso3")),
    ]
    return [b() for b in builders]


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
