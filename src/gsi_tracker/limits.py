"""Bounds on what a package may hold, so that no input can make a command run unbounded in time or memory.

Each limit is far above what the data set needs (its widest table has 17 columns, its longest cell under 2,000
characters, its release zip under 5 MB) and far below what would exhaust a 2 GB runner. Going over one is a
`LimitError` (a PackageError: exit 2) whose message names the limit.
"""

from __future__ import annotations

from .package import PackageError

MAX_COLUMNS = 1_000
"""Columns in a CSV header."""
MAX_CELL = 131_072
"""Characters in one CSV cell (the csv module's default field limit)."""
MAX_ZIP_ENTRY = 256 << 20
"""Bytes of one file extracted from a zip."""
MAX_ZIP_TOTAL = 1 << 30
"""Bytes of all files extracted from one zip."""
MAX_ZIP_RATIO = 200
"""Extracted size over compressed size, for an entry of more than a megabyte (CSV deflates about 10:1)."""
MAX_ZIP_ENTRIES = 10_000
"""Entries in one zip."""
MAX_DOWNLOAD = 512 << 20
"""Bytes of a download whose size the registry does not state."""


class LimitError(PackageError):
    """Input over one of the limits of this module."""


def check_columns(count: int, line: int | None = None) -> None:
    if count > MAX_COLUMNS:
        at = f"line {line}: " if line is not None else ""
        raise LimitError(f"{at}the header has {count:,} columns; at most {MAX_COLUMNS:,} are read")


def check_cells(row: list[str], line: int | None = None) -> None:
    """Refuse a row holding a cell longer than MAX_CELL characters."""
    for cell in row:
        if len(cell) > MAX_CELL:
            at = f"line {line}: " if line is not None else ""
            raise LimitError(
                f"{at}a cell of {len(cell):,} characters; at most {MAX_CELL:,} are read (an unclosed quote can "
                "make the rest of a file one cell)"
            )


def csv_error(error: Exception, line: int | None = None) -> LimitError | PackageError:
    """The PackageError for an error of Python's csv module (a field over its limit is a LimitError)."""
    at = f"line {line}: " if line is not None else ""
    if "field larger than field limit" in str(error):
        return LimitError(
            f"{at}a cell over {MAX_CELL:,} characters; at most {MAX_CELL:,} are read (an unclosed quote can make "
            "the rest of a file one cell)"
        )
    return PackageError(f"{at}unreadable CSV: {error}")


def check_zip_sizes(infos, zip_path) -> None:
    """Refuse a zip whose central directory declares too many entries, too large an entry or total, or an entry
    compressed beyond MAX_ZIP_RATIO (a zip bomb), before anything is extracted."""
    if len(infos) > MAX_ZIP_ENTRIES:
        raise LimitError(f"the zip has {len(infos):,} entries; at most {MAX_ZIP_ENTRIES:,} are extracted", zip_path)
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MAX_ZIP_ENTRY:
            raise LimitError(
                f"zip entry {info.filename!r} holds {info.file_size:,} bytes; at most {MAX_ZIP_ENTRY:,} are extracted",
                zip_path,
            )
        if info.file_size > 1 << 20 and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1):
            raise LimitError(
                f"zip entry {info.filename!r} expands {info.file_size // max(info.compress_size, 1):,} times; "
                f"at most {MAX_ZIP_RATIO} is extracted",
                zip_path,
            )
    if total > MAX_ZIP_TOTAL:
        raise LimitError(f"the zip holds {total:,} bytes; at most {MAX_ZIP_TOTAL:,} are extracted", zip_path)


def copy_bounded(src, out, info, budget: list[int], zip_path, chunk: int = 1 << 20) -> None:
    """Copy one entry, counting bytes: more than the entry declares, or than `budget[0]` left, is refused."""
    written = 0
    while True:
        block = src.read(chunk)
        if not block:
            return
        written += len(block)
        budget[0] -= len(block)
        if written > info.file_size or budget[0] < 0:
            raise LimitError(f"zip entry {info.filename!r} holds more bytes than it declares", zip_path)
        out.write(block)
