"""The text files that travel with a release: CHANGELOG.md (Keep a Changelog) and CITATION.cff.

Both are edited as text, line by line, so the maintainer's wording and layout stay as written.
"""

from __future__ import annotations

import re

CHANGELOG = "CHANGELOG.md"
CITATION = "CITATION.cff"

_HEADING = re.compile(r"^## \[(?P<name>[^\]]+)\](?P<rest>.*)$", re.MULTILINE)
_DATED = re.compile(r"^\s*-\s*(\d{4}-\d{2}-\d{2})\s*$")
_LINK_REF = re.compile(r"^\[(?P<name>[^\]]+)\]:\s*\S+\s*$", re.MULTILINE)


class MetafileError(ValueError):
    """CHANGELOG.md or CITATION.cff is not in the shape a release needs."""


def _sections(text: str) -> list[tuple[str, int, int]]:
    """(name, start, end) of each `## [name]` section; a section ends at the next one or the link references."""
    heads = list(_HEADING.finditer(text))
    refs = _LINK_REF.search(text, heads[-1].end()) if heads else None
    tail = refs.start() if refs else len(text)
    out = []
    for i, m in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else tail
        out.append((m.group("name").strip(), m.start(), end))
    return out


def _find(text: str, name: str) -> tuple[int, int] | None:
    for sec, start, end in _sections(text):
        if sec.lower() == name.lower():
            return start, end
    return None


def recorded_dates(changelog: str | None, citation: str | None) -> list[str]:
    """Every release date the repository records: dated `## [x.y.z] - YYYY-MM-DD` headings and `date-released`."""
    found = []
    for m in _HEADING.finditer(changelog or ""):
        day = _DATED.match(m.group("rest"))
        if day:
            found.append(day.group(1))
    released = cff_fields(citation).get("date-released") if citation else None
    if released is not None:
        found.append(str(released))
    return found


def changelog_section(text: str, version: str) -> str | None:
    """The `## [version]` section (heading included), or None."""
    span = _find(text, version)
    return text[span[0] : span[1]].strip() + "\n" if span else None


def unreleased_body(text: str) -> str:
    """What the maintainer wrote under `## [Unreleased]`, stripped; refuses a changelog without that section."""
    span = _find(text, "Unreleased")
    if span is None:
        raise MetafileError(f"{CHANGELOG} has no '## [Unreleased]' section")
    section = text[span[0] : span[1]]
    return section.split("\n", 1)[1].strip() if "\n" in section else ""


def release_changelog(text: str, version: str) -> str:
    """The CHANGELOG.md shipped in a release: the title and this version's section (Unreleased before a release)."""
    section = changelog_section(text, version)
    if section is None:
        span = _find(text, "Unreleased")
        section = text[span[0] : span[1]].strip() + "\n" if span else ""
    title = text.split("\n", 1)[0] if text.startswith("# ") else "# Changelog"
    return f"{title}\n\n{section}" if section else f"{title}\n"


def promote_unreleased(
    text: str, version: str, date: str, homepage: str | None = None, previous: str | None = None
) -> str:
    """Turn the Unreleased section into `## [version] - date`, leaving an empty Unreleased above it.

    With `homepage`, the link references at the bottom are updated Keep a Changelog style.
    """
    if _find(text, version) is not None:
        raise MetafileError(f"{CHANGELOG} already has a section for {version}")
    span = _find(text, "Unreleased")
    if span is None:
        raise MetafileError(f"{CHANGELOG} has no '## [Unreleased]' section")
    body = unreleased_body(text)
    if not body:
        raise MetafileError(f"{CHANGELOG}: the Unreleased section is empty; write what changed in {version} first")
    heading = text[span[0] :].split("\n", 1)[0]
    new = f"{heading}\n\n## [{version}] - {date}\n\n{body}\n\n"
    text = text[: span[0]] + new + text[span[1] :].lstrip("\n")
    if homepage:
        text = _update_links(text, version, homepage.rstrip("/"), previous)
    return text


def _update_links(text: str, version: str, base: str, previous: str | None) -> str:
    refs = {m.group("name").lower(): m for m in _LINK_REF.finditer(text)}
    unreleased = f"[unreleased]: {base}/compare/v{version}...HEAD"
    this = (
        f"[{version}]: {base}/compare/v{previous}...v{version}"
        if previous
        else f"[{version}]: {base}/releases/tag/v{version}"
    )
    if "unreleased" in refs:
        m = refs["unreleased"]
        return text[: m.start()] + unreleased + "\n" + this + text[m.end() :]
    return text.rstrip("\n") + f"\n\n{unreleased}\n{this}\n"


def cff_fields(text: str) -> dict:
    """CITATION.cff parsed as YAML (a mapping), refusing anything else."""
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise MetafileError(f"{CITATION} is not valid YAML: {e}") from None
    if not isinstance(data, dict):
        raise MetafileError(f"{CITATION} is not a YAML mapping")
    return data


def _set_line(text: str, key: str, value: str, after: str | None) -> str:
    line = f'{key}: "{value}"'
    pattern = re.compile(rf"^{re.escape(key)}:.*$", re.MULTILINE)
    if pattern.search(text):
        return pattern.sub(line, text, count=1)
    if after is not None:
        anchor = re.compile(rf"^{re.escape(after)}:.*$", re.MULTILINE).search(text)
        if anchor:
            return text[: anchor.end()] + "\n" + line + text[anchor.end() :]
    return text.rstrip("\n") + "\n" + line + "\n"


def set_citation(text: str, version: str, date: str | None = None) -> str:
    """CITATION.cff with its top-level `version` (and `date-released`, when given) set."""
    cff_fields(text)
    text = _set_line(text, "version", version, None)
    if date is not None:
        text = _set_line(text, "date-released", date, "version")
    cff = cff_fields(text)
    if str(cff.get("version")) != version or (date is not None and str(cff.get("date-released")) != date):
        raise MetafileError(f"{CITATION}: could not set version {version}")
    return text
