"""Read a CSV file's bytes once into string columns, keeping the file line of every row and its structure.

The fast path parses with Arrow's multithreaded CSV reader and finds record boundaries with numpy: a line break
ends a record when an even number of quote characters precede it (RFC 4180). It is cross-checked against Arrow's row
count; files it cannot account for exactly (bare CR line endings, stray quotes) go through Python's `csv` module,
which is slower but exact. Both paths give the same `Scan`.
"""

from __future__ import annotations

import csv
import io
import mmap
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .limits import MAX_CELL, LimitError, check_cells, check_columns, csv_error
from .package import PackageError

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

BOM = b"\xef\xbb\xbf"
CHUNK = 1 << 22


class NotUtf8(PackageError, ValueError):
    """The bytes are not UTF-8; `line` is the file line of the first bad byte. A PackageError, so every command
    reports it (exit 2)."""

    def __init__(self, line: int, offset: int):
        super().__init__(f"not UTF-8: undecodable byte at line {line} (byte offset {offset})")
        self.line = line
        self.offset = offset


@dataclass
class Scan:
    """Header cells, one string column per header position, and where each row came from."""

    header: list[str]
    columns: pa.Table
    lines: np.ndarray
    bom: bool = False
    ragged: list[tuple[int, int]] = field(default_factory=list)
    blank_lines: list[int] = field(default_factory=list)
    header_line: int = 1
    empty_rows: list[int] = field(default_factory=list)


