"""`gsi diff`: every row and schema change between two crafted releases, and the version bump it needs."""

import copy
import json
import re

import pytest
from click.testing import CliRunner

from gsi_tracker.build import build_release
from gsi_tracker.cli import cli
from gsi_tracker.diff import diff_packages, render_json, render_markdown, render_text, schema_changes
from gsi_tracker.semver import MAJOR, MINOR, NONE, PATCH
from tests.release_packages import EPOCH, REPO, edit_json, make_package, more_rows, rows


def set_version(pkg, version):
    edit_json(pkg / "datapackage.json", lambda d: d.__setitem__("version", version))
    cff = pkg / "CITATION.cff"
    cff.write_text(re.sub(r"^version: .*$", f'version: "{version}"', cff.read_text(), flags=re.M))


def field_of(schema, name):
    return next(f for f in schema["fields"] if f["name"] == name)


def release_of(tmp_path, name, table_rows, version, edits=()):
    pkg = make_package(tmp_path / name, None)
    for path, change in edits:
        edit_json(pkg / path, change)
    from tests.release_packages import write_seeds

    write_seeds(pkg, table_rows)
    set_version(pkg, version)
    return build_release(pkg, tmp_path / "dist", epoch=EPOCH)


def rename(schema, old, new):
    field_of(schema, old)["name"] = new


def event_type_values(schema):
    return field_of(schema, "event_type")["constraints"]["enum"]


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """Release 0.1.0 from the test rows and 1.0.0 with one change of every kind."""
    tmp = tmp_path_factory.mktemp("pair")
    old = release_of(tmp, "old", rows(), "0.1.0")
    new_rows = rows()
    new_rows["sources"][0]["title"] = "Forum opens (corrected)"
    new_rows["actors"] += more_rows()["actors"]
    new_rows["events"] = [r for r in new_rows["events"] if r["event_id"] != "ev-2023-forum"]
    new_rows["citations"] = [r for r in new_rows["citations"] if r["record_id"] != "ev-2023-forum"]
    dropped_type = event_type_values(json.loads((REPO / "schemas/events.schema.json").read_text()))[-2]

    def events(s):
        rename(s, "theme", "slogan")
        field_of(s, "edition")["type"] = "number"
        field_of(s, "name")["constraints"]["maxLength"] = field_of(s, "name")["constraints"]["maxLength"] - 1
        event_type_values(s).remove(dropped_type)
        event_type_values(s).append("conference")
        del field_of(s, "country_iso3")["constraints"]["pattern"]

    def sources(s):
        field_of(s, "title")["constraints"]["maxLength"] += 100
        field_of(s, "publisher")["constraints"]["required"] = False
        field_of(s, "notes")["description"] += " Edited."

    def participants(s):
        s["fields"] = [f for f in s["fields"] if f["name"] != "notes"]

    def actors(s):
        s["fields"].append({"name": "website", "type": "string", "title": "Website", "description": "Home page."})

    def package(d):
        res = next(r for r in d["resources"] if r["name"] == "participants")
        res.pop("x-gsi", None)

    edits = [
        ("schemas/events.schema.json", events),
        ("schemas/sources.schema.json", sources),
        ("schemas/participants.schema.json", participants),
        ("schemas/actors.schema.json", actors),
        ("datapackage.json", package),
    ]
    new = release_of(tmp, "new", new_rows, "1.0.0", edits)
    return old, new, dropped_type


def details(table_diff):
    return [(c.kind, c.field, c.bump) for c in table_diff.schema]


def test_names_every_change_and_the_major_bump(pair):
    old, new, dropped = pair
    d = diff_packages(old.zip, new.folder)
    assert (d.old_version, d.new_version, d.bump) == ("0.1.0", "1.0.0", MAJOR)
    t = {x.table: x for x in d.tables}
    assert [r.key for r in t["sources"].changed] == ["src-agency-a-2024-09-10-forum"]
    assert t["sources"].changed[0].fields == (("title", "Forum opens", "Forum opens (corrected)"),)
    assert t["actors"].added == ["slb"] and not t["actors"].removed
    assert t["events"].removed == ["ev-2023-forum"] and t["citations"].removed == ["ci-ev-2023-forum-a"]
    assert [r.key for r in t["events"].changed] == ["ev-2024-forum"]
    assert t["events"].changed[0].fields == (("edition", "4", "4.0"),)
    ev = details(t["events"])
    assert ("field-renamed", "slogan", MAJOR) in ev
    assert ("field-retyped", "edition", MAJOR) in ev
    assert ("constraint-tightened", "name", MAJOR) in ev
    assert ("constraint-tightened", "event_type", MAJOR) in ev and ("constraint-loosened", "event_type", MINOR) in ev
    assert ("constraint-loosened", "country_iso3", MINOR) in ev
    assert not any(k == "field-removed" for k, _, _ in ev)
    src = details(t["sources"])
    assert ("constraint-loosened", "title", MINOR) in src and ("constraint-loosened", "publisher", MINOR) in src
    assert ("metadata-changed", "notes", PATCH) in src
    assert ("field-removed", "notes", MAJOR) in details(t["participants"])
    assert ("constraint-loosened", None, MINOR) in details(t["participants"])
    assert ("field-added", "website", MINOR) in details(t["actors"])
    text = render_text(d)
    for needle in [
        "`theme` renamed to `slogan`",
        "type integer -> number",
        f"allowed values removed: {dropped}",
        "allowed values added: conference",
        "- ev-2023-forum (removed)",
        "+ slb",
        "field `notes` removed",
        "optional field `website` added",
        "version bump needed: major",
    ]:
        assert needle in text, needle


