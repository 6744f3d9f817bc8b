"""The generated blocks of README.md (coverage) and DATASHEET.md (gaps) match the repository's tables: a change to
the seeds that leaves them stale fails here until `python scripts/refresh_docs.py` is run."""

import importlib.util

from gsi_tracker import stats
from gsi_tracker.package import open_package
from tests.release_packages import REPO, fixture_package

spec = importlib.util.spec_from_file_location("refresh_docs", REPO / "scripts" / "refresh_docs.py")
refresh_docs = importlib.util.module_from_spec(spec)
spec.loader.exec_module(refresh_docs)


def test_the_generated_blocks_are_current():
    for (file, name), body in refresh_docs.blocks(REPO).items():
        text = (REPO / file).read_text(encoding="utf-8")
        assert f"<!-- {name}:start -->\n{body}\n<!-- {name}:end -->" in text, "run python scripts/refresh_docs.py"


def test_gaps_name_the_empty_and_thin_years(tmp_path):
    with open_package(fixture_package(tmp_path, "sample")) as package:
        gaps = stats.render_gaps(stats.coverage(package))
    assert "Every year has an event; fewer than ten in 2022 (1), 2023 (1), 2024 (2)." in gaps
    assert "the Middle East (" in gaps and "Pledges with no linked delivery" in gaps
