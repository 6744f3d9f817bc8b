"""Cell text shown elsewhere: drawn by matplotlib, written into Markdown release notes, printed on a terminal, or
copied into the release. Control characters are a finding; nothing a cell holds is run as mathtext, Markdown or a
terminal escape sequence."""

import json

import pytest

from tests.hostile import assert_clean_exit, edit_resource, gsi
from tests.release_packages import make_package, rows

PAYLOAD = "x` ![img](http://127.0.0.1:9/x.png) [link](http://127.0.0.1:9/) @maintainer <b>bold</b> ``y"


def test_report_draws_mathtext_in_a_cell_as_plain_text(tmp_path):
    table_rows = rows()
    pledge = next(r for r in table_rows["commitments"] if r["quantity"])
    pledge["quantity_unit"] = r"$\undefinedmacro$ officers"
    next(r for r in table_rows["actors"] if r["iso3"])["name"] = r"$\frac{1$ state"
    root = make_package(tmp_path / "pkg", table_rows)
    assert_clean_exit(gsi("validate", root), (0,))
    result = gsi("report", root, "--out", tmp_path / "out")
    assert_clean_exit(result, (0,))
    assert (tmp_path / "out" / "pledged_vs_delivered.png").stat().st_size > 0


def test_diff_markdown_keeps_a_backtick_cell_inside_its_code_span(tmp_path, built_release):
    table_rows = rows()
    table_rows["events"][0]["name"] = PAYLOAD
    root = make_package(tmp_path / "pkg", table_rows)
    result = gsi("diff", built_release.folder, root, "--format", "markdown")
    assert_clean_exit(result, (0,))
    row = next(line for line in result.output.splitlines() if "![img]" in line)
    assert row.endswith(" | ```" + PAYLOAD + "``` |")
    markdown_it = pytest.importorskip("markdown_it")
    html = markdown_it.MarkdownIt("commonmark").enable("table").render(result.output)
    assert "<img" not in html and "<a " not in html and "<b>" not in html
    assert html.count("@maintainer") == 1 and "<code>x` ![img]" in html


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_show_writes_c1_and_bidi_characters_as_escapes(tmp_path, fmt):
    table_rows = rows()
    event = table_rows["events"][0]
    event["name"] = "Forum\x85\u202eopens"
    root = make_package(tmp_path / "pkg", table_rows)
    result = gsi("show", event["event_id"], "--path", root, "--format", fmt)
    assert_clean_exit(result, (0,))
    assert "\x85" not in result.output and "\u202e" not in result.output
    assert "Forum\\u0085\\u202eopens" in result.output


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x85", "\u202e"])
def test_control_character_in_a_cell_is_a_finding_and_blocks_the_build(tmp_path, char):
    table_rows = rows()
    table_rows["events"][0]["name"] = f"Forum{char}opens"
    root = make_package(tmp_path / "pkg", table_rows)
    result = gsi("validate", root, "--format", "json")
    assert_clean_exit(result, (1,))
    found = json.loads(result.output)["findings"]
    assert [(f["code"], f["column"]) for f in found] == [("control", "name")]
    assert char not in result.output and [f["value"] for f in found] == [f"Forum{char}opens"]
    build = gsi("build", root, "--out", tmp_path / "dist")
    assert_clean_exit(build, (1,))
    assert not list((tmp_path / "dist").glob("gsi-tracker-*"))


def test_text_output_shows_escape_sequences_as_escapes(tmp_path):
    table_rows = rows()
    table_rows["events"][0]["name"] = "Forum\x1b[2Jopens"
    root = make_package(tmp_path / "pkg", table_rows)
    result = gsi("validate", root)
    assert_clean_exit(result, (1,))
    assert "\x1b" not in result.output and "\\x1b[2J" in result.output


def test_a_file_name_with_an_escape_sequence_is_printed_escaped(tmp_path):
    root = make_package(tmp_path / "pkg")
    edit_resource(root, "events", lambda r: r.__setitem__("path", "seeds/\x1b]0;owned\x07events.csv"))
    for command in ("validate", "fmt", "build"):
        result = gsi(command, root, *(["--out", tmp_path / "dist"] if command == "build" else []))
        assert_clean_exit(result, (2,))
        assert "\x1b" not in result.output and "\x07" not in result.output
        assert "\\u001b]0;owned\\u0007events.csv" in result.output


@pytest.mark.parametrize("name", ['=HYPERLINK("http://127.0.0.1:9")', "@SUM(1)", "a\x00b"])
def test_a_header_cell_that_is_no_field_never_reaches_the_release(tmp_path, name):
    root = make_package(tmp_path / "pkg")
    seed = root / "seeds" / "sources.csv"
    lines = seed.read_text().splitlines()
    seed.write_text("\n".join([lines[0] + "," + name] + [line + "," for line in lines[1:]]) + "\n")
    result = gsi("validate", root, "--format", "json")
    assert_clean_exit(result, (1,))
    assert "header-extra" in {f["code"] for f in json.loads(result.output)["findings"]}
    assert_clean_exit(gsi("build", root, "--out", tmp_path / "dist"), (1,))
    assert not list((tmp_path / "dist").glob("gsi-tracker-*"))
