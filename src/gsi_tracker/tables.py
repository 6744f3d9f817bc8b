"""Read each table of a package once into a frame, typed by its Table Schema.

`read_csv_text` gives every cell as text with the CSV line number of each row, which checks need for their
messages; `typed` converts such a frame to the dtypes `schema.pandas_dtypes` declares. Parquet files are read with
their stored Arrow schema and cast to the same dtypes, so CSV and Parquet of a release load into equal frames.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import schema as sch

if TYPE_CHECKING:
    import pandas as pd

    from .package import Package


@dataclass
class TextTable:
    """A CSV file as text: header, cells (all strings) and the file line on which each row starts."""

    path: Path
    header: list[str]
    frame: "pd.DataFrame"
    lines: "list[int]"


def _row_lines(text: str) -> list[int]:
    """Line on which each data row starts, counting quoted line breaks, for files with multi-line cells."""
    reader = csv.reader(io.StringIO(text, newline=""))
    starts = []
    last_end = 0
    for _ in reader:
        starts.append(last_end + 1)
        last_end = reader.line_num
    return starts[1:]


def read_csv_text(path: Path, text: str | None = None) -> TextTable:
    """Read a UTF-8 CSV file with every cell as a string (empty cells stay empty strings)."""
    import pandas as pd

    if text is None:
        text = path.read_bytes().decode("utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    header_line = next(csv.reader(io.StringIO(text, newline="")), [])
    if not text.strip():
        return TextTable(path, [], pd.DataFrame(), [])
    frame = pd.read_csv(
        io.StringIO(text, newline=""),
        dtype=object,
        keep_default_na=False,
        na_filter=False,
        skip_blank_lines=False,
        header=0,
        names=None,
        engine="c",
    )
    frame.columns = [str(c) for c in frame.columns]
    lines = _row_lines(text) if '"' in text else list(range(2, len(frame) + 2))
    return TextTable(path, header_line, frame, lines)


def typed(frame: "pd.DataFrame", table_schema: sch.TableSchema) -> "pd.DataFrame":
    """Convert a frame of text cells to the declared dtypes; empty cells become missing values."""
    import pandas as pd

    out = {}
    for f in sch.fields(table_schema):
        col = frame[f.name] if f.name in frame.columns else pd.Series([""] * len(frame), index=frame.index)
        col = col.astype(object).where(col.astype(object) != "", None)
        if f.type == "integer":
            out[f.name] = pd.to_numeric(col, errors="coerce").astype("Int64")
        elif f.type == "number":
            out[f.name] = pd.to_numeric(col, errors="coerce").astype("Float64")
        elif f.type == "date":
            out[f.name] = pd.to_datetime(col, format="%Y-%m-%d", errors="coerce").astype("datetime64[ns]")
        elif f.type == "boolean":
            out[f.name] = col.map({"true": True, "false": False}).astype("boolean")
        else:
            out[f.name] = col.astype(sch.pandas_dtype(f))
    return pd.DataFrame(out, index=frame.index)


def read_parquet(path: Path, table_schema: sch.TableSchema) -> "pd.DataFrame":
    """Read a Parquet file into the declared dtypes."""
    import pandas as pd
    import pyarrow.parquet as pq

    arrow = pq.read_table(path)
    frame = arrow.to_pandas()
    out = {}
    for f in sch.fields(table_schema):
        col = frame[f.name]
        if f.type == "date":
            out[f.name] = pd.to_datetime(col).astype("datetime64[ns]")
        elif f.enum is not None:
            out[f.name] = col.astype(object).astype(sch.pandas_dtype(f))
        else:
            out[f.name] = col.astype(sch.pandas_dtype(f))
    return pd.DataFrame(out)


def read_table(package: "Package", table: str, format: str = "csv") -> "pd.DataFrame":
    """One typed frame of `table` from the package's csv or parquet resource."""
    res = package.resource(table, format)
    if format == "parquet":
        return read_parquet(res.path, res.schema)
    return typed(read_csv_text(res.path).frame, res.schema)
