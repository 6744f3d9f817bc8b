"""Derived columns: absent from seeds, computed at load and build time, and recomputed here independently."""

import csv
import json

import pandas as pd
import pytest

import gsi_tracker
from gsi_tracker.build import build_release
from gsi_tracker.derive import derived_fields
from tests.hostile import gsi
from tests.release_packages import EPOCH, REPO, make_package, rows


@pytest.fixture(scope="module")
def ds():
    return gsi_tracker.load(path=REPO)


def test_seeds_hold_no_derived_column_and_load_adds_them_typed(ds):
    for table in ds:
        declared = derived_fields(ds.schema(table))
        with open(REPO / "seeds" / f"{table}.csv", newline="", encoding="utf-8") as f:
            header = next(csv.reader(f))
        assert not set(declared) & set(header), table
        for name in declared:
            assert name in ds[table].columns, (table, name)


def test_state_of_a_participant_follows_the_actor_parents(ds):
    actors = ds.actors.set_index("actor_id")
    for actor_id, state in zip(ds.participants["actor_id"], ds.participants["state_iso3"], strict=True):
        node, seen, expected = actor_id, set(), None
        while isinstance(node, str) and node not in seen:
            seen.add(node)
            if not pd.isna(actors.at[node, "iso3"]):
                expected = actors.at[node, "iso3"]
                break
            parent = actors.at[node, "parent_actor_id"]
            node = None if pd.isna(parent) else parent
        assert (None if pd.isna(state) else state) == expected, actor_id


def test_delivered_quantity_is_the_largest_linked_delivery_of_the_same_kind_and_currency(ds):
    c = ds.commitments
    by_pledge = c[c["pledge_commitment_id"].notna() & c["quantity"].notna()]
    for _, p in c[c["delivered_quantity"].notna()].iterrows():
        same = by_pledge[
            (by_pledge["pledge_commitment_id"] == p["commitment_id"])
            & (by_pledge["quantity_kind"].astype(str) == str(p["quantity_kind"]))
            & (by_pledge["currency"].fillna("") == ("" if pd.isna(p["currency"]) else p["currency"]))
        ]
        assert p["delivered_quantity"] == same["quantity"].max()
        assert p["delivered_share"] == pytest.approx(p["delivered_quantity"] / p["quantity"])
    assert (c["delivered_share"].dropna() > 1).any(), "a share above 1 (more delivered than pledged) is kept"


def test_citation_counts_match_the_citations_and_origins(ds):
    cites = ds.citations[
        (ds.citations["record_table"].astype(str) == "events")
        & ~ds.citations["context_only"].fillna(False).astype(bool)
    ]
    origin = dict(zip(ds.sources["source_id"], ds.sources["origin_id"], strict=True))
    for _, e in ds.events.sample(60, random_state=1).iterrows():
        srcs = set(cites.loc[cites["record_id"] == e["event_id"], "source_id"])
        assert e["source_count"] == len(srcs)
        assert e["origin_count"] == len({origin[s] for s in srcs})
        assert e["origin_count"] <= e["source_count"]


@pytest.mark.parametrize("flag", ["", "true"])
def test_a_context_only_citation_is_left_out_of_the_counts(tmp_path, flag):
    table_rows = rows()
    event = table_rows["events"][0]["event_id"]
    citing = {c["source_id"] for c in table_rows["citations"] if c["record_id"] == event}
    origin = {s["source_id"]: s["origin_id"] for s in table_rows["sources"]}
    other = next(s for s, o in origin.items() if o not in {origin[c] for c in citing})
    before = gsi_tracker.load(path=make_package(tmp_path / "before", rows())).events.set_index("event_id").loc[event]
    table_rows["citations"].append(
        {
            "citation_id": "ci-preview",
            "record_table": "events",
            "record_id": event,
            "source_id": other,
            "locator": "para 1",
            "excerpt": "will open next week",
            "accessed_date": "2025-01-15",
            "context_only": flag,
        }
    )
    after = gsi_tracker.load(path=make_package(tmp_path / "after", table_rows)).events.set_index("event_id").loc[event]
    added = 0 if flag else 1
    assert after["source_count"] == before["source_count"] + added
    assert after["origin_count"] == before["origin_count"] + added


def test_series_numbers_run_from_one_in_date_order(ds):
    e = ds.events[ds.events["series_id"].notna()]
    for _, group in e.groupby("series_id", observed=True):
        ordered = group.sort_values(["start_date", "event_id"])
        assert ordered["series_number"].tolist() == list(range(1, len(group) + 1))
    roots = ds.events.set_index("event_id")["root_event_id"]
    parents = ds.events.set_index("event_id")["parent_event_id"]
    for eid, root in roots.items():
        assert pd.isna(parents[root]), "a root has no parent"
        if pd.isna(parents[eid]):
            assert root == eid


def test_a_release_carries_the_derived_columns_and_loads_equal(tmp_path):
    pkg = make_package(tmp_path / "pkg")
    result = build_release(pkg, tmp_path / "dist", epoch=EPOCH)
    from_seeds = gsi_tracker.load(path=pkg)
    for fmt in ("csv", "parquet"):
        released = gsi_tracker.load(path=result.folder, format=fmt)
        for table in from_seeds:
            declared = derived_fields(released.schema(table))
            if not declared:
                continue
            a = from_seeds[table].sort_values(from_seeds[table].columns[0]).reset_index(drop=True)
            b = released[table].sort_values(released[table].columns[0]).reset_index(drop=True)
            pd.testing.assert_frame_equal(a[list(declared)], b[list(declared)], check_dtype=True)
    with open(result.folder / "data" / "participants.csv", newline="", encoding="utf-8") as f:
        assert "state_iso3" in next(csv.reader(f))


def test_show_prints_the_quote_behind_a_figure(ds):
    fig = ds.figures.iloc[0]
    rec = ds.show(fig["figure_id"])
    assert rec.table == "figures" and len(rec.citations) >= 1
    from gsi_tracker.questions import render_record

    text = render_record(rec)
    assert rec.citations["excerpt"].iloc[0] in text and rec.citations["url"].iloc[0] in text
    with pytest.raises(KeyError, match="no record"):
        ds.show("no-such-id")


def test_question_helpers(ds):
    pledges = ds.pledges()
    assert set(pledges["commitment_id"]) <= set(ds.commitments["commitment_id"])
    assert pledges["delivered_share"].notna().any()
    per_year = ds.events_per_year()
    assert list(per_year.index) == list(range(per_year.index.min(), per_year.index.max() + 1))
    assert int(per_year.to_numpy().sum()) == len(ds.events)
    by_state = ds.participants_by_state()
    assert by_state["state_iso3"].notna().all()


def test_a_row_cited_only_for_context_is_a_warning_naming_it(tmp_path):
    table_rows = rows()
    event = table_rows["events"][0]["event_id"]
    for c in table_rows["citations"]:
        if c["record_table"] == "events" and c["record_id"] == event:
            c["context_only"] = "true"
    result = gsi("validate", make_package(tmp_path / "pkg", table_rows), "--format", "json")
    assert result.exit_code == 0, result.output
    found = [f for f in json.loads(result.output)["findings"] if f["code"] == "context-only"]
    assert [(f["table"], f["column"], f["value"]) for f in found] == [("events", "event_id", event)]
