"""Benchmark `gsi validate` against `frictionless validate` on synthetic packages, and time the CLI on the repo.

Each package uses the repository's datapackage.json and schemas. Its events table has N rows and its citations
table one row per event, built from the clean fixture rows (tests/fixtures/validate/clean) with unique keys;
the other tables keep the fixture rows. Defects of every class are injected at rows spread through the files.
Each tool runs in its own process; wall time and peak resident memory (from wait4) are printed with the findings.

    python scripts/bench_validate.py                  # 10k, 100k and 1M rows
    python scripts/bench_validate.py --sizes 10000    # quick
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CLEAN = REPO / "tests" / "fixtures" / "validate" / "clean"
sys.path[:0] = [str(REPO / "src"), str(REPO)]

from tests.frictionless_map import frictionless_codes  # noqa: E402

COARSE = next(  # a precision whose date shape fixes the day, so a mid-month date breaks it
    value
    for f in json.loads((REPO / "schemas" / "events.schema.json").read_text())["fields"]
    for value, shape in f.get("x-gsi", {}).get("dateShapes", {}).items()
    if shape.endswith("-01")
)

DEFECTS = [
    # (label, table, field, value): a cell set to a bad value; a dict of fields sets several cells
    ("type (integer)", "events", "edition", "2nd"),
    ("type (date)", "events", "start_date", "2024-02-30"),
    ("required", "events", "name", ""),
    ("enum", "events", "event_type", "banquet"),
    ("pattern", "events", "country_iso3", "chn"),
    ("minimum", "events", "edition", "0"),
    ("max-length", "events", "description", "x" * 2001),
    ("foreign-key", "events", "parent_event_id", "ev-1999-nowhere"),
    ("date-shape", "events", None, {"date_precision": COARSE, "start_date": "2024-09-15", "end_date": ""}),
    ("iso3166", "events", "country_iso3", "XXX"),
    ("whitespace", "events", "city", " Lianyungang"),
    ("formula", "events", "theme", "=1+1"),
    ("not-nfc", "events", "city", "Cafe\u0301"),
    ("record-reference", "citations", "record_id", "ev-2099-nothing"),
    ("type (date)", "citations", "accessed_date", "15/01/2025"),
]


def read_rows(table: str) -> tuple[list[str], list[list[str]]]:
    with open(CLEAN / f"{table}.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def generate(folder: Path, n: int) -> dict[str, int]:
    """Write a package with `n` events and citations into `folder`; returns the injected defects by label."""
    shutil.copytree(REPO / "schemas", folder / "schemas")
    shutil.copy(REPO / "datapackage.json", folder / "datapackage.json")
    shutil.copytree(CLEAN, folder / "seeds")
    eh, events = read_rows("events")
    ch, citations = read_rows("citations")
    ei, ci = {c: i for i, c in enumerate(eh)}, {c: i for i, c in enumerate(ch)}
    step = max(n // (len(DEFECTS) + 8), 1)
    bad = {}
    for k, (label, table, field, value) in enumerate(DEFECTS):
        bad.setdefault((table, 3 + (k + 1) * step), []).append((field, value))
    injected: Counter = Counter(label for label, *_ in DEFECTS)
    source = citations[0][ci["source_id"]]
    with (
        open(folder / "seeds" / "events.csv", "w", newline="", encoding="utf-8") as fe,
        open(folder / "seeds" / "citations.csv", "w", newline="", encoding="utf-8") as fc,
    ):
        we, wc = csv.writer(fe, lineterminator="\n"), csv.writer(fc, lineterminator="\n")
        we.writerow(eh)
        wc.writerow(ch)
        wc.writerows(citations)
        for i in range(n):
            row = list(events[i % len(events)])
            if i >= len(events):
                row[ei["event_id"]] += f"-{i}"
                if row[ei["parent_event_id"]]:
                    row[ei["parent_event_id"]] += f"-{i - 1}" if i - 1 >= len(events) else ""
            cite = [f"ci-e{i}", "events", row[ei["event_id"]], source, "para 1", "a fragment", "2025-01-15"]
            for target, index, edits in (
                (row, ei, bad.get(("events", i), [])),
                (cite, ci, bad.get(("citations", i), [])),
            ):
                for field, value in edits:
                    for name, v in value.items() if isinstance(value, dict) else [(field, value)]:
                        target[index[name]] = v
            we.writerow(row)
            if i >= len(events):
                wc.writerow(cite)
            if i == 3 + step * (len(DEFECTS) + 1):
                we.writerow(row)
                injected["primary-key/unique (duplicate row)"] += 1
            if i == 3 + step * (len(DEFECTS) + 2):
                fe.write(",".join(row) + ",surplus\n")
                injected["row-ragged"] += 1
            if i == 3 + step * (len(DEFECTS) + 3):
                fe.write("\n")
                injected["row-blank"] += 1
    return dict(injected)


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


GSI = [sys.executable, "-c", "from gsi_tracker.cli import main; main()"]
FRICTIONLESS = [sys.executable, "-m", "frictionless", "validate", "--json", "datapackage.json"]


def ours(folder: Path):
    wall, peak, out, code = measure([*GSI, "validate", "--format", "json", "."], folder)
    doc = json.loads(out)
    return wall, peak, code, doc["findings"]


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
    """Frictionless errors with no finding of a matching code on the same line (or a structural one)."""
    at: dict = {}
    for f in findings:
        at.setdefault((f["file"], f["line"]), set()).add(f["code"])
    missed = []
    for path, etype, row, note in errors:
        mine = at.get((path, row if row is not None else 1), set())
        if not (mine & frictionless_codes(etype, note) or (row is not None and mine & {"row-ragged", "row-blank"})):
            missed.append((path, etype, row))
    return missed


def bench_size(n: int, skip_frictionless: bool, repeat: int = 1) -> dict:
    with tempfile.TemporaryDirectory(prefix="gsi-bench-") as tmp:
        folder = Path(tmp)
        t = time.perf_counter()
        injected = generate(folder, n)
        gen = time.perf_counter() - t
        size = sum(p.stat().st_size for p in (folder / "seeds").iterdir()) / 1e6
        print(f"\n== {n:,} events + {n:,} citations rows, {size:.0f} MB of CSV (generated in {gen:.1f} s)")
        print("injected:", ", ".join(f"{k} x{v}" for k, v in sorted(injected.items())))
        runs = [ours(folder) for _ in range(repeat)]
        o_wall = statistics.median(r[0] for r in runs)
        o_peak = max(r[1] for r in runs)
        _, _, o_code, findings = runs[0]
        codes = Counter(f["code"] for f in findings)
        spread = f" (median of {repeat}: {', '.join(f'{r[0]:.2f}' for r in runs)})" if repeat > 1 else ""
        print(
            f"gsi validate:          {o_wall:7.2f} s  peak {o_peak:6.0f} MB  exit {o_code}  "
            f"{len(findings)} findings: {dict(sorted(codes.items()))}{spread}"
        )
        result = {"rows": n, "mb": size, "gsi_s": o_wall, "gsi_mb": o_peak, "findings": len(findings)}
        if skip_frictionless:
            return result
        f_wall, f_peak, f_code, errors = theirs(folder)
        types = Counter(e[1] for e in errors)
        print(
            f"frictionless validate: {f_wall:7.2f} s  peak {f_peak:6.0f} MB  exit {f_code}  "
            f"{len(errors)} errors: {dict(sorted(types.items()))}"
        )
        missed = uncovered(findings, errors)
        print(f"speed-up x{f_wall / o_wall:.1f}; frictionless errors not covered by ours: {len(missed)} {missed[:5]}")
        result.update(frictionless_s=f_wall, frictionless_mb=f_peak, errors=len(errors), missed=len(missed))
        return result


def cli_times(runs: int = 5) -> None:
    help_times = [measure([*GSI, "--help"], REPO)[0] for _ in range(runs)]
    repo = [measure([*GSI, "validate", "."], REPO) for _ in range(runs)]
    print(f"\ngsi --help:           median {statistics.median(help_times):.3f} s (min {min(help_times):.3f})")
    walls = [r[0] for r in repo]
    print(
        f"gsi validate (repo):  median {statistics.median(walls):.3f} s (min {min(walls):.3f}), "
        f"peak {max(r[1] for r in repo):.0f} MB, exit {repo[0][3]}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated event counts")
    parser.add_argument("--no-frictionless", action="store_true", help="time gsi validate only")
    parser.add_argument("--repeat", type=int, default=3, help="runs of gsi validate per size (median reported)")
    args = parser.parse_args()
    cli_times()
    results = [bench_size(int(s), args.no_frictionless, args.repeat) for s in args.sizes.split(",") if s]
    print("\nrows,csv_mb,gsi_s,gsi_peak_mb,frictionless_s,frictionless_peak_mb,speedup,uncovered")
    for r in results:
        f = r.get("frictionless_s")
        print(
            f"{r['rows']},{r['mb']:.0f},{r['gsi_s']:.2f},{r['gsi_mb']:.0f},"
            f"{f and round(f, 2)},{r.get('frictionless_mb') and round(r['frictionless_mb'])},"
            f"{f and round(f / r['gsi_s'], 1)},{r.get('missed')}"
        )


if __name__ == "__main__":
    main()
