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
import re
from pathlib import Path
from typing import Any

from .files import atomic_write

REGISTRY_PATH = Path(__file__).resolve().parent / "registry.json"
LATEST = "latest"
_SEMVER = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")


class RegistryError(ValueError):
    """The registry cannot be read, or does not hold what was asked for."""


def parse_version(version: str) -> tuple[int, int, int]:
    """MAJOR.MINOR.PATCH as three integers; refuses anything else (no prefix, no pre-release)."""
    m = _SEMVER.fullmatch(version) if isinstance(version, str) else None
    if m is None:
        raise RegistryError(f"{version!r} is not a semantic version MAJOR.MINOR.PATCH (like 1.4.0)")
    return int(m[1]), int(m[2]), int(m[3])


def read_registry(path: Path | str | None = None) -> dict[str, Any]:
    """The registry as a dict, its shape checked."""
    path = Path(path) if path is not None else REGISTRY_PATH
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
    return data


def versions(registry: dict[str, Any]) -> list[str]:
    """Released versions, oldest first."""
    return sorted((e["version"] for e in registry["releases"]), key=parse_version)


def latest_version(registry: dict[str, Any]) -> str | None:
    known = versions(registry)
    return known[-1] if known else None


def find_release(version: str = LATEST, path: Path | str | None = None) -> dict[str, Any]:
    """The entry of `version` ("latest" for the highest); RegistryError if there is none."""
    registry = read_registry(path)
    wanted = latest_version(registry) if version == LATEST else version
    if wanted is None:
        raise RegistryError("no release has been recorded yet")
    for entry in registry["releases"]:
        if entry["version"] == wanted:
            return entry
    raise RegistryError(f"no release {version!r} in the registry; known: {', '.join(versions(registry)) or 'none'}")


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
    path = Path(path) if path is not None else REGISTRY_PATH
    registry = read_registry(path)
    version = entry["version"]
    new = parse_version(version)
    if version in versions(registry):
        raise RegistryError(f"release {version} is already recorded")
    last = latest_version(registry)
    if last is not None and new <= parse_version(last):
        raise RegistryError(f"release {version} is not above the last recorded release {last}")
    registry["releases"] = sorted([*registry["releases"], entry], key=lambda e: parse_version(e["version"]))
    atomic_write(path, json.dumps(registry, indent=2, ensure_ascii=False) + "\n")
    return registry
