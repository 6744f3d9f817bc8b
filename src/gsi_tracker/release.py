"""`gsi release VERSION`: the maintainer's step that cuts a version.

It checks VERSION (semantic, new, above the last release, and a bump at least as large as `gsi diff` against the
last release needs), sets it in datapackage.json, CITATION.cff and the package's `__version__`, turns the
CHANGELOG's Unreleased section into the version's section, builds the release and records it in the registry.

Nothing in the repository changes until the build has succeeded: the edited files are staged with the data in a
temporary folder and built from there. The repository files and the registry are then replaced one by one
(temporary file + rename); if any step fails, the files already replaced are restored and the build is removed.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

from . import metafiles
from .build import BuildError, BuildResult, build_release, source_date_epoch
from .diff import PackageDiff, diff_packages
from .files import atomic_write, sha256_file
from .leftovers import orphans, workdir
from .package import DESCRIPTOR, open_package
from .registry import RegistryError, latest_version, read_registry, record_release, release_entry, release_name
from .semver import RANK, VersionError, bump_of, parse_version

REGISTRY_IN_REPO = PurePosixPath("src/gsi_tracker/registry.json")
VERSION_FILE_IN_REPO = PurePosixPath("src/gsi_tracker/__init__.py")
_VERSION_LINE = re.compile(r'^__version__ = "[^"]*"$', re.MULTILINE)
JOURNAL_PREFIX = ".gsi-release-"
JOURNAL = "journal.json"


class ReleaseError(BuildError):
    """`gsi release` refused: the version, the change since the last release, or the repository state."""


@dataclass
class ReleaseResult:
    version: str
    date: str
    previous: str | None
    bump: str | None
    needed: str | None
    build: BuildResult
    diff: PackageDiff | None
    changed_files: list[Path]


def check_version(version: str, registry: dict) -> str | None:
    """Refuse a version that is not semantic, already released or not above the last; return the last release."""
    try:
        parse_version(version)
        if any(e["version"] == version for e in registry["releases"]):
            raise ReleaseError(f"version {version} is already released; a release is never replaced")
        last = latest_version(registry)
        if last is not None:
            bump_of(last, version)
    except VersionError as e:
        raise ReleaseError(str(e)) from None
    return last


def find_previous(last: str, entry: dict, out: Path, previous: Path | None) -> Path:
    """The last release on disk (`previous`, or out/gsi-tracker-<last>[.zip]), checked against its registry entry."""
    name = release_name(last)
    candidates = [previous] if previous is not None else [out / name, out / f"{name}.zip"]
    found = next((p for p in candidates if p.exists()), None)
    if found is None:
        raise ReleaseError(
            f"release {last} is needed to compare against but {candidates[0]} does not exist; "
            f"fetch it with `gsi download {last} --dest {out}` or pass --previous PATH"
        )
    if found.is_file():
        if sha256_file(found) != entry["zip"]["sha256"]:
            raise ReleaseError(f"{found} does not match the registry's sha256 for release {last}")
        return found
    folder = found if (found / DESCRIPTOR).is_file() else found / name
    for rel, digest in entry["files"].items():
        path = folder / rel
        if not path.is_file() or sha256_file(path) != digest:
            raise ReleaseError(f"{folder}: {rel} does not match the registry entry of release {last}")
    return folder


def _dirty_inputs(root: Path, inputs: list[str]) -> list[str]:
    """Package inputs with uncommitted changes, when `root` is a git checkout (else none)."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--", *inputs],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return []
    if done.returncode != 0:
        return []
    return [line[3:] for line in done.stdout.splitlines() if line.strip()]


def _inputs(package) -> list[str]:
    """Paths (relative to the package root) of the files the release is built from."""
    paths = {DESCRIPTOR, metafiles.CHANGELOG, metafiles.CITATION}
    for res in package.resources:
        paths.add(res.relpath)
        if isinstance(res.descriptor.get("schema"), str):
            paths.add(res.descriptor["schema"])
    return sorted(paths)


def _stage(root: Path, inputs: list[str], stage: Path, texts: dict[str, str]) -> None:
    for rel in inputs:
        target = stage / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if rel in texts:
            target.write_text(texts[rel], encoding="utf-8")
        else:
            shutil.copyfile(root / rel, target)


def _replace_all(updates: dict[Path, str]) -> None:
    """Replace each file atomically; on any failure put back the ones already replaced."""
    originals = {p: p.read_bytes() for p in updates}
    done: list[Path] = []
    try:
        for path, text in updates.items():
            atomic_write(path, text)
            done.append(path)
    except BaseException:
        for path in reversed(done):
            atomic_write(path, originals[path])
        raise


@contextmanager
def journal(root: Path, files: list[Path], built: list[Path]) -> Iterator[None]:
    """Keep a copy of `files` (and the list of `built` paths) in `root/.gsi-release-*` while they are replaced.

    Left behind only by a run killed midway: the next `gsi release` then puts every file back and removes the build
    (`roll_back_killed_releases`), so a release is all or nothing even across a crash."""
    with workdir(root, JOURNAL_PREFIX) as folder:
        entries = []
        for i, path in enumerate(files):
            backup = folder / f"{i}.orig"
            if path.is_file():
                shutil.copyfile(path, backup)
            entries.append({"path": str(path.resolve()), "backup": backup.name if path.is_file() else None})
        record = {"files": entries, "built": [str(p.resolve()) for p in built]}
        atomic_write(folder / JOURNAL, json.dumps(record, indent=2))
        yield


