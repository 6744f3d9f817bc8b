"""Fixture packages for validate and fmt: the repository's declarations, the clean rows, and one case's overlay."""

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "fixtures" / "validate"


def build(folder: Path, case: str = "clean") -> Path:
    """A package in `folder`: datapackage.json and schemas/ from the repo, seeds/ from clean/ plus the case's files."""
    shutil.copytree(REPO / "schemas", folder / "schemas")
    shutil.copy(REPO / "datapackage.json", folder / "datapackage.json")
    shutil.copytree(CASES / "clean", folder / "seeds")
    if case != "clean":
        for f in (CASES / case).iterdir():
            shutil.copy(f, folder / "seeds" / f.name)
    return folder


def defect_cases() -> list[str]:
    return sorted(p.name for p in CASES.iterdir() if p.is_dir() and p.name != "clean")
