"""File-level checks: descriptor validity, encoding, header, ragged and blank rows, bytes, hashes and Parquet."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import schema as sch
from ..files import parse_hash
from ..findings import Finding
from ..package import PackageError
from . import severity
from .table import TableData

if TYPE_CHECKING:
    from ..package import Package, Resource


def _finding(file, code, message, line=None, column=None, table=None, value=None) -> Finding:
    return Finding(file, line, column, code, severity(code), message, table, value)


def check_descriptor(package: Package) -> list[Finding]:
    """The descriptor and its schemas against the Data Package v2 profiles (frictionless does the profile work)."""
    from frictionless import Package as FrictionlessPackage
    from frictionless import system

    from ..guards import offline_session

    file = package.descriptor_path.relative_to(package.root).as_posix()
    with system.use_context(http_session=offline_session()):
        report = FrictionlessPackage.validate_descriptor(str(package.descriptor_path))
    return [_finding(file, "descriptor-invalid", e.message) for e in report.errors]


def check_header(data: TableData) -> list[Finding]:
    out = []
    header = data.text.header
    declared = list(data.fields)
    line = data.text.scan.header_line
    seen = set()
    for name in header:
        if name in seen:
            out.append(data.finding("header-duplicate", f"column {name!r} appears more than once", line, name))
        elif name not in data.fields:
            out.append(
                data.finding(
                    "header-extra",
                    f"column {name!r} is not a field of the {data.table} schema",
                    line,
                    name,
                )
            )
        seen.add(name)
    for name in declared:
        if name not in seen and data.fields[name].rules.derived is None:
            out.append(data.finding("header-missing", f"the header has no column {name!r}", line, name))
    first_seen = [n for i, n in enumerate(header) if n in data.fields and data.position[n] == i]
    expected = [n for n in declared if n in seen]
    if first_seen != expected:
        out.append(
            data.finding(
                "header-misordered",
                f"columns must be in declared order: {', '.join(expected)}",
                line,
                value=",".join(header),
            )
        )
    return out


def check_rows(data: TableData) -> list[Finding]:
    scan = data.text.scan
    width = len(scan.header)
    out = []
    if scan.bom:
        out.append(data.finding("encoding-bom", "the file must be UTF-8 without a byte order mark", 1))
    for line, cells in scan.ragged:
        more = "more" if cells > width else "fewer"
        out.append(
            data.finding("row-ragged", f"the row has {cells} cells, {more} than the {width} of the header", line)
        )
    for line in scan.blank_lines:
        out.append(data.finding("row-blank", "the line is empty; remove it", line))
    for line in scan.empty_rows:
        out.append(data.finding("row-blank", "every cell of the row is empty; remove it", line))
    return out


def _digest(declared: str, path) -> tuple[str, str]:
    from ..files import file_digest

    algo, expected = parse_hash(declared)
    return file_digest(path, algo), expected


def check_bytes_hash(res: Resource) -> list[Finding]:
    """Declared `bytes` and `hash` ("sha256:<hex>"; a bare digest is md5) of one resource, read in chunks."""
    import os

    out: list[Finding] = []
    if res.bytes is None and not res.hash:
        return out
    try:
        size = os.path.getsize(res.path)
    except OSError:
        raise PackageError("file not found", res.relpath) from None
    if res.bytes is not None and res.bytes != size:
        out.append(
            _finding(
                res.relpath,
                "bytes-mismatch",
                f"the file has {size} bytes, the descriptor declares {res.bytes}",
                table=res.table,
            )
        )
    if isinstance(res.hash, str) and res.hash:
        try:
            actual, expected = _digest(res.hash, res.path)
        except ValueError:
            return out + [
                _finding(
                    res.relpath,
                    "hash-mismatch",
                    f"unknown hash algorithm in {res.hash!r}",
                    table=res.table,
                )
            ]
        if actual != expected:
            algo = parse_hash(res.hash)[0]
            out.append(
                _finding(
                    res.relpath,
                    "hash-mismatch",
                    f"the file's {algo} is {actual}, the descriptor declares {expected}",
                    table=res.table,
                    value=actual,
                )
            )
    return out


def check_parquet(res: Resource, csv_rows: int | None) -> list[Finding]:
    """A Parquet resource against the Arrow schema derived from its Table Schema, and the CSV's row count."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(res.path)
    except (pa.ArrowException, OSError) as e:
        return [_finding(res.relpath, "parquet-schema", f"not a readable Parquet file ({e})", table=res.table)]
    actual = pf.schema_arrow
    expected = sch.arrow_schema(res.model)
    out = []
    if actual.names != expected.names:
        out.append(
            _finding(
                res.relpath,
                "parquet-schema",
                f"columns must be {', '.join(expected.names)}",
                table=res.table,
                value=", ".join(actual.names),
            )
        )
    for f in expected:
        if f.name not in actual.names:
            continue
        a = actual.field(f.name)
        same = a.type == f.type or (
            pa.types.is_dictionary(a.type) and pa.types.is_dictionary(f.type) and a.type.value_type == f.type.value_type
        )
        if not same:
            out.append(
                _finding(
                    res.relpath,
                    "parquet-schema",
                    f"{f.name} must have Arrow type {f.type}",
                    column=f.name,
                    table=res.table,
                    value=str(a.type),
                )
            )
        if not f.nullable:
            nulls = pf.read(columns=[f.name]).column(0).null_count
            if nulls:
                out.append(
                    _finding(
                        res.relpath,
                        "parquet-schema",
                        f"{f.name} is required but has {nulls} nulls",
                        column=f.name,
                        table=res.table,
                    )
                )
    rows = pf.metadata.num_rows
    if csv_rows is not None and rows != csv_rows:
        out.append(
            _finding(
                res.relpath,
                "parquet-rows",
                f"{rows} rows, the CSV of {res.table} has {csv_rows}",
                table=res.table,
            )
        )
    return out
