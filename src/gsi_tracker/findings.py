"""Findings: what a check found, as values carried to the edge (the CLI renders them)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

ERROR = "error"
WARNING = "warning"
VALUE_WIDTH = 80


def shorten(value: Any, width: int = VALUE_WIDTH) -> str | None:
    """The offending value as text, cut to `width` characters with an ellipsis."""
    if value is None:
        return None
    text = str(value)
    return text if len(text) <= width else text[: width - 1] + "…"


@dataclass(frozen=True, order=True)
class Finding:
    """One problem: a stable code, its severity, where it is (file, line, column) and what is wrong."""

    file: str | None
    line: int | None
    column: str | None
    code: str
    severity: str
    message: str
    table: str | None = None
    value: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Report:
    """All findings of one run, in a stable order."""

    findings: list[Finding] = field(default_factory=list)

    def add(self, finding: Finding) -> None:
        self.findings.append(finding)

    def extend(self, findings) -> None:
        self.findings.extend(findings)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    @property
    def valid(self) -> bool:
        return not self.errors

    def sorted(self) -> list[Finding]:
        return sorted(self.findings, key=lambda f: (f.file or "", f.line or 0, f.column or "", f.code, f.message))