def roll_back_killed_releases(root: Path) -> list[Path]:
    """Put back the files a killed `gsi release` was replacing and remove its build; returns the files restored."""
    restored = []
    for folder in orphans(root, JOURNAL_PREFIX):
        try:
            record = json.loads((folder / JOURNAL).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            record = None  # killed before its journal was complete: nothing had been replaced yet
        if isinstance(record, dict):
            for item in record.get("files", []):
                path = Path(item["path"])
                if item.get("backup"):
                    atomic_write(path, (folder / item["backup"]).read_bytes())
                else:
                    path.unlink(missing_ok=True)
                restored.append(path)
            for built in map(Path, record.get("built", [])):
                if built.is_dir() and not built.is_symlink():
                    shutil.rmtree(built, ignore_errors=True)
                else:
                    built.unlink(missing_ok=True)
        shutil.rmtree(folder, ignore_errors=True)
    return restored


def release(  # noqa: C901 (the steps of a release in order, each refusing with its reason)
    version: str,
    root: str | Path = ".",
    out: str | Path = "dist",
    *,
    previous: str | Path | None = None,
    registry_path: str | Path | None = None,
    epoch: int | None = None,
    allow_uncommitted: bool = False,
) -> ReleaseResult:
    """Cut `version` of the package at `root` into `out` and record it in the registry; ReleaseError on refusal.

    The release date is the day of `epoch` (default: SOURCE_DATE_EPOCH or the last commit); the release is built
    at midnight UTC of that day, the date CITATION.cff records, so building the release commit again (without
    SOURCE_DATE_EPOCH) gives the same bytes as the registry lists.
    """
    root, out = Path(root), Path(out)
    roll_back_killed_releases(root)
    registry_file = Path(registry_path) if registry_path is not None else root / REGISTRY_IN_REPO
    try:
        registry = read_registry(registry_file)
    except RegistryError as e:
        raise ReleaseError(str(e)) from None
    last = check_version(version, registry)
    with open_package(root) as package:
        inputs = _inputs(package)
        homepage = package.descriptor.get("homepage")
    if not allow_uncommitted:
        dirty = _dirty_inputs(root, inputs)
        if dirty:
            raise ReleaseError(
                f"uncommitted changes in {', '.join(dirty)}; commit them first so the tag "
                "rebuilds this release byte for byte"
            )

    diff, needed, bump = None, None, None
    if last is not None:
        entry = next(e for e in registry["releases"] if e["version"] == last)
        old = find_previous(last, entry, out, Path(previous) if previous is not None else None)
        diff = diff_packages(old, root)
        needed, bump = diff.bump, bump_of(last, version)
        if RANK[bump] < RANK[needed]:
            why = "; ".join(diff.reasons()[:5])
            raise ReleaseError(
                f"{version} is a {bump} release but the changes since {last} need a {needed} one ({why})"
            )

    def read(rel: str) -> str:
        try:
            return (root / rel).read_text(encoding="utf-8")
        except OSError as e:
            raise ReleaseError(f"{rel} cannot be read: {e}") from None

    base = epoch if epoch is not None else source_date_epoch(root)
    date = datetime.fromtimestamp(base, timezone.utc).strftime("%Y-%m-%d")
    epoch = int(datetime.strptime(date, "%Y-%m-%d").replace(tzinfo=timezone.utc).timestamp())
    descriptor = json.loads(read(DESCRIPTOR))
    descriptor["version"] = version
    try:
        texts = {
            DESCRIPTOR: json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n",
            metafiles.CITATION: metafiles.set_citation(read(metafiles.CITATION), version, date),
            metafiles.CHANGELOG: metafiles.promote_unreleased(read(metafiles.CHANGELOG), version, date, homepage, last),
        }
    except metafiles.MetafileError as e:
        raise ReleaseError(str(e)) from None
    version_file = root / VERSION_FILE_IN_REPO
    updates = {root / rel: text for rel, text in texts.items()}
    if version_file.is_file():
        code = version_file.read_text(encoding="utf-8")
        if not _VERSION_LINE.search(code):
            raise ReleaseError(f'{VERSION_FILE_IN_REPO} has no `__version__ = "..."` line')
        updates[version_file] = _VERSION_LINE.sub(f'__version__ = "{version}"', code, count=1)

    with tempfile.TemporaryDirectory(prefix="gsi-release-") as tmp:
        stage = Path(tmp) / "package"
        _stage(root, inputs, stage, texts)
        result = build_release(stage, out, epoch=epoch)
    entry = release_entry(version, date, result.zip.name, result.zip_sha256, result.zip_bytes, result.files)
    originals = {p: p.read_bytes() for p in updates}
    try:
        with journal(root, [*updates, registry_file], [result.folder, result.zip]):
            _replace_all(updates)
            try:
                record_release(entry, registry_file)
            except BaseException:
                for path, data in originals.items():
                    atomic_write(path, data)
                raise
    except BaseException as e:
        shutil.rmtree(result.folder, ignore_errors=True)
        result.zip.unlink(missing_ok=True)
        if isinstance(e, RegistryError):
            raise ReleaseError(str(e)) from None
        raise
    return ReleaseResult(version, date, last, bump, needed, result, diff, sorted([*updates, registry_file]))
