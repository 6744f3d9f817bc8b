"""Small valid packages for the build, release and diff tests: the repository's declarations plus rows written here.

Rows are dicts keyed by field name; a field a row leaves out is written as an empty cell, and the header comes from
the schema, so the rows do not restate the declaration.
"""

import copy
import csv
import json
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EPOCH = 1767225600  # 2026-01-01T00:00:00Z

ROWS = {
    "sources": [
        {"source_id": "src-agency-a-2024-09-10-forum", "title": "Forum opens", "publisher": "Agency A",
         "published_date": "2024-09-10", "url": "https://a.example/forum", "accessed_date": "2025-01-15",
         "source_type": "news", "language": "en"},
        {"source_id": "src-ministry-b-2024-09-11-pledge", "title": "Minister pledges training, \"3,000\" officers",
         "publisher": "Ministry B", "url": "https://b.example/pledge", "accessed_date": "2025-01-15",
         "source_type": "government", "language": "en", "notes": "Quoted, with a comma; and a line\nbreak."},
    ],
    "actors": [
        {"actor_id": "chn", "name": "China", "actor_type": "state", "iso3": "CHN", "m49_region": "asia",
         "name_zh": "中国"},
        {"actor_id": "chn-mps", "name": "Ministry of Public Security", "actor_type": "government_body",
         "parent_actor_id": "chn"},
    ],
    "events": [
        {"event_id": "ev-2024-forum", "name": "Forum 2024", "event_type": "forum", "edition": "4",
         "start_date": "2024-09-09", "end_date": "2024-09-11", "date_precision": "day", "city": "Lianyungang",
         "country_iso3": "CHN", "description": "A forum.", "attendance_count": "122",
         "attendance_unit": "countries", "attendance_qualifier": "more_than"},
        {"event_id": "ev-2023-forum", "name": "Forum 2023", "event_type": "forum", "start_date": "2023-09-01",
         "date_precision": "month", "country_iso3": "CHN", "description": "An earlier forum."},
    ],
    "commitments": [
        {"commitment_id": "cm-2024-train-3000", "record_kind": "pledge", "pledger_actor_id": "chn",
         "event_id": "ev-2024-forum", "commitment_type": "training", "description": "Train foreign police.",
         "target_group": "foreign police officers", "quantity": "3000", "quantity_unit": "officers",
         "quantity_qualifier": "exact", "status": "announced"},
    ],
    "participants": [
        {"participant_id": "pt-2024-forum-chn-mps-host", "event_id": "ev-2024-forum", "actor_id": "chn-mps",
         "role": "host"},
    ],
    "citations": [
        {"citation_id": "ci-ev-2024-forum-a", "record_table": "events", "record_id": "ev-2024-forum",
         "source_id": "src-agency-a-2024-09-10-forum", "locator": "para. 1", "excerpt": "the forum opened",
         "accessed_date": "2025-01-15"},
        {"citation_id": "ci-ev-2023-forum-a", "record_table": "events", "record_id": "ev-2023-forum",
         "source_id": "src-agency-a-2024-09-10-forum", "locator": "para. 5", "excerpt": "last year's forum",
         "accessed_date": "2025-01-15"},
        {"citation_id": "ci-cm-2024-train-3000-b", "record_table": "commitments", "record_id": "cm-2024-train-3000",
         "source_id": "src-ministry-b-2024-09-11-pledge", "locator": "para. 2", "excerpt": "train 3,000",
         "accessed_date": "2025-01-15"},
        {"citation_id": "ci-pt-2024-forum-chn-mps-host-a", "record_table": "participants",
         "record_id": "pt-2024-forum-chn-mps-host", "source_id": "src-agency-a-2024-09-10-forum",
         "locator": "para. 2", "excerpt": "hosted by the ministry", "accessed_date": "2025-01-15"},
    ],
}


def rows() -> dict:
    """A fresh copy of the rows, for tests that change them."""
    return copy.deepcopy(ROWS)


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
    """A repository-shaped package in `folder`: datapackage.json, schemas/, seeds/, CHANGELOG.md, CITATION.cff."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "schemas", folder / "schemas")
    for name in ("datapackage.json", "CHANGELOG.md", "CITATION.cff"):
        shutil.copy(REPO / name, folder / name)
    (folder / "seeds").mkdir()
    write_seeds(folder, ROWS if table_rows is None else table_rows)
    return folder


def edit_json(path: Path, change) -> None:
    """Load a JSON file, let `change` edit it in place, write it back."""
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
