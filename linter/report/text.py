"""Text output: ``path:line:col: ID [severity] message`` per finding, then a summary line."""
from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from ..findings import Severity

if TYPE_CHECKING:
    from ..engine import Report

_COLOURS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_RESET, _BOLD = "\033[0m", "\033[1m"


def render(report: Report, colour: bool = False, show_fixes: bool = False) -> str:
    lines = []
    for f in report.findings:
        loc = f.location
        severity = str(f.severity)
        where = f"{loc.path}:{loc.line}:{loc.col}:"
        if colour:
            where = f"{_BOLD}{where}{_RESET}"
            severity = f"{_COLOURS[f.severity]}{severity}{_RESET}"
        lines.append(f"{where} {f.rule.id} [{severity}] {f.message}")
        if show_fixes:
            lines.append(f"    fix: {f.fix}")
            for r in f.related:
                lines.append(f"    see: {r.location.path}:{r.location.line}:{r.location.col}: {r.message}")
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


def summary(report: Report) -> str:
    counts = Counter(f.severity for f in report.findings)
    total = len(report.findings)
    if not total:
        return f"No findings in {report.files} file{'s' * (report.files != 1)}."
    parts = ", ".join(
        f"{counts[s]} {s}{'s' * (counts[s] != 1)}" for s in (Severity.ERROR, Severity.WARNING, Severity.INFO) if counts[s]
    )
    return f"Found {total} finding{'s' * (total != 1)} ({parts}) in {report.files} file{'s' * (report.files != 1)}."


def statistics(report: Report) -> str:
    """``--statistics``: count, rule ID and name per rule that fired, most frequent first."""
    counts = Counter((f.rule.id, f.rule.name) for f in report.findings)
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return "".join(f"{count:>5}  {rule_id:<8} {name}\n" for (rule_id, name), count in rows)
