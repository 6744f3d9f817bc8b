"""Runs killed at their worst moment (SIGKILL in a real `gsi` process, at a chosen step) leave nothing the next run
cannot finish or undo: a build killed between placing its folder and its zip is finished; a killed `gsi fmt`
leaves a temporary file the next one removes; a `gsi release` killed while replacing files is rolled back whole.
A seed that is a symbolic link stays one."""

import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from gsi_tracker.release import roll_back_killed_releases
from tests.hostile import assert_clean_exit, gsi
from tests.release_packages import EPOCH, make_package
from tests.test_release import repo_like, snapshot

DIE_AT = """
import os, signal, sys
import {module} as target
real = target.{name}
calls = [0]

def dying(*args, **kwargs):
    calls[0] += 1
    if calls[0] == {call}:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(*args, **kwargs)

target.{name} = dying
from gsi_tracker.cli import main
sys.argv = ["gsi", *{args!r}]
main()
"""


def killed(module: str, name: str, call: int, *args) -> None:
    """Run `gsi ARGS` in a new process that kills itself at the `call`-th call of `module.name`."""
    code = textwrap.dedent(DIE_AT).format(module=module, name=name, call=call, args=[str(a) for a in args])
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(EPOCH)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()


def test_build_killed_between_folder_and_zip_is_finished_by_the_next(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    root, dist = make_package(tmp_path / "pkg"), tmp_path / "dist"
    killed("gsi_tracker.build", "_place", 2, "build", root, "--out", dist)
    assert [p.name for p in dist.glob("gsi-tracker-*")] == ["gsi-tracker-0.1.0"]
    assert list(dist.glob(".gsi-build-*"))
    result = gsi("build", root, "--out", dist)
    assert_clean_exit(result, (0,))
    assert "same bytes" in result.output
    assert sorted(p.name for p in dist.iterdir()) == ["gsi-tracker-0.1.0", "gsi-tracker-0.1.0.zip"]
    assert_clean_exit(gsi("validate", dist / "gsi-tracker-0.1.0.zip"), (0,))


def test_build_killed_while_writing_leaves_nothing_after_the_next(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    root, dist = make_package(tmp_path / "pkg"), tmp_path / "dist"
    killed("gsi_tracker.build", "write_zip", 1, "build", root, "--out", dist)
    assert list(dist.glob(".gsi-build-*"))
    assert_clean_exit(gsi("build", root, "--out", dist), (0,))
    assert sorted(p.name for p in dist.iterdir()) == ["gsi-tracker-0.1.0", "gsi-tracker-0.1.0.zip"]


def test_fmt_killed_before_its_rename_leaves_a_temporary_file_the_next_removes(tmp_path):
    root = make_package(tmp_path / "pkg")
    seeds = root / "seeds"
    (seeds / "sources.csv").write_text((seeds / "sources.csv").read_text().replace("\n", "\r\n"))
    killed("os", "replace", 1, "fmt", root)
    assert list(seeds.glob(".sources.csv.*.tmp"))
    assert_clean_exit(gsi("fmt", root), (0,))
    assert not list(seeds.glob(".*.tmp"))
    assert "\r" not in (seeds / "sources.csv").read_text()


def test_fmt_leaves_the_temporary_file_of_a_running_write_alone(tmp_path):
    import fcntl

    root = make_package(tmp_path / "pkg")
    busy = root / "seeds" / ".sources.csv.busy.tmp"
    with open(busy, "wb") as f:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)
        assert_clean_exit(gsi("fmt", root), (0,))
        assert busy.exists()


def test_fmt_keeps_a_seed_that_is_a_symbolic_link(tmp_path):
    root = make_package(tmp_path / "pkg")
    seeds = root / "seeds"
    (seeds / "real").mkdir()
    target = seeds / "real" / "sources.csv"
    target.write_text((seeds / "sources.csv").read_text().replace("\n", "\r\n"))
    (seeds / "sources.csv").unlink()
    (seeds / "sources.csv").symlink_to("real/sources.csv")
    assert_clean_exit(gsi("fmt", root), (0,))
    assert (seeds / "sources.csv").is_symlink()
    assert "\r" not in target.read_text()


@pytest.mark.parametrize("call", [2, 3, 5])
def test_release_killed_while_replacing_files_is_rolled_back_whole(tmp_path, call):
    pkg = repo_like(tmp_path / "pkg")
    before = snapshot(pkg)
    dist = tmp_path / "dist"
    # call 1 writes the journal; calls 2 to 5 replace datapackage.json, CITATION.cff, CHANGELOG.md, __init__.py
    killed("gsi_tracker.release", "atomic_write", call, "release", "0.1.0", pkg, "--out", dist)
    assert snapshot(pkg) != before
    assert list(pkg.glob(".gsi-release-*"))
    roll_back_killed_releases(pkg)
    assert snapshot(pkg) == before
    assert not list(pkg.glob(".gsi-release-*"))
    assert not list(dist.glob("gsi-tracker-*"))


def test_the_next_release_rolls_back_a_killed_one_then_succeeds(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    pkg = repo_like(tmp_path / "pkg")
    dist = tmp_path / "dist"
    killed("gsi_tracker.release", "atomic_write", 3, "release", "0.1.0", pkg, "--out", dist)
    result = gsi("release", "0.1.0", pkg, "--out", dist)
    assert_clean_exit(result, (0,))
    assert json.loads((pkg / "datapackage.json").read_text())["version"] == "0.1.0"
    assert "date-released: " in (pkg / "CITATION.cff").read_text()
    assert not list(pkg.glob(".gsi-release-*"))
