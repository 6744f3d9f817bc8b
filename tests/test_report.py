"""The visual report: real PNGs whose every text lies inside the figure, and the HTML page rendered in headless
Chromium with every chart drawn."""

import shutil

import pytest
from click.testing import CliRunner

from gsi_tracker.cli import cli
from tests.release_packages import REPO, fixture_package

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory):
    base = tmp_path_factory.mktemp("report")
    package = fixture_package(base / "pkg", "sample")
    result = CliRunner().invoke(cli, ["report", str(package), "--out", str(base / "out")])
    assert result.exit_code == 0, result.output
    return base / "out"


def test_writes_html_and_a_png_per_chart(report_dir):
    html = (report_dir / "report.html").read_text()
    pngs = sorted(report_dir.glob("*.png"))
    assert len(pngs) == html.count("class='chart'") >= 4
    for png in pngs:
        assert png.read_bytes().startswith(PNG_MAGIC)
        assert f"id='{png.stem}'" in html


def test_html_is_self_contained(report_dir):
    html = (report_dir / "report.html").read_text()
    assert "http://" not in html and "https://" not in html.replace("https://creativecommons", "")
    assert "<script" not in html


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
def test_renders_every_chart_in_headless_chromium(report_dir, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    errors = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((report_dir / "report.html").as_uri())
        page.wait_for_load_state("load")
        sizes = page.eval_on_selector_all(
            "figure.chart img", "imgs => imgs.map(i => [i.complete, i.naturalWidth, i.naturalHeight])"
        )
        shot = tmp_path / "report.png"
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    assert len(sizes) == len(list(report_dir.glob("*.png")))
    assert all(done and w > 100 and h > 100 for done, w, h in sizes), sizes
    assert errors == []
    assert shot.read_bytes().startswith(PNG_MAGIC)


def _tick_labels_out_of_view(ax):
    """Tick labels that matplotlib keeps but does not draw: their tick lies outside the axis's view limits."""
    for axis in (ax.xaxis, ax.yaxis):
        lo, hi = sorted(axis.get_view_interval())
        for tick in axis.get_major_ticks() + axis.get_minor_ticks():
            if not lo - 1e-9 <= tick.get_loc() <= hi + 1e-9:
                yield from (tick.label1, tick.label2)


def test_no_text_of_any_chart_extends_outside_its_figure(tmp_path):
    import matplotlib.pyplot as plt
    from matplotlib.text import Text

    from gsi_tracker.package import open_package
    from gsi_tracker.report import drawn

    with open_package(fixture_package(tmp_path / "pkg", "sample")) as package:
        figures = drawn(package)
    with open_package(REPO) as package:
        figures += drawn(package)
    outside = []
    try:
        for d in figures:
            d.fig.canvas.draw()
            renderer = d.fig.canvas.get_renderer()
            box = d.fig.bbox
            undrawn = {id(label) for ax in d.fig.axes for label in _tick_labels_out_of_view(ax)}
            for text in d.fig.findobj(Text):
                if id(text) in undrawn or not (text.get_visible() and text.get_text().strip()):
                    continue
                ext = text.get_window_extent(renderer)
                if ext.x0 < box.x0 - 1 or ext.y0 < box.y0 - 1 or ext.x1 > box.x1 + 1 or ext.y1 > box.y1 + 1:
                    outside.append(f"{d.stem}: {text.get_text()!r} at {ext.bounds} outside {box.bounds}")
    finally:
        for d in figures:
            plt.close(d.fig)
    assert not outside, "\n".join(outside)
