"""`load()`: every table of a release as a typed pandas DataFrame, with the package metadata.

The dtypes come from the Table Schemas through `tables.read_table`, so CSV and Parquet of one release load into
equal frames: dates as datetime64, enums as Categorical with every declared category in declared order, integers
as Int64 and text as the string dtype.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import schema as sch

if TYPE_CHECKING:
    import pandas as pd

FORMATS = ("parquet", "csv")


@dataclass(frozen=True)
class TableSummary:
    """Row count of a table and the range of its first date field (None where it has none or no dates)."""

    table: str
    rows: int
    columns: int
    date_field: str | None
    first: Any
    last: Any


class Dataset(Mapping):
    """The tables of one data package, by name (`ds["events"]`) or as attributes (`ds.events`), with its metadata.

    Iterating gives the table names in declared order. `metadata` is the package descriptor; `version`,
    `licenses` and `title` are read from it; `location` says where the tables were read from and `format` whether
    from CSV or Parquet.
    """

    def __init__(
        self,
        tables: dict[str, pd.DataFrame],
        descriptor: dict[str, Any],
        schemas: dict[str, Any],
        location: str,
        format: str,
    ):
        self._tables = dict(tables)
        self._schemas = dict(schemas)
        self.metadata = {k: v for k, v in descriptor.items() if k != "resources"}
        self.location = location
        self.format = format

    def __getitem__(self, table: str) -> pd.DataFrame:
        try:
            return self._tables[table]
        except KeyError:
            raise KeyError(f"no table {table!r}; tables: {', '.join(self._tables)}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("_tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(f"{type(self).__name__!r} has no attribute or table {name!r}")

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self._tables))

    @property
    def version(self) -> str | None:
        return self.metadata.get("version")

    @property
    def title(self) -> str | None:
        return self.metadata.get("title")

    @property
    def licenses(self) -> list[dict[str, Any]]:
        return list(self.metadata.get("licenses", []))

    def schema(self, table: str) -> dict[str, Any]:
        """The Table Schema `table` was typed by."""
        return self._schemas[table]

    def pledges(self, sector: str | None = None) -> pd.DataFrame:
        """Pledges with the largest linked delivery of the same kind and currency and its share of the pledge."""
        from .questions import pledges

        return pledges(self, sector)

    def participants_by_state(self, event_id: str | None = None) -> pd.DataFrame:
        """Per event and state: how many of the state's actors took part, in which roles."""
        from .questions import participants_by_state

        return participants_by_state(self, event_id)

    def events_per_year(self, by: str = "event_type", gsi_named: bool | None = None) -> pd.DataFrame:
        """Events per start year (zeros included) by the categories of `by`."""
        from .questions import events_per_year

        return events_per_year(self, by, gsi_named)

    def show(self, record_id: str):
        """The record with this ID, the records it links to, and its citations with their sources and quotes."""
        from .questions import find

        return find(self, record_id)

    def summary(self) -> list[TableSummary]:
        """Per table: rows, columns and the earliest and latest value of its first date field."""
        out = []
        for table, frame in self._tables.items():
            dates = [f.name for f in sch.fields(self._schemas[table]) if f.type == "date"]
            first = last = None
            if dates and frame[dates[0]].notna().any():
                first, last = frame[dates[0]].min(), frame[dates[0]].max()
            out.append(TableSummary(table, len(frame), frame.shape[1], dates[0] if dates else None, first, last))
        return out

    def __repr__(self) -> str:
        licences = ", ".join(lic.get("name", "?") for lic in self.licenses) or "none declared"
        width = max((len(t) for t in self._tables), default=0)
        lines = [f"<gsi-tracker Dataset {self.version} ({self.format}, {self.location}); licence {licences}"]
        for s in self.summary():
            lines.append(f"  {s.table:<{width}}  {s.rows} row{'' if s.rows == 1 else 's'} x {s.columns} columns")
        return "\n".join(lines) + ">"


def render_summary(ds: Dataset) -> str:
    """A text table of rows and date range per table, headed by the version and where it was read from."""
    rows = [("table", "rows", "date range")]
    for s in ds.summary():
        span = f"{s.date_field} {s.first:%Y-%m-%d} .. {s.last:%Y-%m-%d}" if s.first is not None else ""
        rows.append((s.table, str(s.rows), span))
    w0, w1 = (max(len(r[i]) for r in rows) for i in (0, 1))
    lines = [f"gsi-tracker {ds.version} ({ds.location}, {ds.format})"]
    lines += [f"  {a:<{w0}}  {b:>{w1}}  {c}".rstrip() for a, b, c in rows]
    return "\n".join(lines)


def _source(version: str | None, path: str | Path | None) -> tuple[Path, str]:
    from .package import bundled_root

    if version is not None and path is not None:
        raise ValueError("give a version or a path, not both")
    if path is not None:
        return Path(path), str(path)
    if version is not None:
        from .download import fetch_release

        folder = fetch_release(version)
        return folder, str(folder)
    return bundled_root(), "bundled"


def load(
    version: str | None = None, *, path: str | Path | None = None, format: str = "parquet", verify: bool = True
) -> Dataset:
    """Load every table of a gsi-tracker data package into typed pandas DataFrames.

    - `version=None`: the package installed with the library (seeds, CSV only);
    - `version="1.2.0"` or `"latest"`: that published release, downloaded once, checked against the release
      registry and cached (see `gsi_tracker.download`);
    - `path=`: a local release folder, release zip or `datapackage.json`.

    `format` picks "parquet" or "csv" files; a package without Parquet files is read from CSV.

    `verify=True` (the default) checks every file whose resource declares `bytes` or `hash` against them before
    reading anything, and refuses an altered file with a PackageError naming it; `verify=False` skips the check
    (for a release folder you edited on purpose). A file that cannot be read is a PackageError too.

    Example: `ds = gsi_tracker.load("latest"); ds.events.groupby("event_type").size()`
    """
    from .package import open_package

    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
    source, location = _source(version, path)
    with open_package(source) as pkg:
        if format == "parquet" and not all(pkg.has(t, "parquet") for t in pkg.tables):
            format = "csv"
        from .derive import derive

        if verify:
            verify_files(pkg)
        schemas = {t: pkg.schema(t) for t in pkg.tables}
        tables = derive({t: _read(pkg, t, format) for t in pkg.tables}, schemas)
        return Dataset(tables, pkg.descriptor, schemas, location, format)


def verify_files(pkg) -> None:
    """Refuse a package whose files differ from the `bytes` and `hash` their resources declare."""
    from .checks.structure import check_bytes_hash
    from .package import PackageError

    for res in pkg.resources:
        found = check_bytes_hash(res)
        if found:
            raise PackageError(
                f"{found[0].message.split(': ', 1)[-1]}; the file was altered "
                "(load(..., verify=False) reads it anyway)",
                res.relpath,
            )


def _read(pkg, table: str, format: str) -> pd.DataFrame:
    """One typed table; a file that cannot be read as its schema says is a PackageError naming it."""
    import pyarrow as pa

    from .package import PackageError
    from .tables import read_table

    try:
        return read_table(pkg, table, format)
    except PackageError as e:
        raise PackageError(e.message, pkg.resource(table, format).relpath) from None
    except (pa.ArrowException, OSError, ValueError, KeyError, TypeError) as e:
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise PackageError(
            f"cannot be read as table {table!r}: {reason}", pkg.resource(table, format).relpath
        ) from None
