"""Differential: on every defect fixture, each error that `frictionless validate` reports is one we report too.

Frictionless error types map to our codes below. Two documented differences: a row whose cell count is wrong or
whose cells are all empty gets one structural finding (row-ragged, row-blank) and no cell checks, so frictionless's
cell errors on such a row are covered by it; and frictionless reads cells by position, so when the header is
misordered its cell errors come from reading the wrong column and are covered by the header-misordered finding.
"""

import json

import pytest
from frictionless import validate as frictionless_validate

from gsi_tracker.validate import validate_package
from tests.frictionless_map import frictionless_codes
from tests.validate_cases import build, defect_cases

ROW_STRUCTURE = {"row-ragged", "row-blank"}


def their_errors(folder):
    report = frictionless_validate(str(folder / "datapackage.json"))
    assert not report.errors, report.errors
    paths = {r["name"]: r["path"] for r in json.loads((folder / "datapackage.json").read_text())["resources"]}
    for task in report.tasks:
        for e in task.errors:
            codes = frictionless_codes(e.type, e.note)
            yield paths[task.name], e.type, getattr(e, "row_number", None), codes


@pytest.mark.parametrize("case", ["clean", *defect_cases()])
def test_we_cover_every_frictionless_error(tmp_path, case):
    folder = build(tmp_path, case)
    ours = validate_package(folder).findings
    at = {}
    for f in ours:
        at.setdefault((f.file, f.line), set()).add(f.code)
    misordered = {f.file for f in ours if f.code == "header-misordered"}
    missed = []
    for file, etype, row, codes in their_errors(folder):
        assert codes, f"no mapping for frictionless error type {etype!r}"
        if row is not None and file in misordered:
            continue
        line = row if row is not None else 1
        mine = at.get((file, line), set())
        if not (mine & codes or (row is not None and mine & ROW_STRUCTURE)):
            missed.append((file, line, etype))
    assert missed == []
    if case == "clean":
        assert ours == []
