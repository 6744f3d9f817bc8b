"""Read each table of a package once into a frame, typed by its Table Schema.

`read_csv_text` gives every cell as text with the CSV line number of each row, which checks need for their
messages; `typed` converts such a frame to the dtypes `schema.pandas_dtypes` declares. Parquet files are read with
their stored Arrow schema and cast to the same dtypes, so CSV and Parquet of a release load into equal frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from . import schema as sch

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    from .csvscan import Scan
    from .package import Package


@dataclass
class TextTable:
    """A CSV file as text: header, cells (all strings) and the file line on which each row starts.

    `columns` holds one Arrow string column per header position; `frame` is the same cells as a pandas frame
    named by the header. Rows whose cell count differs from the header's are not in `columns`; they are listed in
    `scan.ragged` with their line, as are blank lines in `scan.blank_lines`.
    """

    path: Path
    header: list[str]
    scan: Scan

    @property
    def columns(self) -> pa.Table:
        return self.scan.columns

    @property
    def lines(self) -> np.ndarray:
        return self.scan.lines

    @cached_property
    def frame(self) -> pd.DataFrame:
        frame = self.scan.columns.to_pandas()
        frame.columns = [str(c) for c in self.header]
        return frame


def read_csv_text(path: Path, text: str | None = None, data: bytes | None = None) -> TextTable:
    """Read a UTF-8 CSV file once with every cell as a string (empty cells stay empty strings).

    Raises `csvscan.NotUtf8` naming the line of the first undecodable byte.
    """
    from .csvscan import scan, scan_file

    if text is not None:
        data = text.encode("utf-8")
    result = scan(data) if data is not None else scan_file(path)
    return TextTable(path, result.header, result)


def typed(frame: pd.DataFrame, table_schema: sch.TableSchema) -> pd.DataFrame:
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
        elif f.enum is not None:
            out[f.name] = col.where(col.isin(f.enum), None).astype(sch.pandas_dtype(f))
        else:
            out[f.name] = col.astype(sch.pandas_dtype(f))
    return pd.DataFrame(out, index=frame.index)


def lost_in_typing(text: pd.DataFrame, frame: pd.DataFrame) -> dict[str, int]:
    """Per column, how many non-empty text cells became missing values in the typed frame."""
    lost = {}
    for name in frame.columns:
        if name in text.columns:
            n = int(((text[name].astype(object) != "") & frame[name].isna()).sum())
            if n:
                lost[name] = n
    return lost


def read_parquet(path: Path, table_schema: sch.TableSchema) -> pd.DataFrame:
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


def read_table(package: Package, table: str, format: str = "csv") -> pd.DataFrame:
    """One typed frame of `table` from the package's csv or parquet resource."""
    res = package.resource(table, format)
    if format == "parquet":
        return read_parquet(res.path, res.schema)
    return typed(read_csv_text(res.path).frame, res.schema)
