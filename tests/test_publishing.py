"""The publishing kit: CITATION.cff against the CFF schema, workflows against GitHub's schema, pre-commit hooks."""

import json
import subprocess
import sys

import pytest
import yaml

WORKFLOWS = ["ci.yml", "release.yml"]


def check_jsonschema(schema: str, *files) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *map(str, files)]
    return subprocess.run(cmd, capture_output=True, text=True)


def test_citation_cff_is_valid_and_matches_the_package(repo):
    done = check_jsonschema("vendor.citation-file-format", repo / "CITATION.cff")
    assert done.returncode == 0, done.stdout + done.stderr
    cff = yaml.safe_load((repo / "CITATION.cff").read_text())
    desc = json.loads((repo / "datapackage.json").read_text())
    assert cff["version"] == desc["version"]
    assert cff["license"] == desc["licenses"][0]["name"]


def test_a_broken_citation_cff_is_caught(repo, tmp_path):
    cff = yaml.safe_load((repo / "CITATION.cff").read_text())
    del cff["authors"]
    (tmp_path / "CITATION.cff").write_text(yaml.safe_dump(cff))
    assert check_jsonschema("vendor.citation-file-format", tmp_path / "CITATION.cff").returncode != 0


@pytest.mark.parametrize("name", WORKFLOWS)
def test_workflows_follow_githubs_schema(repo, name):
    done = check_jsonschema("vendor.github-workflows", repo / ".github" / "workflows" / name)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_broken_workflow_is_caught(repo, tmp_path):
    flow = yaml.safe_load((repo / ".github" / "workflows" / "ci.yml").read_text())
    del flow["jobs"]["check"]["runs-on"]
    (tmp_path / "bad.yml").write_text(yaml.safe_dump(flow))
    assert check_jsonschema("vendor.github-workflows", tmp_path / "bad.yml").returncode != 0


def test_ci_workflow_runs_the_checks_and_the_readme_test_command(repo):
    steps = yaml.safe_load((repo / ".github" / "workflows" / "ci.yml").read_text())["jobs"]["check"]["steps"]
    runs = [s.get("run", "") for s in steps]
    assert "gsi fmt --check" in runs
    assert "gsi validate --format github" in runs
    assert any("pytest" in r for r in runs)


def test_pre_commit_hooks_call_gsi(repo):
    hooks = yaml.safe_load((repo / ".pre-commit-hooks.yaml").read_text())
    ids = {h["id"]: h for h in hooks}
    assert ids["gsi-validate"]["entry"] == "gsi validate"
    for hook in hooks:
        assert {"id", "name", "entry", "language"} <= set(hook)


def test_ci_workflow_lints_types_and_tests_on_two_pythons(repo):
    job = yaml.safe_load((repo / ".github" / "workflows" / "ci.yml").read_text())["jobs"]["check"]
    assert job["strategy"]["matrix"]["python-version"] == ["3.10", "3.13"]
    runs = [s.get("run", "") for s in job["steps"]]
    assert {"ruff check .", "ruff format --check .", "mypy src"} <= set(runs)


def test_ci_script_lints_then_runs_the_readme_test_command(repo):
    script = (repo / ".ci" / "run").read_text().splitlines()
    readme = (repo / "README.md").read_text()
    command = readme.split("To run the tests:\n\n```sh\n", 1)[1].split("\n```", 1)[0]
    assert command in script
    lint = [script.index(c) for c in ("ruff check .", "ruff format --check .", "mypy src")]
    assert max(lint) < script.index(command)
    assert any("chromium" in line for line in script)


def test_pre_commit_config_runs_ruff_mypy_and_gsi(repo):
    config = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text())
    ids = {h["id"] for r in config["repos"] for h in r["hooks"]}
    assert {"ruff-check", "ruff-format", "mypy", "gsi-fmt", "gsi-validate"} <= ids
