"""Validate a data package: every check in one run, every finding collected (see `checks` for the codes).

`validate_package(path)` opens a repo root, a datapackage.json, a release folder or a release zip. Each CSV
resource is read once (bytes, then Arrow string columns with line numbers) and checked in full; each Parquet
resource is checked against the Arrow schema derived from its Table Schema; every resource declaring `bytes` or
`hash` is checked against them. Input that cannot be read raises PackageError.
"""

from __future__ import annotations

from pathlib import Path

from .findings import Report
from .package import PackageError, open_package


def validate_package(path: str | Path = ".") -> Report:
    """All findings for the package at `path`; raises PackageError when it cannot be read."""
    from .schema import SchemaError

    with open_package(path) as package:
        try:
            return _validate(package)
        except SchemaError as e:
            raise PackageError(f"schema not supported: {e}", package.descriptor_path) from None
        except (KeyError, TypeError, AttributeError) as e:
            raise PackageError(f"a schema or x-gsi rule is malformed ({type(e).__name__}: {e})", package.descriptor_path) from None


def _read(res) -> bytes:
    try:
        return res.path.read_bytes()
    except FileNotFoundError:
        raise PackageError("file not found", res.relpath) from None
    except OSError as e:
        raise PackageError(f"cannot read: {e.strerror}", res.relpath) from None


def _validate(package) -> Report:
    from .checks.fields import check_fields
    from .checks.hygiene import check_hygiene
    from .checks.rules import (
        check_field_rules,
        check_foreign_keys,
        check_record_references,
        check_resource_rules,
        check_table_rules,
    )
    from .checks.structure import check_bytes_hash, check_descriptor, check_header, check_parquet, check_rows
    from .checks.table import TableData
    from .csvscan import NotUtf8
    from .tables import read_csv_text

    report = Report()
    report.extend(check_descriptor(package))
    tables: dict[str, TableData] = {}
    parquet = []
    for res in package.resources:
        if res.format == "parquet":
            parquet.append(res)
            if res.bytes is not None or res.hash:
                report.extend(check_bytes_hash(res, _read(res)))
            continue
        if res.format != "csv":
            continue
        data = _read(res)
        report.extend(check_bytes_hash(res, data))
        try:
            text = read_csv_text(res.path, data=data)
        except NotUtf8 as e:
            raise PackageError(str(e), res.relpath) from None
        tables[res.table] = TableData(res.table, res.relpath, res.schema, text)
    for data in tables.values():
        report.extend(check_header(data))
        report.extend(check_rows(data))
        report.extend(check_fields(data))
        report.extend(check_hygiene(data))
        report.extend(check_field_rules(data))
        report.extend(check_table_rules(data))
        report.extend(check_foreign_keys(data, tables))
    report.extend(check_record_references(tables))
    rules = {r.table: r.descriptor.get("x-gsi") or {} for r in package.resources if r.format == "csv"}
    report.extend(check_resource_rules({t: r for t, r in rules.items() if r}, tables))
    for res in parquet:
        csv_rows = tables[res.table].n + len(tables[res.table].text.scan.ragged) if res.table in tables else None
        report.extend(check_parquet(res, csv_rows))
    report.findings = report.sorted()
    return report
