"""Property tests of the codecs: the validator and the loader read a cell alike, and canonical text round-trips."""

import csv
import datetime as dt
import io
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gsi_tracker import codec
from gsi_tracker.build import canonical_csv
from gsi_tracker.checks.fields import check_fields
from gsi_tracker.checks.table import TableData
from gsi_tracker.fmt import csv_bytes
from gsi_tracker.schema import parse
from gsi_tracker.tables import read_csv_text, text_typed

TYPES = sorted(codec.CODECS)


def schema(ftype: str, **extra):
    return parse({"fields": [{"name": "k", "type": "integer"}, {"name": "v", "type": ftype, **extra}]}, "t")


def csv_text(cells: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["k", "v"])
    writer.writerows([i, c] for i, c in enumerate(cells))
    return out.getvalue()


SHAPED = st.one_of(
    st.from_regex(r"\A[+-]?[0-9]{1,20}\Z"),
    st.from_regex(r"\A[+-]?[0-9]{0,4}\.?[0-9]{0,4}([eE][+-]?[0-9]{1,3})?\Z"),
    st.sampled_from(["NaN", "INF", "-INF", "inf", "nan", "1e400", "0x10", "1_000", " 1", "1 "]),
    st.sampled_from(codec.TRUE_VALUES + codec.FALSE_VALUES + ("yes", "no", "t", "f", "TRUE ", "")),
    st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z"),
    st.sampled_from(["1500-01-01", "1677-09-21", "1677-09-22", "2262-04-11", "2262-04-12", "9999-12-31", "0000-01-01"]),
    st.dates().map(dt.date.isoformat),
    st.sampled_from(["https://example.org/a", "mailto:a@b.org", "no scheme", "a@b.org", "a@b"]),
    st.text(max_size=12),
)


@pytest.mark.parametrize("ftype", TYPES)
@settings(max_examples=60, deadline=None)
@given(cells=st.lists(SHAPED, min_size=1, max_size=12))
def test_validator_accepts_a_cell_exactly_when_the_loader_keeps_a_value(ftype, cells):
    model = schema(ftype, format="uri") if ftype == "string" else schema(ftype)
    text = read_csv_text(None, text=csv_text(cells))
    rejected = {f.line for f in check_fields(TableData("t", "t.csv", model, text)) if f.code == "type"}
    loaded = text_typed(text, model)["v"]
    lines = text.lines.tolist()
    for i, cell in enumerate(text.columns.column(1).to_pylist()):
        accepted = cell != "" and lines[i] not in rejected
        assert accepted == bool(loaded.notna().iloc[i]), (ftype, cell)


VALUES = {
    "string": st.text(min_size=1).filter(lambda s: "\x00" not in s),
    "integer": st.integers(-(10**17), 10**17),
    "number": st.floats(allow_nan=True, allow_infinity=True),
    "boolean": st.booleans(),
    "date": st.dates(dt.date(1677, 9, 22), dt.date(2262, 4, 11)),
}


@pytest.mark.parametrize("ftype", TYPES)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_canonical_text_to_typed_to_canonical_text_is_the_identity(ftype, data):
    model = schema(ftype)
    field = model.field("v")
    values = data.draw(st.lists(st.one_of(st.none(), VALUES[ftype]), min_size=1, max_size=10))
    cells = ["" if v is None else field.codec.to_text(v if ftype != "date" else _timestamp(v)) for v in values]
    original = csv_bytes([["k", "v"], *([str(i), c] for i, c in enumerate(cells))])
    frame = text_typed(read_csv_text(None, data=original), model)
    assert canonical_csv(frame, model) == original
    for value, loaded in zip(values, frame["v"].astype(object), strict=True):
        if value is None:
            assert loaded is None or loaded is _na(loaded)
        elif ftype == "number" and math.isnan(value):
            assert math.isnan(loaded)
        elif ftype == "date":
            assert loaded.date() == value
        else:
            assert loaded == value


def _timestamp(day: dt.date):
    import pandas as pd

    return pd.Timestamp(day)


def _na(value):
    import pandas as pd

    return value if pd.isna(value) else object()


def test_dates_pandas_cannot_hold_are_a_type_finding_not_a_crash():
    model = schema("date")
    text = read_csv_text(None, text=csv_text(["1500-01-01", "2024-02-29", "2023-02-29"]))
    findings = [f for f in check_fields(TableData("t", "t.csv", model, text)) if f.code == "type"]
    assert [f.value for f in findings] == ["1500-01-01", "2023-02-29"]
    loaded = text_typed(text, model)["v"]
    assert loaded.isna().tolist() == [True, False, True]


def test_boolean_cells_load_as_the_validator_reads_them():
    model = schema("boolean")
    text = read_csv_text(None, text=csv_text(["TRUE", "1", "0", "false", "yes"]))
    assert text_typed(text, model)["v"].tolist()[:4] == [True, True, False, False]
    findings = [f for f in check_fields(TableData("t", "t.csv", model, text)) if f.code == "type"]
    assert [f.value for f in findings] == ["yes"]
