"""Validate a data package: every check in one run, every finding collected (see `checks` for the codes).

`validate_package(path)` opens a repo root, a datapackage.json, a release folder or a release zip (a schema it
cannot follow is a SchemaError, raised when the package is opened). Each CSV resource is read once (bytes, then
Arrow string columns with line numbers) and put through every check of `TABLE_CHECKS`; then every check of
`CROSS_CHECKS` runs once over all the tables. Each Parquet resource is checked against the Arrow schema derived
from its Table Schema; every resource declaring `bytes` or `hash` is checked against them. Input that cannot be
read raises PackageError.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from .checks.fields import check_fields
from .checks.hygiene import check_hygiene
from .checks.rules import (
    check_cited_matches,
    check_field_rules,
    check_foreign_keys,
    check_record_references,
    check_resource_rules,
    check_table_rules,
)
from .checks.structure import check_bytes_hash, check_descriptor, check_header, check_parquet, check_rows
from .checks.table import TableData
from .findings import Finding, Report
from .package import Package, PackageError, Resource, open_package

Tables = dict[str, TableData]

# Checks that need one table, in the order they run on it.
TABLE_CHECKS: tuple[Callable[[TableData], list[Finding]], ...] = (
    check_header,
    check_rows,
    check_fields,
    check_hygiene,
    check_field_rules,
    check_table_rules,
)
# Checks that need every table of the package (foreign keys, references between tables, resource rules).
CROSS_CHECKS: tuple[Callable[[Tables], list[Finding]], ...] = (
    check_foreign_keys,
    check_record_references,
    check_resource_rules,
    check_cited_matches,
)


def validate_package(path: str | Path = ".") -> Report:
    """All findings for the package at `path`; raises PackageError when it cannot be read."""
    with open_package(path) as package:
        return _validate(package)


def _load_and_check(res: Resource, reading: threading.Lock) -> tuple[TableData, list[Finding]]:
    """Read one CSV resource (one at a time, to bound memory) and run the checks that need only this table."""
    from .csvscan import NotUtf8
    from .tables import read_csv_text

    findings = check_bytes_hash(res)
    with reading:
        try:
            text = read_csv_text(res.path)
        except (NotUtf8, PackageError) as e:
            raise PackageError(getattr(e, "message", str(e)), res.relpath) from None
        except FileNotFoundError:
            raise PackageError("file not found", res.relpath) from None
        except OSError as e:
            raise PackageError(f"cannot read: {e.strerror}", res.relpath) from None
    table = TableData(res.table, res.relpath, res.model, text, res.rules)
    for check in TABLE_CHECKS:
        findings += check(table)
    return table, findings


def _validate(package: Package) -> Report:
    """Per-table work runs on two threads (Arrow releases the GIL); cross-table checks follow once all are read."""
    from concurrent.futures import ThreadPoolExecutor

    from .guards import check_patterns

    check_patterns(package.resources)
    report = Report()
    reading = threading.Lock()
    csv_resources = [r for r in package.resources if r.format == "csv"]
    parquet = [r for r in package.resources if r.format == "parquet"]
    with ThreadPoolExecutor(max_workers=2) as pool:
        descriptor = pool.submit(check_descriptor, package)
        loads = [pool.submit(_load_and_check, res, reading) for res in csv_resources]
        tables: Tables = {}
        for res, future in zip(csv_resources, loads, strict=True):
            tables[res.table], findings = future.result()
            report.extend(findings)
        report.extend(descriptor.result())
        cross = [pool.submit(check, tables) for check in CROSS_CHECKS]
        for done in cross:
            report.extend(done.result())
    for res in parquet:
        report.extend(check_bytes_hash(res))
        csv_rows = tables[res.table].n + len(tables[res.table].text.scan.ragged) if res.table in tables else None
        report.extend(check_parquet(res, csv_rows))
    report.findings = report.sorted()
    return report
