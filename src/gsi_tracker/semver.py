"""Semantic versions for data: MAJOR.MINOR.PATCH, the bump from one version to the next, and how bumps rank.

major - a field renamed, removed, retyped or a constraint tightened; minor - rows or tables added, a constraint
loosened; patch - a value corrected. `diff` says which bump a change needs, `release` checks the version against
it, and the registry keeps releases in version order; all three read versions and bumps here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

NONE, PATCH, MINOR, MAJOR = "none", "patch", "minor", "major"
RANK = {NONE: 0, PATCH: 1, MINOR: 2, MAJOR: 3}
_SEMVER = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")


class VersionError(ValueError):
    """A version that is not MAJOR.MINOR.PATCH, or not above the version it must follow."""


def parse_version(version: object) -> tuple[int, int, int]:
    """MAJOR.MINOR.PATCH as three integers; refuses anything else (no prefix, no pre-release)."""
    m = _SEMVER.fullmatch(version) if isinstance(version, str) else None
    if m is None:
        raise VersionError(f"{version!r} is not a semantic version MAJOR.MINOR.PATCH (like 1.4.0)")
    return int(m[1]), int(m[2]), int(m[3])


def bump_of(previous: str, version: str) -> str:
    """MAJOR, MINOR or PATCH: how `version` moves on from `previous`; refuses a version not above it."""
    p, v = parse_version(previous), parse_version(version)
    if v <= p:
        raise VersionError(f"version {version} is not above the last release {previous}")
    if v[0] != p[0]:
        return MAJOR
    return MINOR if v[1] != p[1] else PATCH


def highest(bumps: Iterable[str]) -> str:
    """The largest of `bumps` (NONE when there are none)."""
    return max(bumps, key=RANK.__getitem__, default=NONE)
