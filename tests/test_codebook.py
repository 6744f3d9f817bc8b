"""The codebook is generated from the declarations, and a stale one is caught."""

import json
import shutil

from click.testing import CliRunner

from gsi_tracker import codebook
from gsi_tracker import schema as sch
from gsi_tracker.cli import cli
from gsi_tracker.package import open_package


def test_committed_codebook_is_current(repo):
    with open_package(repo) as package:
        assert (repo / "docs" / "codebook.md").read_text(encoding="utf-8") == codebook.render(package), (
            "docs/codebook.md is stale: run `gsi codebook`"
        )


def test_every_allowed_value_has_a_meaning(repo):
    with open_package(repo) as package:
        for table in package.tables:
            for f in sch.fields(package.schema(table)):
                for value, meaning in sch.enum_meanings(f).items():
                    assert meaning, (
                        f"{table}.{f.name}: value {value!r} has no meaning `{value} (...)` in its description"
                    )


def test_codebook_lists_every_field_and_value(repo):
    with open_package(repo) as package:
        text = codebook.render(package)
        for table in package.tables:
            assert f"## {table}" in text
            for f in sch.fields(package.schema(table)):
                assert f"| `{f.name}` |" in text
                for value in f.enum or ():
                    assert f"| `{value}` |" in text


def _copy(repo, tmp_path):
    for name in ("schemas", "seeds", "docs"):
        shutil.copytree(repo / name, tmp_path / name)
    shutil.copy(repo / "datapackage.json", tmp_path / "datapackage.json")
    return tmp_path


def test_check_fails_on_a_stale_codebook_and_write_mends_it(repo, tmp_path):
    pkg = _copy(repo, tmp_path)
    path = pkg / "schemas" / "events.schema.json"
    schema = json.loads(path.read_text())
    schema["fields"][1]["description"] += " Changed."
    path.write_text(json.dumps(schema))
    runner = CliRunner()
    stale = runner.invoke(cli, ["codebook", str(pkg), "--check"])
    assert stale.exit_code == 1
    assert "stale" in stale.output
    assert runner.invoke(cli, ["codebook", str(pkg)]).exit_code == 0
    assert "Changed." in (pkg / "docs" / "codebook.md").read_text()
    assert runner.invoke(cli, ["codebook", str(pkg), "--check"]).exit_code == 0


def test_unreadable_package_exits_2(tmp_path):
    result = CliRunner().invoke(cli, ["codebook", str(tmp_path / "missing")])
    assert result.exit_code == 2
    assert "no such file" in result.output
