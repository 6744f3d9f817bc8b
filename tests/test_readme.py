"""The README's Python and SQL examples run: the Python blocks in order in one namespace, the SQL block in DuckDB
against a release built here (the release name in it replaced by that release's folder)."""

import re

import duckdb
import pytest

from gsi_tracker.build import build_release
from tests.release_packages import EPOCH, REPO, make_package

README = (REPO / "README.md").read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, re.S)


def test_the_python_blocks_run_in_order():
    assert blocks("python"), "the README has Python examples"
    namespace: dict = {}
    for code in blocks("python"):
        exec(compile(code, "README.md", "exec"), namespace)
    assert len(namespace["ds"].events) > 0


@pytest.mark.parametrize("sql", blocks("sql"))
def test_the_sql_blocks_run_in_duckdb_on_a_release(sql, tmp_path):
    built = build_release(make_package(tmp_path / "pkg"), tmp_path / "dist", epoch=EPOCH)
    query = re.sub(r"gsi-tracker-[0-9.]+/", f"{built.folder.as_posix()}/", sql)
    assert duckdb.sql(query).fetchall(), "the example query returns rows"
