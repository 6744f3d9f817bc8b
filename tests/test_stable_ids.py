"""IDs are stable: every record of the latest release is still in the seeds, under the same ID."""

import csv
import json

import pytest

from tests.release_packages import REPO
from tests.test_published_release import LATEST, tagged_tree


def _keys(seeds_csv, key: str) -> set[str]:
    with open(seeds_csv, newline="", encoding="utf-8") as f:
        return {row[key] for row in csv.DictReader(f)}


def test_every_released_id_is_still_in_the_seeds(tmp_path):
    tree = tagged_tree(tmp_path / "tag")
    if tree is None:
        pytest.skip(f"git or the tag v{LATEST} is not available")
    for schema_path in sorted((REPO / "schemas").glob("*.schema.json")):
        table = schema_path.name.removesuffix(".schema.json")
        released = tree / "seeds" / f"{table}.csv"
        if not released.exists():
            continue
        (key,) = json.loads(schema_path.read_text(encoding="utf-8"))["primaryKey"]
        missing = _keys(released, key) - _keys(REPO / "seeds" / f"{table}.csv", key)
        assert not missing, f"{table}: released IDs no longer in the seeds: {sorted(missing)[:10]}"
