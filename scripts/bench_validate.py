"""Benchmark `gsi validate` on the repository's package replicated K times, against the parse floor and frictionless.

The package is the repository's datapackage.json, schemas and all its tables, each table's rows written K times;
in copy k > 0 every ID (primary keys, the fields of foreign keys and the record a citation points at, all read from
the schemas) gets the suffix `-r<k>`, so the replicated package is as valid as the original. Defects of many
classes are then injected at known lines. Each tool runs in its own process; wall time and peak resident memory
(from wait4) are printed, with how many injected defects `gsi validate` found at their line and how many findings
fall on clean rows. Also timed: `gsi validate` on the repository's package and `gsi --help`.

    python scripts/bench_validate.py --replicate 250          # about 1.1M rows
    python scripts/bench_validate.py --replicate 20 --no-frictionless
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "src"), str(REPO)]

from gsi_tracker.package import open_package  # noqa: E402
from tests.frictionless_map import frictionless_codes  # noqa: E402

GSI = [sys.executable, "-c", "from gsi_tracker.cli import main; main()"]
FRICTIONLESS = [sys.executable, "-m", "frictionless", "validate", "--json", "datapackage.json"]
FLOOR = [
    sys.executable,
    "-c",
    "import csv, sys, pyarrow as pa, pyarrow.csv as pc\n"
    "for p in sys.argv[1:]:\n"
    "    names = next(csv.reader(open(p, newline='', encoding='utf-8')))\n"
    "    pc.read_csv(p, parse_options=pc.ParseOptions(invalid_row_handler=lambda row: 'skip'),\n"
    "                convert_options=pc.ConvertOptions(column_types={n: pa.string() for n in names}))\n",
]


@dataclass(frozen=True)
class Defect:
    """A cell set to a bad value in one row of `table` (the first row whose `where` field is filled, if given)."""

    label: str
    table: str
    field: str
    value: str
    where: str | None = None


DEFECTS = [
    Defect("type (integer)", "events", "edition", "2nd"),
    Defect("type (date)", "events", "start_date", "2024-02-30"),
    Defect("type (date before 1677)", "citations", "accessed_date", "1500-01-01"),
    Defect("required", "events", "name", ""),
    Defect("enum", "events", "event_type", "banquet"),
    Defect("pattern", "events", "country_iso3", "chn"),
    Defect("max-length", "events", "description", "x" * 2001),
    Defect("foreign-key", "events", "parent_event_id", "ev-1999-nowhere"),
    Defect("iso3166", "actors", "iso3", "XXX", where="iso3"),
    Defect("whitespace", "events", "city", " Lianyungang"),
    Defect("formula", "events", "theme", "=1+1"),
    Defect("not-nfc", "events", "city", "Cafe\u0301"),
    Defect("minimum", "commitments", "quantity", "-5", where="quantity"),
    Defect("enum (role)", "participants", "role", "banquet"),
    Defect("pattern (url)", "sources", "url", "ftp:/nowhere"),
    Defect("type (date)", "citations", "accessed_date", "15/01/2025"),
]
EXTRA = ["duplicate row", "ragged row", "blank line", "record-reference"]  # rows added to citations


def id_fields(package) -> dict[str, set[str]]:
    """Per table, the fields holding IDs: single-field primary keys, foreign-key fields, recordReference ids."""
    out: dict[str, set[str]] = {t: set() for t in package.tables}
    for t in package.tables:
        model = package.model(t)
        if len(model.primary_key) == 1:
            out[t].add(model.primary_key[0])
        for fk in model.foreign_keys:
            out[t].update(fk.fields)
        if model.rules.record_reference is not None:
            out[t].add(model.rules.record_reference.id_field)
    return out


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def _line(row: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(row)
    return buf.getvalue()


def generate(folder: Path, k: int) -> tuple[set[tuple[str, int]], Counter]:
    """Write the replicated package into `folder`; returns the injected (file, line) places and labels."""
    shutil.copytree(REPO / "schemas", folder / "schemas")
    shutil.copy(REPO / "datapackage.json", folder / "datapackage.json")
    (folder / "seeds").mkdir()
    with open_package(REPO) as package:
        ids = id_fields(package)
        resources = {r.table: r for r in package.resources}
    injected: set[tuple[str, int]] = set()
    labels: Counter = Counter()
    for n, table in enumerate(resources):
        header, rows = read_rows(resources[table].path)
        col = {c: i for i, c in enumerate(header)}
        suffixed = [col[f] for f in ids[table] if f in col]
        defects = [d for d in DEFECTS if d.table == table]
        # the defect j of this table goes into copy (j + 1) * k // (len + 1), at a row where its condition holds
        plan = {}
        for j, d in enumerate(defects):
            copy = (j + 1 + n) * k // (len(defects) + 2 + n) if k > 1 else 0
            candidates = [i for i, r in enumerate(rows) if d.where is None or r[col[d.where]]]
            plan[(copy, candidates[(j * 37) % len(candidates)])] = d
        relpath = f"seeds/{table}.csv"
        with open(folder / relpath, "w", encoding="utf-8", newline="") as out:
            out.write(_line(header))
            line = 2
            for c in range(k):
                suffix = f"-r{c}" if c else ""
                for i, row in enumerate(rows):
                    row = list(row)
                    if suffix:
                        for p in suffixed:
                            if row[p]:
                                row[p] += suffix
                    d = plan.get((c, i))
                    if d is not None:
                        row[col[d.field]] = d.value
                        injected.add((relpath, line))
                        labels[d.label] += 1
                    text = _line(row)
                    out.write(text)
                    line += text.count("\n")
                    if table == "citations" and c == k // 2 and i == len(rows) // 2:
                        line = _extra_citations(out, row, col, line, relpath, injected, labels)
    return injected, labels


def _extra_citations(out, row, col, line, relpath, injected, labels) -> int:
    """A duplicate row, a ragged row, a blank line and a citation of no record, after `row`."""
    out.write(_line(row))  # the same citation_id again: primary-key and unique
    injected.add((relpath, line))
    line += 1
    ragged = list(row)
    ragged[col["citation_id"]] += "-ragged"
    out.write(_line([*ragged, "surplus"]))
    injected.add((relpath, line))
    line += 1
    out.write("\n")
    injected.add((relpath, line))
    line += 1
    orphan = list(row)
    orphan[col["citation_id"]] += "-orphan"
    orphan[col["record_id"]] = "ev-2099-nothing"
    out.write(_line(orphan))
    injected.add((relpath, line))
    line += 1
    labels.update(EXTRA)
    return line


def measure(cmd: list[str], cwd: Path) -> tuple[float, float, str, int]:
    """(wall seconds, peak resident MB, stdout, exit code) of one command in its own process."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        return wall, usage.ru_maxrss / 1024, out.read().decode("utf-8", "replace"), proc.returncode


