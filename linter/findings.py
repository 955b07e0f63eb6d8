"""Locations, severities, rule specs and findings: the records every stage shares."""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Severity(enum.IntEnum):
    """Ordered so that a threshold compares with >=."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.upper()]

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A 1-based position range in a file; end_* default to the start."""

    path: str
    line: int
    col: int
    end_line: int = 0
    end_col: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "column": self.col}


@dataclass(frozen=True, slots=True)
class Related:
    """Another place that takes part in a finding (the other file that makes it wrong)."""

    location: Location
    message: str


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """A rule's public identity and defaults; the docstring of ``check`` is its documentation."""

    id: str
    name: str
    severity: Severity
    summary: str
    check: Any = field(compare=False, repr=False)
    options: type | None = None
    scope: str = "cluster"  # "cluster" or "suppressions" (LNT006 runs after filtering)

    @property
    def family(self) -> str:
        return self.id.rstrip("0123456789")

    @property
    def docs(self) -> str:
        import inspect

        return inspect.cleandoc(self.check.__doc__ or "")


@dataclass(frozen=True, slots=True)
class Violation:
    """What a rule yields: the engine adds the rule, its severity and the cluster."""

    message: str
    location: Location
    fix: str
    related: tuple[Related, ...] = ()


@dataclass(frozen=True, slots=True)
class Finding:
    """A reported problem: one rule, one primary location, a message and a fix hint."""

    rule: RuleSpec
    severity: Severity
    message: str
    location: Location
    fix: str
    related: tuple[Related, ...] = ()
    cluster: str | None = None

    def sort_key(self) -> tuple[str, int, int, str, str]:
        loc = self.location
        return (loc.path, loc.line, loc.col, self.rule.id, self.message)

    def as_dict(self) -> dict[str, Any]:
        loc = self.location
        return {
            "rule": self.rule.id,
            "name": self.rule.name,
            "severity": str(self.severity),
            "path": loc.path,
            "line": loc.line,
            "column": loc.col,
            "end_line": loc.end_line or loc.line,
            "end_column": loc.end_col or loc.col,
            "message": self.message,
            "fix": self.fix,
            "related": [dict(r.location.as_dict(), message=r.message) for r in self.related],
            "cluster": self.cluster,
        }
