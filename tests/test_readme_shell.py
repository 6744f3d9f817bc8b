"""The README's shell blocks run as written: the set-up command twice in a source tree without git, the validate
and fmt lines on the repository, the release block in a git clone with a remote, and the test command is exactly
the one CI runs. The R block runs where R with arrow is installed (CI has no R)."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gsi_tracker.build import build_release
from tests.release_packages import EPOCH, REPO, make_package

README = (REPO / "README.md").read_text(encoding="utf-8")
GSI = Path(sys.executable).with_name("gsi")
SOURCE_TREE = ("datapackage.json", "schemas", "seeds", "CHANGELOG.md", "CITATION.cff", "src/gsi_tracker")


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, re.S)


def block_with(language: str, text: str) -> str:
    found = [b for b in blocks(language) if text in b]
    assert len(found) == 1, f"one {language} block of the README holds {text!r}"
    return found[0]


def commands(block: str) -> list[str]:
    """The block's command lines, comments removed."""
    return [line.split("#", 1)[0].strip() for line in block.splitlines() if line.split("#", 1)[0].strip()]


def run(command: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    """`command` through the shell, with this interpreter's `gsi` and `python` first on PATH."""
    environ = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    environ["PATH"] = f"{GSI.parent}{os.pathsep}{environ.get('PATH', '')}"
    environ.update(env)
    return subprocess.run(command, shell=True, cwd=cwd, env=environ, capture_output=True, text=True, check=False)


def source_tree(dest: Path) -> Path:
    """The files a source archive holds for building, copied to `dest`."""
    for rel in SOURCE_TREE:
        src, out = REPO / rel, dest / rel
        if src.is_dir():
            shutil.copytree(src, out, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, out)
    return dest


def test_the_test_command_is_the_one_ci_runs():
    block = block_with("sh", "pytest")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    assert commands(block) == [ci[-1]], ".ci/run ends with the README's test command"


def test_the_set_up_command_succeeds_twice_without_git(tmp_path):
    (command,) = commands(block_with("sh", "gsi build"))
    install, build = command.split(" && ")
    assert install == "python -m pip install ."
    tree = source_tree(tmp_path / "archive")
    first = run(build, tree, GIT_CEILING_DIRECTORIES=str(tmp_path))
    assert first.returncode == 0, first.stderr + first.stdout
    second = run(build, tree, GIT_CEILING_DIRECTORIES=str(tmp_path))
    assert second.returncode == 0, second.stderr + second.stdout
    assert "same bytes" in second.stdout


def test_the_validate_lines_pass_on_the_repository():
    lines = commands(block_with("sh", "gsi validate --format json"))
    assert len(lines) >= 4
    for line in lines:
        done = run(line, REPO)
        assert done.returncode == 0, f"{line}: {done.stderr}{done.stdout}"
    report = json.loads(run("gsi validate --format json", REPO).stdout)
    assert report["valid"] is True


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_release_block_cuts_a_release_that_the_tag_rebuilds(tmp_path):
    block = block_with("sh", "gsi release")
    version = re.search(r"gsi release (\d+\.\d+\.\d+)", block).group(1)
    work = source_tree(tmp_path / "work")
    registry = work / "src" / "gsi_tracker" / "registry.json"
    registry.write_text(json.dumps({**json.loads(registry.read_text()), "releases": []}), encoding="utf-8")
    log = work / "CHANGELOG.md"
    log.write_text(
        log.read_text(encoding="utf-8").replace("## [Unreleased]\n", "## [Unreleased]\n\n- A test release.\n", 1),
        encoding="utf-8",
    )
    origin = tmp_path / "origin.git"
    git = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_CEILING_DIRECTORIES": str(tmp_path)}
    git |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_COMMITTER_DATE": str(EPOCH)}
    for setup in (
        f"git init -q --bare {origin}",
        "git init -q -b main . && git add -A && git commit -q -m start",
        f"git remote add origin {origin} && git push -q -u origin main",
    ):
        assert run(setup, tmp_path if "--bare" in setup else work, **git).returncode == 0, setup
    done = run(" && ".join(commands(block)), work, **git)
    assert done.returncode == 0, done.stderr + done.stdout
    entry = json.loads(registry.read_text(encoding="utf-8"))["releases"][0]
    assert entry["version"] == version
    assert f"## [{version}] - {entry['date']}" in log.read_text(encoding="utf-8")
    tagged = tmp_path / "tagged"
    assert run(f"git clone -q --branch v{version} {origin} {tagged}", tmp_path, **git).returncode == 0
    rebuilt = run("gsi build", tagged, **git)
    assert rebuilt.returncode == 0, rebuilt.stderr + rebuilt.stdout
    assert entry["zip"]["sha256"] in rebuilt.stdout, "the tag rebuilds the bytes the registry lists"


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="R is not installed (CI has none)")
def test_the_r_block_reads_a_release(tmp_path):
    built = build_release(make_package(tmp_path / "pkg"), tmp_path / "dist", epoch=EPOCH)
    code = re.sub(r"gsi-tracker-[0-9.]+/", f"{built.folder.as_posix()}/", block_with("r", "read_parquet"))
    done = subprocess.run(
        ["Rscript", "-e", code + "\nstopifnot(nrow(events) > 0)"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
