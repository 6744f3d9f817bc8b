"""The release registry: `registry.json`, committed next to this module, lists every published release.

Format (loading and downloading read it):

    {"base_url": "https://.../releases/download/v{version}/",
     "releases": [{"version": "0.1.0", "date": "YYYY-MM-DD",
                   "zip": {"name": "gsi-tracker-0.1.0.zip", "sha256": "<hex>", "bytes": N},
                   "files": {"datapackage.json": "<hex>", "data/events.csv": "<hex>", ...}}]}

`files` lists every file of the release folder, relative to it, with its sha256. Releases are kept oldest first.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .files import atomic_write
from .package import PackageError
from .semver import VersionError, parse_version

REGISTRY_PATH = Path(__file__).resolve().parent / "registry.json"
ENV_REGISTRY = "GSI_TRACKER_REGISTRY"
LATEST = "latest"
RELEASE_PREFIX = "gsi-tracker-"


class RegistryError(PackageError):
    """The registry cannot be read, or does not hold what was asked for."""


def release_name(version: str) -> str:
    """The name of a release's folder (and, with `.zip`, of its zip): gsi-tracker-VERSION."""
    return f"{RELEASE_PREFIX}{version}"


def registry_path(registry: str | Path | None = None) -> Path:
    """The registry file to read: `registry`, else $GSI_TRACKER_REGISTRY, else the one committed with the code."""
    location = registry or os.environ.get(ENV_REGISTRY)
    return Path(location) if location else REGISTRY_PATH


def read_registry(path: Path | str | None = None) -> dict[str, Any]:
    """The registry (see `registry_path`) as a dict, its shape checked."""
    path = registry_path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RegistryError(f"{path.name}: registry file not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise RegistryError(f"{path.name}: unreadable registry: {e}") from None
    if not isinstance(data, dict) or not isinstance(data.get("releases"), list):
        raise RegistryError(f"{path.name}: not a release registry (no 'releases' list)")
    for entry in data["releases"]:
        if not isinstance(entry, dict) or not {"version", "date", "zip", "files"} <= set(entry):
            raise RegistryError(f"{path.name}: a release entry lacks version, date, zip or files")
        try:
            parse_version(entry["version"])
        except VersionError as e:
            raise RegistryError(f"{path.name}: {e}") from None
    return data


def versions(registry: Mapping[str, Any]) -> list[str]:
    """Released versions, oldest first."""
    return sorted((e["version"] for e in registry["releases"]), key=parse_version)


def latest_version(registry: Mapping[str, Any]) -> str | None:
    known = versions(registry)
    return known[-1] if known else None


def find_release(registry: Mapping[str, Any], version: str = LATEST) -> dict[str, Any]:
    """The entry of `version` (a leading `v` is allowed; "latest" for the highest); RegistryError if there is none."""
    wanted = latest_version(registry) if version == LATEST else version.removeprefix("v")
    if wanted is None:
        raise RegistryError("no release has been published yet", "registry.json")
    for entry in registry["releases"]:
        if entry["version"] == wanted:
            return entry
    known = ", ".join(versions(registry)) or "none"
    raise RegistryError(f"unknown version {version!r}; known versions: {known}", "registry.json")


def release_entry(
    version: str, date: str, zip_name: str, zip_sha256: str, zip_bytes: int, files: dict[str, str]
) -> dict[str, Any]:
    """One registry entry, files sorted by path."""
    return {
        "version": version,
        "date": date,
        "zip": {"name": zip_name, "sha256": zip_sha256, "bytes": zip_bytes},
        "files": dict(sorted(files.items())),
    }


def record_release(entry: dict[str, Any], path: Path | str | None = None) -> dict[str, Any]:
    """Add `entry` to the registry (atomic write), refusing a version that is already recorded or not above the last."""
    path = registry_path(path)
    registry = read_registry(path)
    version = entry["version"]
    try:
        new = parse_version(version)
    except VersionError as e:
        raise RegistryError(str(e)) from None
    if version in versions(registry):
        raise RegistryError(f"release {version} is already recorded")
    last = latest_version(registry)
    if last is not None and new <= parse_version(last):
        raise RegistryError(f"release {version} is not above the last recorded release {last}")
    registry["releases"] = sorted([*registry["releases"], entry], key=lambda e: parse_version(e["version"]))
    atomic_write(path, json.dumps(registry, indent=2, ensure_ascii=False) + "\n")
    return registry
