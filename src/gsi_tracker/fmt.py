"""Rewrite the CSV files of a package into canonical form, atomically.

Canonical: UTF-8 without BOM; every cell (header included) in Unicode NFC with leading and trailing whitespace
trimmed (the same whitespace `checks.hygiene` flags); rows sorted by primary key (each key field as its codec sorts
its type, so numbers numerically); minimal RFC 4180 quoting; LF line endings; empty lines removed. Nothing else
changes: every other row, ragged ones included, keeps all its cells.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from . import schema as sch
from .files import atomic_write
from .leftovers import remove_stale_temp_files
from .package import PackageError, open_package


@dataclass(frozen=True)
class Formatted:
    """One CSV file: where it is and whether its canonical form differs from what is on disk."""

    path: Path
    relpath: str
    changed: bool


def _nfc(text: str) -> str:
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _clean(cells: list[str]) -> list[str]:
    """NFC, then trim whitespace as Arrow's utf8_trim_whitespace does, until stable."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not cells:
        return cells
    for _ in range(3):
        cleaned = pc.utf8_trim_whitespace(pa.array([_nfc(c) for c in cells], pa.string())).to_pylist()
        cleaned = [_nfc(c) for c in cleaned]
        if cleaned == cells:
            break
        cells = cleaned
    return cells


def sort_key(schema: sch.RawSchema | sch.TableSchema, header: list[str]) -> Callable[[list[str]], tuple]:
    """The key that orders rows of cell texts by primary key, each key field as its codec sorts its type."""
    model = sch.model(schema)
    declared = {f.name: f for f in model.fields}
    positions = [(header.index(n), declared[n].codec) for n in model.primary_key if n in header and n in declared]

    def key(row: list[str]) -> tuple:
        return tuple(codec.sort_key(row[i] if i < len(row) else "") for i, codec in positions)

    return key


def csv_bytes(rows: Iterable[list[str]]) -> bytes:
    """Canonical CSV bytes of rows of cell texts: UTF-8, minimal RFC 4180 quoting, LF line ends."""
    return "".join(_line(row) for row in rows).encode("utf-8")


def canonical(data: bytes, schema: sch.RawSchema | sch.TableSchema) -> bytes:
    """The canonical bytes of one CSV file; raises UnicodeDecodeError for bytes that are not UTF-8."""
    text = data.decode("utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    rows = _rows(text)
    if not rows:
        return b""
    flat = _clean([c for row in rows for c in row])
    it = iter(flat)
    rows = [[next(it) for _ in row] for row in rows]
    header, body = rows[0], rows[1:]
    body.sort(key=sort_key(schema, header))
    return csv_bytes([header, *body])


def _rows(text: str) -> list[list[str]]:
    """The non-empty records of CSV text, within the limits of header width and cell size (LimitError)."""
    from .limits import check_cells, check_columns, csv_error

    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[list[str]] = []
    line = 1
    try:
        for row in reader:
            check_cells(row, line)
            if row:
                if not rows:
                    check_columns(len(row), line)
                rows.append(row)
            line = reader.line_num + 1
    except csv.Error as e:
        raise csv_error(e, line) from None
    return rows


def _field(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\r\n') else value


def _line(row: list[str]) -> str:
    """One record with minimal quoting (a field holding a comma, quote, CR or LF) and an LF ending."""
    return ('""' if row == [""] else ",".join(_field(v) for v in row)) + "\n"


def _canonical_of(res, data: bytes) -> bytes:
    """`canonical` for one resource, its failures as PackageErrors naming the file (or schema) at fault."""
    try:
        return canonical(data, res.model)
    except UnicodeDecodeError as e:
        raise PackageError(f"not UTF-8: undecodable byte at offset {e.start}", res.relpath) from None
    except PackageError as e:
        raise PackageError(e.message, res.relpath) from None


def format_package(path: str | Path = ".", check: bool = False) -> list[Formatted]:
    """Rewrite (or with `check`, only compare) every CSV resource of the package at `path`."""
    path = Path(path)
    if path.is_file() and path.suffix.lower() != ".json":
        raise PackageError("gsi fmt rewrites files in place; give a folder or a datapackage.json, not a zip", path)
    results = []
    with open_package(path) as package:
        for res in package.resources:
            if res.format != "csv":
                continue
            try:
                data = res.path.read_bytes()
            except OSError as e:
                raise PackageError(f"cannot read: {e.strerror or e}", res.relpath) from None
            new = _canonical_of(res, data)
            changed = new != data
            if not check:
                remove_stale_temp_files(res.path.resolve())
            if changed and not check:
                atomic_write(res.path, new)
            results.append(Formatted(res.path, res.relpath, changed))
    return results