def _drop_empty_rows(result: Scan) -> Scan:
    """Move rows whose cells are all empty out of the columns into `empty_rows`."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if not result.columns.num_rows or not result.columns.num_columns:
        return result
    empty = np.ones(result.columns.num_rows, dtype=bool)
    for col in result.columns.columns:
        empty &= pc.equal(col, "").to_numpy(zero_copy_only=False)
    if empty.any():
        result.empty_rows = result.lines[empty].tolist()
        result.columns = result.columns.filter(pa.array(~empty))
        result.lines = result.lines[~empty]
    return result


def _positions(arr: np.ndarray, byte: int) -> np.ndarray:
    """Offsets of `byte` in `arr`, compared a chunk at a time into one reused buffer (few page faults)."""
    import numpy as np

    hits = np.empty(min(len(arr), CHUNK), dtype=bool)
    parts = []
    for i in range(0, len(arr), CHUNK):
        part = arr[i : i + CHUNK]
        np.equal(part, byte, out=hits[: len(part)])
        parts.append(np.flatnonzero(hits[: len(part)]) + i)
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)


def check_utf8(data: bytes | mmap.mmap) -> None:
    """Raise NotUtf8 naming the line of the first undecodable byte."""
    import numpy as np
    import pyarrow as pa

    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64))
    try:
        pa.LargeStringArray.from_buffers(1, offsets, pa.py_buffer(data)).validate(full=True)
    except pa.ArrowInvalid:
        raw = bytes(data)
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise NotUtf8(raw.count(b"\n", 0, e.start) + 1, e.start) from None


def scan_file(path: str | os.PathLike) -> Scan:
    """Scan a CSV file without holding a copy of it: numpy works on a memory map whose pages are dropped before
    Arrow reads the file itself."""
    if os.path.getsize(path) == 0:
        return scan(b"")
    refused = None
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        check_utf8(mm)
        bom = mm[:3] == BOM
        try:
            return _drop_empty_rows(_fast(mm, bom, path))
        except _Fallback:
            pass
        except PackageError as e:
            # raised once the map is closed (no array may still view it)
            refused = LimitError(e.message, e.path) if isinstance(e, LimitError) else PackageError(e.message, e.path)
    if refused is not None:
        raise refused
    with open(path, "rb") as f:
        return scan(f.read())


def scan(data: bytes) -> Scan:
    """Scan CSV bytes (UTF-8, checked first); every cell is a string, empty cells are empty strings."""
    check_utf8(data)
    bom = data.startswith(BOM)
    try:
        result = _fast(data, bom)
    except _Fallback:
        result = _exact(data, bom)
    return _drop_empty_rows(result)


class _Fallback(Exception):
    pass


def _string_table(names: list[str], cols: list[list[str]]) -> pa.Table:
    import pyarrow as pa

    return pa.table({n: pa.array(c, pa.string()) for n, c in zip(names, cols, strict=True)}) if names else pa.table({})


def _fast(data, bom: bool, path=None) -> Scan:  # noqa: C901 (one pass over the bytes; split with the limits work)
    """`data` is bytes or a memory map of the file at `path` (then Arrow reads the file, not the map)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pcsv

    start = 3 if bom else 0
    arr = np.frombuffer(data, dtype=np.uint8)
    if data.find(b"\r") != -1:
        cr = _positions(arr, 13)
        if len(cr) and (cr[-1] == len(arr) - 1 or (arr[np.minimum(cr + 1, len(arr) - 1)] != 10).any()):
            raise _Fallback
    newlines = _positions(arr, 10)
    ends = newlines
    quotes = None
    if data.find(b'"') != -1:
        quotes = _positions(arr, 34)
        if len(quotes) % 2 or not _quotes_well_formed(arr, quotes, start):
            raise _Fallback
        ends = newlines[np.searchsorted(quotes, newlines) % 2 == 0]
    starts = np.concatenate([[start], ends + 1])
    stops = np.concatenate([ends, [len(arr)]])
    if starts[-1] >= len(arr):
        starts, stops = starts[:-1], stops[:-1]
    if len(starts) == 0:
        return Scan([], _string_table([], []), np.empty(0, dtype=np.int64), bom)
    widths = stops - starts
    last = np.maximum(stops - 1, 0)
    blank = (widths == 0) | ((widths == 1) & (arr[last] == 13))
    lines = np.searchsorted(newlines, starts) + 1
    head = data[starts[0] : stops[0]].decode("utf-8")
    header = _read_header(head, int(lines[0])) if not blank[0] else []
    if (widths > MAX_CELL).any():
        raise _Fallback
    rec_lines, rec_blank = lines[1:], blank[1:]
    names = [str(i) for i in range(len(header))]
    if not header:
        if (~rec_blank).any():
            raise _Fallback
        return Scan([], _string_table([], []), np.empty(0, dtype=np.int64), bom, [], rec_lines.tolist())
    invalid = []

    def on_invalid(row):
        invalid.append((row.text, row.actual_columns))
        return "skip"

    filled = ~rec_blank
    if not filled.any():
        empty = _string_table(names, [[] for _ in names])
        return Scan(header, empty, np.empty(0, dtype=np.int64), bom, [], rec_lines.tolist())
    body_start = int(stops[0]) + 1
    quoted_newline = quotes is not None and len(ends) < len(newlines)
    del arr, last
    if path is None:
        source = pa.BufferReader(pa.py_buffer(data)[body_start:])
    else:
        data.madvise(mmap.MADV_DONTNEED)
        source = pa.OSFile(os.fspath(path))
        source.seek(body_start)
    try:
        table = pcsv.read_csv(
            source,
            read_options=pcsv.ReadOptions(column_names=names),
            parse_options=pcsv.ParseOptions(
                newlines_in_values=quoted_newline, invalid_row_handler=on_invalid, ignore_empty_lines=True
            ),
            convert_options=pcsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        raise _Fallback from None
    if table.num_rows + len(invalid) != int(filled.sum()):
        raise _Fallback
    ragged: list[tuple[int, int]] = []
    if invalid:
        bad = np.zeros(len(rec_lines), dtype=bool)
        counts = np.full(len(rec_lines), len(header), dtype=np.int64)
        located = _locate(data, invalid, starts, stops)
        if path is not None:
            data.madvise(mmap.MADV_DONTNEED)
        if located is not None:
            bad[located[0] - 1] = True
            counts[located[0] - 1] = located[1]
        else:
            counts = _cells_per_record(np.frombuffer(data, dtype=np.uint8), quotes, ends, len(starts))[1:]
            if path is not None:
                data.madvise(mmap.MADV_DONTNEED)
            bad = filled & (counts != len(header))
        if int(bad.sum()) != len(invalid):
            raise _Fallback
        ragged = list(zip(rec_lines[bad].tolist(), counts[bad].tolist(), strict=True))
        filled &= ~bad
    return Scan(header, table, rec_lines[filled], bom, ragged, rec_lines[rec_blank].tolist())


def _read_header(head: str, line: int) -> list[str]:
    """The header cells of one record's text, within the limits of width and cell size."""
    try:
        header = next(csv.reader(io.StringIO(head, newline="")), [])
    except csv.Error as e:
        raise csv_error(e, line) from None
    check_columns(len(header), line)
    check_cells(header, line)
    return header


def _quotes_well_formed(arr, quotes, start: int) -> bool:
    """Every quote opens a field, closes one, or is half of a doubled quote, as RFC 4180 allows."""
    import numpy as np

    n = len(arr)
    before = arr[np.maximum(quotes - 1, 0)]
    after = arr[np.minimum(quotes + 1, n - 1)]
    opener = np.arange(len(quotes)) % 2 == 0
    opens = (quotes == start) | np.isin(before, (44, 10, 13)) | ((before == 34) & (quotes > start))
    closes = (quotes == n - 1) | np.isin(after, (44, 10, 13)) | ((after == 34) & (quotes < n - 1))
    return bool(np.where(opener, opens, closes).all())


def _locate(data: bytes, invalid: list[tuple[str, int]], starts, stops, limit: int = 10_000):
    """(record indices, cell counts) of the rows Arrow rejected, found by their text; None if that is ambiguous."""
    import numpy as np

    if len(invalid) > 1000:
        return None
    cells = dict(invalid)
    records, counts, hits = [], [], 0
    for text in cells:
        raw = text.encode("utf-8")
        pos = data.find(raw)
        while pos != -1:
            hits += 1
            if hits > limit:
                return None
            k = int(np.searchsorted(starts, pos))
            end = pos + len(raw)
            if k < len(starts) and starts[k] == pos and (stops[k] == end or (stops[k] == end + 1 and data[end] == 13)):
                records.append(k)
                counts.append(cells[text])
            pos = data.find(raw, pos + 1)
    records_, counts_ = np.array(records, dtype=np.int64), np.array(counts, dtype=np.int64)
    return records_[records_ >= 1], counts_[records_ >= 1]


def _cells_per_record(arr, quotes, ends, n_records: int) -> np.ndarray:
    import numpy as np

    commas = _positions(arr, 44)
    if quotes is not None:
        commas = commas[np.searchsorted(quotes, commas) % 2 == 0]
    return np.bincount(np.searchsorted(ends, commas), minlength=n_records)[:n_records] + 1


def _exact(data: bytes, bom: bool) -> Scan:
    import numpy as np

    text = data.decode("utf-8")
    if bom:
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    header_line = 1
    cols: list[list[str]] = []
    lines: list[int] = []
    ragged: list[tuple[int, int]] = []
    blank: list[int] = []
    line = 1
    while True:
        try:
            row = next(reader, None)
        except csv.Error as e:
            raise csv_error(e, line) from None
        if row is None:
            break
        check_cells(row, line)
        if header is None:
            check_columns(len(row), line)
            header, header_line = row, line
            cols = [[] for _ in row]
        elif not row:
            blank.append(line)
        elif len(row) != len(header):
            ragged.append((line, len(row)))
        else:
            for c, v in zip(cols, row, strict=True):
                c.append(v)
            lines.append(line)
        line = reader.line_num + 1
    header = header or []
    names = [str(i) for i in range(len(header))]
    return Scan(header, _string_table(names, cols), np.array(lines, dtype=np.int64), bom, ragged, blank, header_line)
