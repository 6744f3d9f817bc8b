"""No enum value, pattern or bound of schemas/*.json is restated as a literal in the project's Python code: the
library, the tests (whose rows live in CSV fixtures) and the scripts."""

import ast
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON_FOLDERS = [ROOT / "src", ROOT / "tests", ROOT / "scripts"]


def declared_literals(repo) -> dict[str, str]:
    """Every enum value, pattern and string bound in the schemas, mapped to where it is declared."""
    desc = json.loads((repo / "datapackage.json").read_text())
    tables = {r["name"] for r in desc["resources"]}
    out = {}
    for path in sorted((repo / "schemas").glob("*.json")):
        for field in json.loads(path.read_text())["fields"]:
            c = field.get("constraints", {})
            for value in c.get("enum", []):
                if value not in tables:
                    out[value] = f"{path.name}: {field['name']} enum"
            for key in ("pattern", "minimum", "maximum"):
                if isinstance(c.get(key), str):
                    out[c[key]] = f"{path.name}: {field['name']} {key}"
    return out


def string_literals(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


def test_no_declared_value_is_written_in_python(repo):
    declared = declared_literals(repo)
    assert declared, "the schemas declare no enums or patterns?"
    restated = [
        f"{path.relative_to(ROOT)}:{line}: {value!r} is declared in {declared[value]}"
        for folder in PYTHON_FOLDERS
        for path in sorted(folder.rglob("*.py"))
        for line, value in string_literals(path)
        if value in declared
    ]
    assert not restated, "\n".join(restated)
