"""Small valid packages for the build, release and diff tests: the repository's declarations plus the rows of
tests/fixtures/release/ (and, for tests that add rows, tests/fixtures/release_more/).

Rows are dicts keyed by field name; a field a row leaves out is written as an empty cell, and the header comes from
the schema, so neither the rows nor the tests restate the declaration.
"""

import copy
import csv
import json
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EPOCH = 1767225600  # 2026-01-01T00:00:00Z

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _read_rows(folder: Path) -> dict:
    """Each CSV of a fixture folder as a list of dicts keyed by field name."""
    out = {}
    for path in sorted(folder.glob("*.csv")):
        with open(path, newline="", encoding="utf-8") as f:
            out[path.stem] = [dict(row) for row in csv.DictReader(f)]
    return out


ROWS = _read_rows(FIXTURES / "release")
MORE_ROWS = _read_rows(FIXTURES / "release_more")


def rows() -> dict:
    """A fresh copy of the rows, for tests that change them."""
    return copy.deepcopy(ROWS)


def more_rows() -> dict:
    """A fresh copy of rows that tests add to a package (a second state)."""
    return copy.deepcopy(MORE_ROWS)


def header(folder: Path, table: str) -> list[str]:
    schema = json.loads((folder / "schemas" / f"{table}.schema.json").read_text(encoding="utf-8"))
    return [f["name"] for f in schema["fields"]]


def write_seeds(folder: Path, table_rows: dict) -> None:
    """Write seeds/<table>.csv for every table of the package, rows unsorted as given."""
    for table in json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))["resources"]:
        name = table["name"]
        fields = header(folder, name)
        with open(folder / "seeds" / f"{name}.csv", "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(fields)
            for row in table_rows.get(name, []):
                writer.writerow([row.get(k, "") for k in fields])


def make_package(folder: Path, table_rows: dict | None = None) -> Path:
    """A repository-shaped package in `folder`: datapackage.json, schemas/, seeds/, CHANGELOG.md, CITATION.cff.

    The descriptor and schemas are the repository's; CHANGELOG.md and CITATION.cff are those of a package never
    released (tests/fixtures/unreleased/), so the tests do not depend on which versions the repository has cut."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "schemas", folder / "schemas")
    shutil.copy(REPO / "datapackage.json", folder / "datapackage.json")
    for name in ("CHANGELOG.md", "CITATION.cff"):
        shutil.copy(FIXTURES / "unreleased" / name, folder / name)
    (folder / "seeds").mkdir()
    write_seeds(folder, ROWS if table_rows is None else table_rows)
    return folder


def fixture_package(folder: Path, fixture: str) -> Path:
    """A repository-shaped package whose seeds are the rows of tests/fixtures/<fixture>/."""
    return make_package(folder, _read_rows(FIXTURES / fixture))


def edit_json(path: Path, change) -> None:
    """Load a JSON file, let `change` edit it in place, write it back."""
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
