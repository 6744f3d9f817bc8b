"""Temporary files and folders that a killed run leaves behind, found and dealt with on the next run.

Every temporary folder (`workdir`) and every temporary file of an atomic write holds an exclusive lock (flock)
for as long as its process lives; the kernel drops the lock when the process dies, however it dies. A later run
that can take the lock knows the owner is gone, and cleans up, finishes or rolls back what it left. Where flock is
missing (Windows), leftovers older than a day count as orphans.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

LOCK = ".lock"
GRACE = 60.0
"""Seconds during which a leftover without a lock file may still be being created."""
NO_FLOCK_AGE = 86_400.0


def lock(fd: int) -> None:
    """Hold an exclusive lock on the open file `fd` until it is closed (or its process ends)."""
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def is_orphan(path: Path, lock_file: Path | None = None) -> bool:
    """Whether `path` (a leftover file, or a folder whose lock is `lock_file`) belongs to no living process."""
    target = lock_file or path
    try:
        age = time.time() - path.lstat().st_mtime
    except FileNotFoundError:
        return False
    if fcntl is None:
        return age > NO_FLOCK_AGE
    try:
        fd = os.open(target, os.O_RDONLY)
    except FileNotFoundError:
        return age > GRACE
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    finally:
        os.close(fd)
    return True


@contextmanager
def workdir(parent: Path, prefix: str) -> Iterator[Path]:
    """A temporary folder in `parent`, locked while in use and removed afterwards; a killed run leaves it behind
    unlocked, for `orphans` to find."""
    tmp = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    fd = os.open(tmp / LOCK, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        lock(fd)
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        os.close(fd)


def orphans(parent: Path, prefix: str) -> list[Path]:
    """The folders `prefix*` in `parent` left by runs that are gone."""
    if not parent.is_dir():
        return []
    found = sorted(p for p in parent.glob(f"{prefix}*") if p.is_dir() and not p.is_symlink())
    return [p for p in found if is_orphan(p, p / LOCK)]


def remove_stale_temp_files(path: Path) -> list[Path]:
    """Remove the temporary files that killed atomic writes of `path` left next to it (`.<name>.*.tmp`)."""
    removed = []
    for tmp in sorted(path.parent.glob(f".{path.name}.*.tmp")):
        if tmp.is_file() and not tmp.is_symlink() and is_orphan(tmp):
            tmp.unlink(missing_ok=True)
            removed.append(tmp)
    return removed
