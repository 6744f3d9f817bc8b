"""Coverage figures computed on a small real package whose answers can be counted by hand from its CSV files."""

import csv
import json

import pytest
from click.testing import CliRunner

from gsi_tracker import stats
from gsi_tracker.cli import cli
from gsi_tracker.package import open_package
from tests.release_packages import FIXTURES, REPO, fixture_package


def rows(table):
    with open(FIXTURES / "sample" / f"{table}.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def figures(tmp_path):
    with open_package(fixture_package(tmp_path, "sample")) as package:
        return stats.coverage(package)


def test_rows_per_table_match_the_files(figures):
    for table, n in figures.rows.items():
        assert n == len(rows(table))


def test_events_by_year_and_type(figures):
    events = rows("events")
    assert sum(figures.events_by_year.values()) == len(events)
    for year, n in figures.events_by_year.items():
        assert n == sum(e["start_date"][:4] == year for e in events)
    for kind, n in figures.events_by_type.items():
        assert n == sum(e["event_type"] == kind for e in events)


def test_regions_follow_parent_links(figures):
    actors = {a["actor_id"]: a for a in rows("actors")}

    def region(actor_id):
        a = actors[actor_id]
        return a["m49_region"] or (region(a["parent_actor_id"]) if a["parent_actor_id"] else None)

    expected = {}
    for p in rows("participants"):
        r = region(p["actor_id"])
        if r:
            expected[r] = expected.get(r, 0) + 1
    assert figures.participants_by_region == expected


def test_multi_sourced_counts_distinct_publishers(figures):
    publisher = {s["source_id"]: s["publisher"] for s in rows("sources")}
    for table in ("events", "commitments", "participants"):
        per = {}
        for c in rows("citations"):
            if c["record_table"] == table:
                per.setdefault(c["record_id"], set()).add(publisher[c["source_id"]])
        assert figures.multi_sourced[table] == (sum(len(v) >= 2 for v in per.values()), len(rows(table)))


def test_pledges_with_delivery(figures):
    commitments = rows("commitments")
    linked = {c["pledge_commitment_id"] for c in commitments if c["pledge_commitment_id"]}
    unlinked = [c for c in commitments if not c["pledge_commitment_id"]]
    assert figures.pledges_with_delivery == (len(linked), len(unlinked))


def test_cli_stats_json(tmp_path):
    result = CliRunner().invoke(cli, ["stats", str(fixture_package(tmp_path, "sample")), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["rows"]["events"] == len(rows("events"))


def test_markdown_lists_every_table_and_the_shares(figures):
    text = stats.render_markdown(figures)
    for table, n in figures.rows.items():
        assert f"| `{table}` | {n:,} |" in text
    delivered, total = figures.pledges_with_delivery
    assert f"{delivered} of {total}" in text


def test_a_package_without_the_gsi_tables_is_refused(tmp_path):
    root = fixture_package(tmp_path, "sample")
    desc = json.loads((root / "datapackage.json").read_text())
    desc["resources"] = desc["resources"][2:3]
    (root / "datapackage.json").write_text(json.dumps(desc))
    for command in (["stats", str(root)], ["report", str(root), "--out", str(tmp_path / "out")]):
        result = CliRunner().invoke(cli, command)
        assert result.exit_code == 2, result.output
        assert "not a gsi-tracker package" in result.output
    assert not (tmp_path / "out").exists()


def test_outside_a_package_the_installed_tables_are_used_and_said(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for args in (["stats"], ["validate"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        assert "using the tables installed with gsi-tracker" in result.output
    written = CliRunner().invoke(cli, ["codebook"])
    assert written.exit_code == 0, written.output
    assert "using the tables installed with gsi-tracker" in written.output
    codebook = (tmp_path / "codebook.md").read_text(encoding="utf-8")
    assert codebook == (REPO / "docs" / "codebook.md").read_text(encoding="utf-8")


def append_rows(path, *rows):
    with open(path, newline="", encoding="utf-8") as f:
        header = next(csv.reader(f))
    with open(path, "a", newline="", encoding="utf-8") as f:
        csv.DictWriter(f, header, lineterminator="\n").writerows(rows)


def test_the_middle_east_counts_events_through_a_participants_parents(tmp_path):
    root = fixture_package(tmp_path, "sample")
    actors = {a["actor_id"]: a for a in rows("actors")}
    state = actors["chn"] | {"actor_id": "irn", "name": "Iran", "iso3": "IRN"}
    police = actors["chn-mps"] | {"actor_id": "irn-police", "name": "Iranian police", "parent_actor_id": "irn"}
    append_rows(root / "seeds" / "actors.csv", state, police)
    joins = rows("participants")[1] | {"participant_id": "pt-6", "event_id": "ev-2024-forum", "actor_id": "irn-police"}
    append_rows(root / "seeds" / "participants.csv", joins)
    with open_package(root) as package:
        after = stats.coverage(package)
    with open_package(fixture_package(tmp_path / "before", "sample")) as package:
        before = stats.coverage(package)
    assert (before.events_involving_middle_east, after.events_involving_middle_east) == (0, 1)
    assert after.events_involving_region == before.events_involving_region
    assert "middle east" in stats.render_text(after)
