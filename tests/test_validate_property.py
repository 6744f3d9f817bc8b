"""Property tests: mutated tables never crash validate or fmt, fmt never loses a row, and the fast CSV scan agrees
with the exact one."""

import contextlib
import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gsi_tracker import csvscan
from gsi_tracker.fmt import format_package
from gsi_tracker.package import PackageError
from gsi_tracker.validate import validate_package
from tests.validate_cases import CASES, build

TABLES = sorted(p.name for p in (CASES / "clean").iterdir())
CELL = st.text(alphabet=st.sampled_from(list('ab ,"\n\r\t=-+@é\u0301\u00a0x1-') + ["\ufeff", "中"]), max_size=8)


@st.composite
def mutated(draw):
    """(table file name, new bytes): a clean table with cells replaced, rows dropped or doubled, bytes spliced."""
    name = draw(st.sampled_from(TABLES))
    rows = list(csv.reader(io.StringIO((CASES / "clean" / name).read_text(encoding="utf-8"), newline="")))
    for _ in range(draw(st.integers(0, 4))):
        r = draw(st.integers(0, len(rows) - 1))
        op = draw(st.sampled_from(["cell", "drop", "double", "extra", "short"]))
        if op == "cell" and rows[r]:
            rows[r][draw(st.integers(0, len(rows[r]) - 1))] = draw(CELL)
        elif op == "drop" and len(rows) > 1:
            rows.pop(r)
        elif op == "double":
            rows.insert(r, list(rows[r]))
        elif op == "extra":
            rows[r].append(draw(CELL))
        elif op == "short" and rows[r]:
            rows[r].pop()
    out = io.StringIO()
    csv.writer(out, lineterminator=draw(st.sampled_from(["\n", "\r\n"]))).writerows(rows)
    data = out.getvalue().encode("utf-8")
    if draw(st.booleans()):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=4)) + data[at:]
    return name, data


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    return build(tmp_path_factory.mktemp("prop"))


def records(data: bytes) -> int:
    return sum(1 for r in csv.reader(io.StringIO(data.decode("utf-8").lstrip("\ufeff"), newline="")) if r)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=mutated())
def test_validate_and_fmt_never_crash_and_fmt_keeps_rows(package, case):
    name, data = case
    target = package / "seeds" / name
    original = target.read_bytes()
    try:
        target.write_bytes(data)
        try:
            report = validate_package(package)
            assert all(f.code and f.message for f in report.findings)
        except PackageError:
            pass
        try:
            format_package(package)
        except PackageError:
            return
        after = target.read_bytes()
        assert records(after) == records(data)
        assert not any(r.changed for r in format_package(package, check=True))
        with contextlib.suppress(PackageError):
            assert not {f.code for f in validate_package(package).findings} & {"whitespace", "not-nfc", "encoding-bom"}
    finally:
        target.write_bytes(original)


TEXT = st.text(alphabet=st.sampled_from(list('ab,"\n\r ') + ["é"]), max_size=40)


@settings(max_examples=300, deadline=None)
@given(text=TEXT, bom=st.booleans())
def test_fast_scan_matches_exact_scan(text, bom):
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")
    try:
        fast = csvscan._fast(data, bom)
    except csvscan._Fallback:
        return
    exact = csvscan._exact(data, bom)
    assert fast.header == exact.header
    assert fast.columns.to_pydict() == exact.columns.to_pydict()
    assert fast.lines.tolist() == exact.lines.tolist()
    assert fast.ragged == exact.ragged
    assert fast.blank_lines == exact.blank_lines
