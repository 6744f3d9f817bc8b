"""Fetch a published release, check every file against the release registry, and cache it per version.

The zip is downloaded with pooch (its sha256 checked on the way), extracted safely into a temporary folder next
to the cache, and each extracted file is checked against the sha256 the registry lists. Only a release that
passes every check is renamed into place, so a failed download leaves nothing in the cache. Nothing here touches
the network unless a version is asked for and is not cached yet.

Environment variables, for mirrors and tests:
`GSI_TRACKER_REGISTRY` (a registry JSON file used instead of the committed one), `GSI_TRACKER_BASE_URL` (where
release files are served; `{version}` is replaced) and `GSI_TRACKER_CACHE` (the cache folder).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Mapping
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any

from .files import parse_hash, sha256_file
from .package import DESCRIPTOR, PackageError, extract_zip, read_json
from .registry import RegistryError, find_release, read_registry, release_name, versions

ENV_BASE_URL = "GSI_TRACKER_BASE_URL"
ENV_CACHE = "GSI_TRACKER_CACHE"


class DownloadError(PackageError):
    """A release could not be fetched or did not match the registry; `path` names the file at fault."""


def describe_releases(registry: Mapping[str, Any]) -> str:
    """One line naming the published versions with their dates, and the latest."""
    known = versions(registry)
    if not known:
        return "releases: none published yet"
    dates = {r["version"]: r.get("date") for r in registry["releases"]}
    listed = ", ".join(f"{v} ({dates[v]})" if dates[v] else v for v in known)
    return f"releases: {listed}; latest {known[-1]}"


def base_url(registry: Mapping[str, Any], version: str) -> str:
    """Where the files of `version` are served: $GSI_TRACKER_BASE_URL, else the registry's base_url."""
    template = os.environ.get(ENV_BASE_URL) or registry.get("base_url")
    if not template:
        raise DownloadError("the registry has no base_url and GSI_TRACKER_BASE_URL is not set", "registry.json")
    url = template.replace("{version}", version)
    return url if url.endswith("/") else url + "/"


def cache_root() -> Path:
    """The cache folder: $GSI_TRACKER_CACHE, else the user cache folder of gsi-tracker."""
    env = os.environ.get(ENV_CACHE)
    if env:
        return Path(env).expanduser()
    import pooch

    return Path(pooch.os_cache("gsi-tracker"))


def _hex(value: str) -> str:
    """The hex digest of a registry entry ("sha256:<hex>" or a bare sha256 hex)."""
    return parse_hash(value, default="sha256")[1]


def verify_release(folder: Path, entry: Mapping[str, Any]) -> None:
    """Check that `folder` holds exactly the files the registry lists for this release, with their sha256."""
    listed = {str(PurePosixPath(name)): _hex(digest) for name, digest in entry.get("files", {}).items()}
    if DESCRIPTOR not in listed:
        raise DownloadError(f"the registry lists no {DESCRIPTOR} for {entry['version']}", "registry.json")
    release = release_name(entry["version"])
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() or p.is_symlink()}
    unlisted = sorted(present - set(listed))
    if unlisted:
        raise DownloadError("the release holds a file the registry does not list", f"{release}/{unlisted[0]}")
    for name, expected in listed.items():
        if name not in present:
            raise DownloadError("missing from the release", f"{release}/{name}")
        got = sha256_file(folder / name)
        if got != expected:
            raise DownloadError(
                f"sha256 {got} does not match the registry ({expected}); the file was altered", f"{release}/{name}"
            )
    version = read_json(folder / DESCRIPTOR).get("version")
    if version != entry["version"]:
        raise DownloadError(
            f"declares version {version!r}, the registry {entry['version']!r}", f"{release}/{DESCRIPTOR}"
        )


def _release_root(extracted: Path, version: str) -> Path:
    """The folder holding datapackage.json: the zip's top level or its one top folder."""
    if (extracted / DESCRIPTOR).is_file():
        return extracted
    tops = list(extracted.iterdir())
    if len(tops) == 1 and tops[0].is_dir():
        return tops[0]
    raise DownloadError(
        f"no {DESCRIPTOR} at the top of the zip or in one folder inside it", release_name(version) + ".zip"
    )


@contextmanager
def _quiet_pooch():
    import pooch

    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


class _Bounded:
    """A file that refuses to grow past `limit` bytes: a download stops at the size the registry states."""

    def __init__(self, out, limit: int, name: str):
        self.out, self.limit, self.name, self.written = out, limit, name, 0

    def write(self, chunk: bytes) -> None:
        self.written += len(chunk)
        if self.written > self.limit:
            raise DownloadError(
                f"download is larger than the {self.limit:,} bytes the registry states; stopped", self.name
            )
        self.out.write(chunk)

    def flush(self) -> None:
        self.out.flush()


