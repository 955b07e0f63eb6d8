"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` annotation per finding.

Escaping follows the Actions runner (``CommandExtensions``): ``%``, CR and LF in the message,
and also ``:`` and ``,`` in property values such as the file name and title.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..findings import Finding, Severity
from .text import summary

if TYPE_CHECKING:
    from ..engine import Report

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding) -> str:
    loc = finding.location
    props = [("file", loc.path), ("line", str(loc.line)), ("col", str(loc.col))]
    if loc.end_line:
        props.append(("endLine", str(max(loc.end_line, loc.line))))
        if loc.end_col and (loc.end_line > loc.line or loc.end_col > loc.col):
            props.append(("endColumn", str(loc.end_col)))
    props.append(("title", f"{finding.rule.id} {finding.rule.name}"))
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in props)
    return f"::{COMMANDS[finding.severity]} {joined}::{escape_data(finding.message)}"


def render(report: Report) -> str:
    lines = [annotation(f) for f in report.findings]
    lines.append(summary(report))  # a plain log line, not a command
    return "\n".join(lines) + "\n"
