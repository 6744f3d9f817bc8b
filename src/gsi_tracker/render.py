"""Render a validation report as text (grouped by file), JSON (stable keys) or GitHub workflow commands.

JSON: {"valid": bool, "errors": int, "warnings": int, "findings": [{"code", "severity", "table", "file", "line",
"column", "value", "message"}, ...]}; keys always present (null when unknown), findings sorted by file, line,
column and code.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from itertools import groupby

from .escape import printable
from .findings import Report

KEYS = ("code", "severity", "table", "file", "line", "column", "value", "message")


def _plain(text: str, **_style) -> str:
    return text


def summary(report: Report) -> str:
    e, w = len(report.errors), len(report.warnings)
    verdict = "valid" if report.valid else "invalid"
    return f"{verdict}: {e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)}"


def text(report: Report, style: Callable[..., str] = _plain) -> str:
    """Findings grouped by file; `style` is click.style (colour) or leaves text plain."""
    out = []
    for file, group in groupby(report.sorted(), key=lambda f: f.file or ""):
        out.append(style(printable(file or "(package)"), bold=True))
        for f in group:
            where = f"line {f.line}" if f.line is not None else "file"
            col = f", {printable(f.column)}" if f.column else ""
            sev = style(f.severity, fg="red" if f.severity == "error" else "yellow")
            value = f" [{printable(repr(f.value))}]" if f.value not in (None, "") else ""
            out.append(f"  {where}{col}: {sev} {f.code}: {printable(f.message)}{value}")
    out.append(style(summary(report), fg="green" if report.valid else "red", bold=True))
    return "\n".join(out)


def as_json(report: Report) -> str:
    findings = [{k: getattr(f, k) for k in KEYS} for f in report.sorted()]
    doc = {"valid": report.valid, "errors": len(report.errors), "warnings": len(report.warnings), "findings": findings}
    return printable(json.dumps(doc, indent=2, ensure_ascii=False), keep_newlines=True)


def _escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(s: str) -> str:
    return _escape_data(s).replace(":", "%3A").replace(",", "%2C")


def github(report: Report) -> str:
    """One workflow command per finding (`::error file=...,line=...,title=...::message`) and a summary line."""
    out = []
    for f in report.sorted():
        props = []
        if f.file:
            props.append(f"file={_escape_property(f.file)}")
        if f.line is not None:
            props.append(f"line={f.line}")
        props.append(f"title={_escape_property(f.code + (' ' + f.column if f.column else ''))}")
        value = f" [{f.value!r}]" if f.value not in (None, "") else ""
        out.append(printable(f"::{f.severity} {','.join(props)}::{_escape_data(f.message + value)}"))
    out.append(summary(report))
    return "\n".join(out)


def render(report: Report, fmt: str, style: Callable[..., str] = _plain) -> str:
    if fmt == "json":
        return as_json(report)
    if fmt == "github":
        return github(report)
    return text(report, style)
