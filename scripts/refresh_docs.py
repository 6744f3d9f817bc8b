"""Rewrite the generated blocks of README.md (coverage) and DATASHEET.md (gaps) from the repository's tables.

Usage: python scripts/refresh_docs.py [--check]   (--check changes nothing and exits 1 if a block is stale)
"""

from __future__ import annotations

import sys
from pathlib import Path

from gsi_tracker import stats
from gsi_tracker.package import open_package

ROOT = Path(__file__).resolve().parent.parent
HEADER = "Figures for the tables of this commit (`gsi stats --format markdown` prints them afresh):"


def blocks(root: Path = ROOT) -> dict[tuple[str, str], str]:
    """(file, block name) -> the block's generated text."""
    with open_package(root) as package:
        figures = stats.coverage(package)
    return {
        ("README.md", "coverage"): f"{HEADER}\n\n{stats.render_markdown(figures)}",
        ("DATASHEET.md", "gaps"): stats.render_gaps(figures),
    }


def replaced(text: str, name: str, body: str) -> str:
    start, end = f"<!-- {name}:start -->\n", f"<!-- {name}:end -->"
    head, rest = text.split(start, 1)
    return head + start + body + "\n" + end + rest.split(end, 1)[1]


def main(check: bool) -> int:
    stale = []
    for (file, name), body in blocks().items():
        path = ROOT / file
        text = path.read_text(encoding="utf-8")
        new = replaced(text, name, body)
        if new != text:
            stale.append(f"{file} ({name})")
            if not check:
                path.write_text(new, encoding="utf-8")
    verb = "stale" if check else "rewritten"
    print(f"{verb}: {', '.join(stale)}" if stale else "all generated blocks are current")
    return 1 if stale and check else 0


if __name__ == "__main__":
    sys.exit(main("--check" in sys.argv[1:]))
