"""Small file helpers shared by build, release, fmt, the codebook and the checks: file digests, declared hashes
and atomic writes."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

CHUNK = 1 << 20


def file_digest(path: Path, algorithm: str = "sha256") -> str:
    """Hex digest of a file's bytes, read in chunks (any algorithm hashlib knows)."""
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def parse_hash(declared: str, default: str = "md5") -> tuple[str, str]:
    """(algorithm, lower-case hex) of a declared hash "<algorithm>:<hex>"; a bare hex digest is `default`'s
    (md5 for a Data Package resource, as the specification says; sha256 in the release registry)."""
    algorithm, sep, hexdigest = declared.partition(":")
    return (algorithm.lower(), hexdigest.lower()) if sep else (default, declared.lower())


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    return file_digest(path)


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write `data` to a temporary file next to `path`, then rename it over `path` (no half-written file).

    A symbolic link is followed: its target is replaced and the link kept. The temporary file is locked while it
    exists, so a later write can tell one left by a killed process and remove it first."""
    from .leftovers import lock, remove_stale_temp_files

    path = Path(path)
    if path.is_symlink():
        path = path.resolve()
    remove_stale_temp_files(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        lock(fd)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
