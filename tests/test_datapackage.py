"""The repository's datapackage.json passes a real frictionless run."""

import json
import subprocess
import sys

from frictionless import validate


def test_frictionless_validates_the_repo_package(repo, monkeypatch):
    monkeypatch.chdir(repo)
    report = validate("datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_frictionless_cli_validates_the_repo_package(repo):
    frictionless = [sys.executable, "-m", "frictionless"]
    done = subprocess.run([*frictionless, "validate", "datapackage.json"], cwd=repo, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:]


def test_descriptor_is_data_package_v2(repo):
    desc = json.loads((repo / "datapackage.json").read_text())
    assert desc["$schema"].startswith("https://datapackage.org/profiles/2.0/")
    for res in desc["resources"]:
        schema = json.loads((repo / res["schema"]).read_text())
        assert schema["$schema"].startswith("https://datapackage.org/profiles/2.0/")
        assert isinstance(schema["primaryKey"], list)
        for fk in schema.get("foreignKeys", []):
            assert isinstance(fk["fields"], list) and isinstance(fk["reference"]["fields"], list)
