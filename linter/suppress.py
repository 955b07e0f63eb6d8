"""Inline suppressions and the ``eks-net-lint.io/ignore`` annotation, with use tracking for LNT006.

Grammar (H11): ``# eks-net-lint: disable=ID[,ID]`` as a trailing comment covers its own line, on
a line of its own it covers the next line; ``# eks-net-lint: disable-file=ID[,ID]`` covers the
file. IDs or names are accepted; a suppression without any is not.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from .findings import Finding, Location
from .load import SourceFile
from .registry import lookup
from .views import View

COMMENT = re.compile(r"(?:^|(?<=\s))#\s*eks-net-lint:\s*(disable-file|disable)\s*=\s*([A-Za-z0-9_\-]+(?:\s*,\s*[A-Za-z0-9_\-]+)*)")
ANNOTATION = "eks-net-lint.io/ignore"


@dataclass(eq=False)
class Suppression:
    """One suppression and the rule IDs it names; ``used`` fills in as findings match it."""

    location: Location
    kind: str  # line, file or annotation
    names: tuple[str, ...]
    first_line: int
    last_line: int
    ids: dict[str, str] = field(default_factory=dict)  # rule ID → name as written
    unknown: list[str] = field(default_factory=list)
    used: set[str] = field(default_factory=set)

    def covers(self, finding: Finding) -> bool:
        loc = finding.location
        return (
            loc.path == self.location.path
            and finding.rule.id in self.ids
            and self.first_line <= loc.line <= self.last_line
        )


def _resolve(names: Iterable[str], suppression: Suppression) -> Suppression:
    for name in names:
        spec = lookup(name)
        if spec is None:
            suppression.unknown.append(name)
        else:
            suppression.ids[spec.id] = name
    return suppression


def parse_comments(source: SourceFile) -> list[Suppression]:
    """Suppression comments of one file (YAML only: JSON has no comments)."""
    if source.format != "yaml" or "eks-net-lint:" not in source.text:
        return []
    found = []
    lines = source.text.split("\n")
    for index, line in enumerate(lines):
        if "eks-net-lint:" not in line:
            continue
        for match in COMMENT.finditer(line):
            kind, raw = match.group(1), match.group(2)
            names = tuple(n.strip() for n in raw.split(",") if n.strip())
            number = index + 1
            loc = Location(source.path, number, match.start() + 1, number, match.end() + 1)
            if kind == "disable-file":
                first, last = 1, len(lines)
                what = "file"
            elif line[: match.start()].strip():
                first = last = number
                what = "line"
            else:
                first = last = number + 1
                what = "line"
            found.append(_resolve(names, Suppression(loc, what, names, first, last)))
    return found


def parse_annotation(view: View) -> Suppression | None:
    """The ``eks-net-lint.io/ignore`` annotation of a document, covering the whole document."""
    annotations = view.data.get("metadata", {}).get("annotations") if isinstance(view.data.get("metadata"), dict) else None
    if not isinstance(annotations, dict) or not isinstance(annotations.get(ANNOTATION), str):
        return None
    names = tuple(n.strip() for n in annotations[ANNOTATION].split(",") if n.strip())
    start, end = view.data.pos[0], view.data.pos[2]
    loc = annotations.loc(ANNOTATION)  # type: ignore[attr-defined]
    return _resolve(names, Suppression(loc, "annotation", names, start, end))


def apply(findings: list[Finding], suppressions: list[Suppression]) -> list[Finding]:
    """Findings no suppression covers; marks each suppression's used IDs."""
    by_path: dict[str, list[Suppression]] = {}
    for s in suppressions:
        by_path.setdefault(s.location.path, []).append(s)
    kept = []
    for finding in findings:
        covering = [s for s in by_path.get(finding.location.path, ()) if s.covers(finding)]
        for s in covering:
            s.used.add(finding.rule.id)
        if not covering:
            kept.append(finding)
    return kept
