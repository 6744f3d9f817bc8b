"""Read each table of a package once into a frame, typed by its Table Schema.

`read_csv_text` gives every cell as text with the CSV line number of each row, which checks need for their
messages; `typed` converts such cells to the declared dtypes through each field's codec (`codec.py`), the same
codec the checks use, so a cell `gsi validate` accepts is exactly a cell that loads as a value. Parquet files are
read with their stored Arrow schema and cast to the same dtypes, so CSV and Parquet of a release load into equal
frames.
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


def typed_columns(columns: dict[str, pa.ChunkedArray | None], n: int, table_schema: sch.RawSchema | sch.TableSchema):
    """A frame of the declared dtypes from Arrow string columns (None for a column the file lacks), each field
    through its codec: a cell the validator accepts becomes a value, any other cell a missing value."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    from .codec import to_numpy

    model = sch.model(table_schema)
    missing = pa.array(list(model.missing_values), pa.string())
    out = {}
    for f in model.fields:
        col = columns.get(f.name)
        if col is None:
            col = pa.chunked_array([pa.array([""] * n, pa.string())])
        present = ~to_numpy(pc.is_in(col, value_set=missing)) if len(col) else np.zeros(0, dtype=bool)
        out[f.name] = f.to_pandas(col, present)
    return pd.DataFrame(out)


def typed(frame: pd.DataFrame, table_schema: sch.RawSchema | sch.TableSchema) -> pd.DataFrame:
    """Convert a frame of text cells to the declared dtypes; missing values (empty cells) become missing."""
    import pyarrow as pa

    columns = {
        name: pa.chunked_array([pa.array(frame[name].astype(object).tolist(), pa.string())]) for name in frame.columns
    }
    out = typed_columns(columns, len(frame), table_schema)
    out.index = frame.index
    return out


def text_typed(text: TextTable, table_schema: sch.RawSchema | sch.TableSchema) -> pd.DataFrame:
    """The typed frame of a CSV file read by `read_csv_text`, straight from its Arrow columns."""
    columns: dict[str, pa.ChunkedArray | None] = {}
    for i, name in enumerate(text.header):
        columns.setdefault(str(name), text.columns.column(i))
    return typed_columns(columns, text.columns.num_rows, table_schema)


def lost_in_typing(text: pd.DataFrame, frame: pd.DataFrame) -> dict[str, int]:
    """Per column, how many non-empty text cells became missing values in the typed frame."""
    lost = {}
    for name in frame.columns:
        if name in text.columns:
            n = int(((text[name].astype(object) != "") & frame[name].isna()).sum())
            if n:
                lost[name] = n
    return lost


def read_parquet(path: Path, table_schema: sch.RawSchema | sch.TableSchema) -> pd.DataFrame:
    """Read a Parquet file into the declared dtypes (each column cast by its field's pandas dtype)."""
    import pandas as pd
    import pyarrow.parquet as pq

    frame = pq.read_table(path).to_pandas()
    out = {}
    for f in sch.fields(table_schema):
        col = frame[f.name]
        if f.enum is not None:
            col = col.astype(object)
        elif f.type == "date":
            col = pd.to_datetime(col)
        out[f.name] = col.astype(f.to_pandas_dtype())
    return pd.DataFrame(out)


def read_table(package: Package, table: str, format: str = "csv") -> pd.DataFrame:
    """One typed frame of `table` from the package's csv or parquet resource."""
    res = package.resource(table, format)
    if format == "parquet":
        return read_parquet(res.path, res.model)
    return text_typed(read_csv_text(res.path), res.model)