def theirs(folder: Path):
    wall, peak, out, code = measure(FRICTIONLESS, folder)
    doc = json.loads(out)
    paths = {r["name"]: r["path"] for r in json.loads((folder / "datapackage.json").read_text())["resources"]}
    errors = []
    for task in doc["tasks"]:
        path = paths.get(task["name"], task.get("place"))
        for e in task["errors"]:
            errors.append((path, e["type"], e.get("rowNumber"), e.get("note", "")))
    return wall, peak, code, errors


def uncovered(findings, errors) -> list:
    """Frictionless errors with no finding of a matching code on the same line (or a structural one).

    A cell we report as `type` (such as a date before 1677, which datetime64[ns] cannot hold) is not checked against
    its constraints, so frictionless's constraint error on that cell counts as covered by it.
    """
    at: dict = {}
    for f in findings:
        at.setdefault((f["file"], f["line"]), set()).add(f["code"])
    missed = []
    for path, etype, row, note in errors:
        mine = at.get((path, row if row is not None else 1), set())
        covering = {"row-ragged", "row-blank"} | ({"type"} if etype == "constraint-error" else set())
        if not (mine & frictionless_codes(etype, note) or (row is not None and mine & covering)):
            missed.append((path, etype, row))
    return missed


def bench(k: int, repeat: int, with_frictionless: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="gsi-bench-") as tmp:
        folder = Path(tmp)
        t = time.perf_counter()
        injected, labels = generate(folder, k)
        gen = time.perf_counter() - t
        csvs = sorted((folder / "seeds").glob("*.csv"))
        size = sum(p.stat().st_size for p in csvs) / 1e6
        rows = sum(p.read_bytes().count(b"\n") - 1 for p in csvs)
        print(f"\n== K={k}: {rows:,} rows in {len(csvs)} tables, {size:.0f} MB of CSV (generated in {gen:.1f} s)")
        listed = ", ".join(f"{label} x{n}" for label, n in sorted(labels.items()))
        print(f"injected {len(injected)} defects at known lines: {listed}")

        floor = [measure([*FLOOR, *map(str, csvs)], folder) for _ in range(repeat)]
        f_wall, f_peak = statistics.median(r[0] for r in floor), max(r[1] for r in floor)
        print(f"pyarrow parse floor:   {f_wall:7.2f} s  peak {f_peak:6.0f} MB  (every CSV read as strings)")

        runs = [measure([*GSI, "validate", "--format", "json", "."], folder) for _ in range(repeat)]
        g_wall, g_peak = statistics.median(r[0] for r in runs), max(r[1] for r in runs)
        findings = json.loads(runs[0][2])["findings"]
        places = {(f["file"], f["line"]) for f in findings}
        found = len(injected & places)
        clean = [f for f in findings if (f["file"], f["line"]) not in injected]
        spread = ", ".join(f"{r[0]:.2f}" for r in runs)
        print(
            f"gsi validate:          {g_wall:7.2f} s  peak {g_peak:6.0f} MB  exit {runs[0][3]}  "
            f"{len(findings)} findings (runs: {spread})"
        )
        examples = [(f["file"], f["line"], f["code"]) for f in clean[:5]]
        print(
            f"  {g_wall / f_wall:.1f}x the parse floor; injected defects found at their line: {found} of "
            f"{len(injected)}; findings on clean rows: {len(clean)} {examples}"
        )
        print("  codes:", dict(sorted(Counter(f["code"] for f in findings).items())))
        if not with_frictionless:
            return
        fr_wall, fr_peak, fr_code, errors = theirs(folder)
        missed = uncovered(findings, errors)
        print(
            f"frictionless validate: {fr_wall:7.2f} s  peak {fr_peak:6.0f} MB  exit {fr_code}  {len(errors)} errors; "
            f"gsi validate is {fr_wall / g_wall:.0f}x faster; frictionless errors not among ours: {len(missed)} "
            f"{missed[:5]}"
        )


def cli_times(runs: int = 5) -> None:
    help_times = [measure([*GSI, "--help"], REPO)[0] for _ in range(runs)]
    repo = [measure([*GSI, "validate", "."], REPO) for _ in range(runs)]
    walls = [r[0] for r in repo]
    print(f"gsi --help:            median {statistics.median(help_times):.3f} s (min {min(help_times):.3f})")
    print(
        f"gsi validate (repo):   median {statistics.median(walls):.3f} s (min {min(walls):.3f}), "
        f"peak {max(r[1] for r in repo):.0f} MB, exit {repo[0][3]}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--replicate", type=int, default=250, help="copies of every table (K)")
    parser.add_argument("--no-frictionless", action="store_true", help="skip frictionless validate")
    parser.add_argument("--repeat", type=int, default=3, help="runs of gsi validate and the floor (median)")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    cli_times()
    bench(args.replicate, args.repeat, not args.no_frictionless)


if __name__ == "__main__":
    main()
