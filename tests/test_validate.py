"""Each class of defect gives its finding code at the right file, line and column; the clean package gives none."""

import pytest

from gsi_tracker.checks import CODES
from gsi_tracker.validate import validate_package
from tests.validate_cases import build, defect_cases

S, A, E, C, P, CI, F = (
    f"seeds/{t}.csv" for t in ("sources", "actors", "events", "commitments", "participants", "citations", "figures")
)

EXPECTED = {
    "encoding": [("encoding-bom", E, 1, None)],
    "header_renamed": [("header-missing", E, 1, "edition"), ("header-extra", E, 1, "edition_no")],
    "header_duplicate": [("header-duplicate", P, 1, "notes")],
    "header_misordered": [("header-misordered", P, 1, None)],
    "rows": [
        ("row-ragged", P, 3, None),
        ("row-blank", P, 4, None),
        ("row-ragged", P, 5, None),
        ("row-blank", P, 6, None),
    ],
    "types": [
        ("type", E, 5, "edition"),
        ("type", E, 6, "start_date"),
        ("type", E, 7, "start_date"),
        ("citation-missing", E, 5, "event_id"),
        ("citation-missing", E, 6, "event_id"),
        ("citation-missing", E, 7, "event_id"),
    ],
    "constraints": [
        ("min-length", CI, 9, "excerpt"),
        ("max-length", CI, 10, "locator"),
        ("minimum", E, 2, "edition"),
        ("minimum", S, 4, "accessed_date"),
        ("pattern", S, 4, "language"),
        ("minimum", S, 4, "published_date"),
        ("pattern", S, 4, "source_id"),
        ("unreferenced", S, 4, "source_id"),
        ("enum", S, 4, "source_type"),
        ("required", S, 4, "title"),
        ("pattern", S, 4, "url"),
    ],
    "keys": [
        ("primary-key", E, 5, "event_id"),
        ("unique", E, 5, "event_id"),
        ("unique-key", P, 4, "event_id"),
        ("citation-missing", P, 4, "participant_id"),
    ],
    "foreign_keys": [
        ("foreign-key", E, 3, "parent_event_id"),
        ("foreign-key", P, 4, "actor_id"),
        ("foreign-key", P, 4, "event_id"),
        ("citation-missing", P, 4, "participant_id"),
    ],
    "dates": [("iso3166", E, 3, "country_iso3"), ("date-shape", E, 3, "start_date"), ("not-before", E, 4, "end_date")],
    "actors": [
        ("required-when", A, 3, "iso3"),
        ("empty-unless", A, 4, "iso3"),
        ("iso3166", A, 4, "iso3"),
        ("empty-unless", A, 5, "position"),
        ("iso3166", A, 7, "iso3"),
    ],
    "commitments": [
        ("empty-unless", C, 2, "pledge_commitment_id"),
        ("referenced-where", C, 2, "pledge_commitment_id"),
        ("same-values", C, 2, "pledger_actor_id"),
        ("together", C, 2, "quantity_qualifier"),
        ("together", C, 2, "quantity_unit"),
        ("same-values", C, 3, "pledger_actor_id"),
        ("referenced-where", C, 4, "pledge_commitment_id"),
        ("same-values", C, 4, "pledger_actor_id"),
        ("requires", C, 5, "period_precision"),
    ],
    "citations": [
        ("record-reference", CI, 8, "record_id"),
        ("sentence", CI, 9, "excerpt"),
        ("citation-missing", C, 3, "commitment_id"),
        ("unreferenced", S, 4, "source_id"),
    ],
    "analysis": [
        ("referenced-when", C, 2, "commitment_id"),
        ("iso4217", C, 3, "currency"),
        ("citation-missing", C, 3, "commitment_id"),
        ("cited-match", E, 2, "gsi_named"),
    ],
    "hygiene": [
        ("not-nfc", A, 7, "name"),
        ("minimum", F, 2, "quantity"),
        ("whitespace", P, 2, "notes"),
        ("formula", P, 3, "notes"),
        ("formula", P, 4, "notes"),
        ("citation-missing", P, 4, "participant_id"),
    ],
}


def found(report):
    return sorted((f.code, f.file, f.line, f.column) for f in report.findings)


def test_clean_package_has_no_findings(tmp_path):
    report = validate_package(build(tmp_path))
    assert report.findings == []


def test_every_defect_fixture_has_expectations():
    assert sorted(EXPECTED) == defect_cases()


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_defect_gives_its_findings(tmp_path, case):
    report = validate_package(build(tmp_path, case))
    assert found(report) == sorted(EXPECTED[case])
    for f in report.findings:
        assert f.severity == CODES[f.code]
        assert f.message and not f.message.startswith(f"{f.code}:") and "\n" not in f.message
        assert f.table == f.file.removeprefix("seeds/").removesuffix(".csv")