def _downloader(expected_bytes: int | None, name: str, progressbar: bool):
    """pooch's HTTP downloader, stopped as soon as it passes the registry's byte count (or MAX_DOWNLOAD when the
    registry states none), and refusing a short file before its hash is even computed."""
    import pooch

    from .limits import MAX_DOWNLOAD

    http = pooch.HTTPDownloader(progressbar=progressbar, timeout=60)
    limit = expected_bytes if isinstance(expected_bytes, int) and expected_bytes >= 0 else MAX_DOWNLOAD

    def download(url: str, output_file, pooch_obj) -> None:
        if isinstance(output_file, (str, Path)):
            with open(output_file, "w+b") as out:
                http(url, _Bounded(out, limit, name), pooch_obj)
        else:
            http(url, _Bounded(output_file, limit, name), pooch_obj)
        if expected_bytes is not None and isinstance(output_file, (str, Path)):
            got = os.path.getsize(output_file)
            if got != expected_bytes:
                raise DownloadError(
                    f"download is truncated or padded: {got} bytes, the registry says {expected_bytes}", name
                )

    return download


def _fetch_zip(url: str, entry: Mapping[str, Any], folder: Path, progressbar: bool) -> Path:
    import pooch
    import requests

    zip_info = entry["zip"]
    name = zip_info["name"]
    downloader = _downloader(zip_info.get("bytes"), name, progressbar)
    try:
        with _quiet_pooch():
            return Path(
                pooch.retrieve(
                    url,
                    known_hash=f"sha256:{_hex(zip_info['sha256'])}",
                    fname=name,
                    path=folder,
                    downloader=downloader,
                )
            )
    except requests.exceptions.HTTPError as e:
        status = e.response.status_code if e.response is not None else "error"
        raise DownloadError(f"HTTP {status} from {url}", name) from None
    except requests.exceptions.ConnectionError:
        raise DownloadError(f"cannot connect to {url}", name) from None
    except requests.exceptions.RequestException as e:
        raise DownloadError(f"download from {url} failed or was cut short: {type(e).__name__}", name) from None
    except ValueError:
        raise DownloadError(
            f"sha256 does not match the registry ({_hex(zip_info['sha256'])}); the download is corrupt or altered",
            name,
        ) from None


def _is_checked(folder: Path, entry: Mapping[str, Any]) -> bool:
    try:
        verify_release(folder, entry)
    except PackageError:
        return False
    return True


def _install(built: Path, target: Path, entry: Mapping[str, Any]) -> None:
    """Move a checked release into `target`, replacing a stale copy; the rename is the only visible step.

    A good copy that another process put there meanwhile is kept, so nobody's open release disappears.
    """
    if target.is_dir() and _is_checked(target, entry):
        return
    if target.exists():
        trash = Path(tempfile.mkdtemp(prefix=".stale-", dir=target.parent))
        os.replace(target, trash / "old")
        os.replace(built, target)
        shutil.rmtree(trash, ignore_errors=True)
    else:
        os.replace(built, target)


def fetch_release(
    version: str,
    *,
    dest: str | Path | None = None,
    registry: str | Path | None = None,
    progressbar: bool = False,
) -> Path:
    """The folder of a checked release of `version` ("latest" allowed), downloading it only when needed.

    Without `dest` the release lives in the cache as `<cache>/<version>/`; with `dest` it is written to
    `<dest>/gsi-tracker-<version>/`. A folder already there that matches the registry is used as it is.
    """
    try:
        reg = read_registry(registry)
        entry = find_release(reg, version)
    except RegistryError as e:
        raise DownloadError(e.message, e.path) from None
    version = entry["version"]
    target = Path(dest) / release_name(version) if dest is not None else cache_root() / version
    if target.is_dir() and _is_checked(target, entry):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    url = base_url(reg, version) + entry["zip"]["name"]
    with tempfile.TemporaryDirectory(prefix=".download-", dir=target.parent) as tmp_name:
        tmp = Path(tmp_name)
        zip_path = _fetch_zip(url, entry, tmp / "zip", progressbar)
        extracted = tmp / "extracted"
        extracted.mkdir()
        try:
            extract_zip(zip_path, extracted)
        except PackageError as e:
            raise DownloadError(e.message, entry["zip"]["name"]) from None
        root = _release_root(extracted, version)
        verify_release(root, entry)
        _install(root, target, entry)
    return target
