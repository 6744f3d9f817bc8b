"""Time gsi_tracker.load(): the bundled package, and a release built from the seeds read as CSV and as Parquet.

Usage: python scripts/bench_load.py [ROUNDS]
"""

import functools
import shutil
import sys
import tempfile
import time
from pathlib import Path

import gsi_tracker
from gsi_tracker.build import build_release

REPO = Path(__file__).resolve().parent.parent
EPOCH = 1767225600


def best_of(rounds: int, fn) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main(rounds: int = 5) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        for name in ("datapackage.json", "CHANGELOG.md", "CITATION.cff"):
            shutil.copy(REPO / name, src / name)
        for folder in ("schemas", "seeds"):
            shutil.copytree(REPO / folder, src / folder)
        release = build_release(src, Path(tmp) / "dist", epoch=EPOCH)
        rows = sum(len(frame) for frame in gsi_tracker.load(path=release.folder).values())
        print(f"{rows} rows in {len(gsi_tracker.load())} tables; best of {rounds} runs")
        figures = {"bundled (csv)": best_of(rounds, gsi_tracker.load)}
        for fmt in ("csv", "parquet"):
            load = functools.partial(gsi_tracker.load, path=release.folder, format=fmt)
            figures[f"release folder ({fmt})"] = best_of(rounds, load)
        figures["release zip (parquet)"] = best_of(rounds, functools.partial(gsi_tracker.load, path=release.zip))
        for label, seconds in figures.items():
            print(f"{label:<24}{seconds * 1000:8.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