def test_every_code_is_exercised_or_covered_elsewhere():
    exercised = {code for findings in EXPECTED.values() for code, *_ in findings}
    elsewhere = {
        "descriptor-invalid",
        "bytes-mismatch",
        "hash-mismatch",
        "parquet-schema",
        "parquet-rows",
        "maximum",
        "control",
        "context-only",
    }
    assert set(CODES) == exercised | elsewhere


def test_codes_are_declared_with_severity_group_and_meaning():
    from gsi_tracker.checks import DECLARED, GROUPS

    assert len({c.code for c in DECLARED}) == len(DECLARED)
    for c in DECLARED:
        assert c.severity in ("error", "warning") and c.group in GROUPS and c.meaning


def test_readme_code_table_is_generated_from_the_declarations(repo):
    from gsi_tracker.checks import markdown_table

    readme = (repo / "README.md").read_text(encoding="utf-8")
    table = readme.split("<!-- codes:start -->\n", 1)[1].split("\n<!-- codes:end -->", 1)[0]
    assert table == markdown_table(), "README.md: paste gsi_tracker.checks.markdown_table() between the codes markers"


def test_checks_import_without_docstrings():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-OO", "-c", "import gsi_tracker.checks"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_warnings_alone_leave_the_package_valid(tmp_path):
    folder = build(tmp_path)
    with open(folder / "seeds" / "sources.csv", "a", encoding="utf-8") as f:
        f.write("src-uncited,Uncited,Agency,agency,,2024-01-01,https://x.example/a,,2025-01-15,news,en,\n")
    report = validate_package(folder)
    assert [f.code for f in report.findings] == ["unreferenced"] and report.valid


def test_findings_are_not_capped(tmp_path):
    folder = build(tmp_path)
    rows = [f"pt-{i},ev-2024-gpscf-lianyungang,chn-mps,host, x{i}\n" for i in range(3000)]
    with open(folder / "seeds" / "participants.csv", "a", encoding="utf-8") as f:
        f.writelines(rows)
    report = validate_package(folder)
    assert sum(f.code == "whitespace" for f in report.findings) == 3000
    assert sum(f.code == "unique-key" for f in report.findings) == 3000


def test_multiline_cells_keep_line_numbers(tmp_path):
    folder = build(tmp_path)
    path = folder / "seeds" / "participants.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("chn-mps,host,", 'chn-mps,host,"two\nlines"', 1) + "pt-x,ev-2024-nope,slb,host,\n",
        encoding="utf-8",
    )
    report = validate_package(folder)
    fk = [f for f in report.findings if f.code == "foreign-key"]
    assert [(f.line, f.column) for f in fk] == [(5, "event_id")]


def test_long_values_are_shortened(tmp_path):
    report = validate_package(build(tmp_path, "constraints"))
    (long,) = [f for f in report.findings if f.code == "max-length"]
    assert len(long.value) == 80 and long.value.endswith("…")


def test_rules_are_read_from_any_schema(tmp_path):
    """Nothing is specific to the gsi tables: a made-up schema with other types and constraints is checked too."""
    import json

    schema = {
        "fields": [
            {"name": "id", "type": "integer", "constraints": {"required": True}},
            {"name": "share", "type": "number", "constraints": {"maximum": 1}},
            {"name": "ok", "type": "boolean"},
            {"name": "parent", "type": "integer"},
        ],
        "primaryKey": ["id"],
        "foreignKeys": [{"fields": ["parent"], "reference": {"fields": ["id"]}}],
    }
    (tmp_path / "t.csv").write_text("id,share,ok,parent\n1,0.5,true,\n2,1.5,maybe,1\n3,x,false,9\n", encoding="utf-8")
    desc = {"name": "p", "resources": [{"name": "t", "path": "t.csv", "format": "csv", "schema": schema}]}
    (tmp_path / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")
    got = sorted((f.code, f.line, f.column) for f in validate_package(tmp_path).findings)
    assert got == [("foreign-key", 4, "parent"), ("maximum", 3, "share"), ("type", 3, "ok"), ("type", 4, "share")]


def test_civil_days_agrees_with_datetime():
    import datetime as dt

    import numpy as np

    from gsi_tracker.codec import civil_days

    ys, ms, ds = np.meshgrid(np.array([1, 1900, 1970, 2000, 2023, 2024, 9999]), np.arange(0, 14), np.arange(0, 33))
    valid, days = civil_days(ys.ravel(), ms.ravel(), ds.ravel())
    for y, m, d, ok, n in zip(ys.ravel(), ms.ravel(), ds.ravel(), valid, days, strict=True):
        try:
            expected = (dt.date(int(y), int(m), int(d)) - dt.date(1970, 1, 1)).days
        except ValueError:
            assert not ok
        else:
            assert ok and n == expected
