"""Validate a data package: every check in one run, every finding collected (see `checks` for the codes).

`validate_package(path)` opens a repo root, a datapackage.json, a release folder or a release zip. Each CSV
resource is read once (bytes, then Arrow string columns with line numbers) and checked in full; each Parquet
resource is checked against the Arrow schema derived from its Table Schema; every resource declaring `bytes` or
`hash` is checked against them. Input that cannot be read raises PackageError.
"""

from __future__ import annotations

import threading
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
        except (KeyError, TypeError, AttributeError, ValueError) as e:
            raise PackageError(
                f"a schema or x-gsi rule is malformed ({type(e).__name__}: {e})", package.descriptor_path
            ) from None


def _load_and_check(res, reading: threading.Lock):
    """Read one CSV resource (one at a time, to bound memory) and run the checks that need only this table."""
    from .checks.fields import check_fields
    from .checks.hygiene import check_hygiene
    from .checks.rules import check_field_rules, check_table_rules
    from .checks.structure import check_bytes_hash, check_header, check_rows
    from .checks.table import TableData
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
    table = TableData(res.table, res.relpath, res.schema, text)
    for check in (check_header, check_rows, check_fields, check_hygiene, check_field_rules, check_table_rules):
        findings += check(table)
    return table, findings


def _validate(package) -> Report:
    """Per-table work runs on two threads (Arrow releases the GIL); cross-table rules follow once all are read."""
    from concurrent.futures import ThreadPoolExecutor

    from .checks.rules import check_foreign_keys, check_record_references, check_resource_rules
    from .checks.structure import check_bytes_hash, check_descriptor, check_parquet
    from .guards import check_patterns

    check_patterns(package.resources)
    report = Report()
    reading = threading.Lock()
    csv_resources = [r for r in package.resources if r.format == "csv"]
    parquet = [r for r in package.resources if r.format == "parquet"]
    with ThreadPoolExecutor(max_workers=2) as pool:
        descriptor = pool.submit(check_descriptor, package)
        loads = [pool.submit(_load_and_check, res, reading) for res in csv_resources]
        tables = {}
        for res, future in zip(csv_resources, loads):
            tables[res.table], findings = future.result()
            report.extend(findings)
        report.extend(descriptor.result())
        cross = [pool.submit(check_foreign_keys, t, tables) for t in tables.values()]
        cross.append(pool.submit(check_record_references, tables))
        rules = {r.table: r.descriptor.get("x-gsi") or {} for r in csv_resources}
        cross.append(pool.submit(check_resource_rules, {t: r for t, r in rules.items() if r}, tables))
        for future in cross:
            report.extend(future.result())
    for res in parquet:
        report.extend(check_bytes_hash(res))
        csv_rows = tables[res.table].n + len(tables[res.table].text.scan.ragged) if res.table in tables else None
        report.extend(check_parquet(res, csv_rows))
    report.findings = report.sorted()
    return report