def test_json_and_markdown(pair):
    old, new, _ = pair
    d = diff_packages(old.folder, new.zip)
    data = json.loads(render_json(d))
    assert data["bump"] == MAJOR and data["reasons"]
    events = next(t for t in data["tables"] if t["table"] == "events")
    assert events["removed"] == ["ev-2023-forum"] and events["changed"][0]["fields"][0]["field"] == "edition"
    md = render_markdown(d)
    assert md.startswith("## Changes from 0.1.0 to 1.0.0")
    assert "Version bump needed: **major**" in md
    assert "Removed (these IDs no longer exist): `ev-2023-forum`" in md
    assert "| `src-agency-a-2024-09-10-forum` | `title` | `Forum opens` | `Forum opens (corrected)` |" in md


def test_identical_releases_need_no_bump(pair, tmp_path):
    old, _, _ = pair
    d = diff_packages(old.zip, old.folder)
    assert d.bump == NONE and all(t.empty for t in d.tables)
    assert "no changes" in render_text(d) and "No changes." in render_markdown(d)


@pytest.mark.parametrize(
    "change, bump",
    [
        (lambda r: r["sources"][0].__setitem__("publisher", "Agency A2"), PATCH),
        (lambda r: r["sources"].append(dict(r["sources"][0], source_id="src-extra-source")), MINOR),
        (
            lambda r: r.update(
                participants=[], citations=[c for c in r["citations"] if c["record_table"] != "participants"]
            ),
            MAJOR,
        ),
    ],
)
def test_release_against_the_working_seeds(pair, tmp_path, change, bump):
    old, _, _ = pair
    table_rows = rows()
    change(table_rows)
    d = diff_packages(old.zip, make_package(tmp_path / "work", table_rows))
    assert d.bump == bump and not d.new_released
    assert "to the working tree" in render_markdown(d)


def schema_pair(table="events"):
    schema = json.loads((REPO / "schemas" / f"{table}.schema.json").read_text())
    return schema, copy.deepcopy(schema)


def kinds(old, new):
    return {(c.kind, c.field, c.bump) for c in schema_changes("events", old, new, {}, {})[0]}


def test_constraint_rules_one_by_one():
    old, new = schema_pair()
    field_of(new, "city")["constraints"]["required"] = True
    field_of(new, "event_id")["constraints"]["unique"] = False
    field_of(new, "city")["constraints"]["pattern"] = "[A-Z].*"
    field_of(new, "event_id")["constraints"]["pattern"] += "x"
    field_of(new, "edition")["constraints"]["minimum"] += 1
    field_of(new, "start_date")["constraints"]["minimum"] = "1980-01-01"
    field_of(new, "notes")["constraints"]["maxLength"] -= 1
    field_of(new, "theme")["constraints"]["enum"] = ["a"]
    assert kinds(old, new) == {
        ("constraint-tightened", "city", MAJOR),
        ("constraint-loosened", "event_id", MINOR),
        ("constraint-changed", "event_id", MAJOR),
        ("constraint-tightened", "edition", MAJOR),
        ("constraint-loosened", "start_date", MINOR),
        ("constraint-tightened", "notes", MAJOR),
        ("constraint-tightened", "theme", MAJOR),
    }


def test_table_level_changes():
    old, new = schema_pair()
    new["fields"] = list(reversed(new["fields"]))
    new["primaryKey"] = ["name"]
    new["foreignKeys"] = []
    new["fields"].append({"name": "must", "type": "string", "constraints": {"required": True}})
    new["x-gsi"] = {}
    found = kinds(old, new)
    assert ("fields-reordered", None, MAJOR) in found and ("key-changed", None, MAJOR) in found
    assert ("constraint-loosened", None, MINOR) in found
    assert ("field-added", "must", MAJOR) in found


def test_cli_diff(pair):
    old, new, _ = pair
    runner = CliRunner()
    for fmt in ("text", "json", "markdown"):
        done = runner.invoke(cli, ["diff", str(old.zip), str(new.zip), "--format", fmt])
        assert done.exit_code == 0, done.output
    assert (
        json.loads(
            done.output
            if fmt == "json"
            else runner.invoke(cli, ["diff", str(old.zip), str(new.zip), "--format", "json"]).output
        )["bump"]
        == MAJOR
    )
    missing = runner.invoke(cli, ["diff", str(old.zip) + ".nope", str(new.zip)])
    assert missing.exit_code == 2


def test_a_release_and_the_package_it_was_built_from_differ_in_nothing(tmp_path):
    pkg = make_package(tmp_path / "pkg")
    built = build_release(pkg, tmp_path / "dist", epoch=EPOCH)
    result = diff_packages(built.folder, pkg)
    assert result.bump == NONE
    assert "no changes" in render_text(result)
