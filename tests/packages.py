"""Build small real data packages from the repository's declarations and the CSV rows of a fixture folder."""

import json
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def make_package(folder: Path, fixture: str) -> Path:
    """Copy datapackage.json and schemas/ from the repository, and the seeds from tests/fixtures/<fixture>/."""
    shutil.copytree(REPO / "schemas", folder / "schemas")
    shutil.copy(REPO / "datapackage.json", folder / "datapackage.json")
    shutil.copytree(FIXTURES / fixture, folder / "seeds")
    return folder


def header(table: str) -> list[str]:
    return [f["name"] for f in json.loads((REPO / "schemas" / f"{table}.schema.json").read_text())["fields"]]
