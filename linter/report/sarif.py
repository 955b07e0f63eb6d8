"""SARIF 2.1.0 output for code scanning, built with ``json`` alone (STYLE.md H15).

``rules[]`` holds only the rules that fired, documented from their docstrings (H6); results
carry full regions, related locations, the fix hint, and fingerprints from the finding's
identity (rule, path, cluster) plus its occurrence, never from the message (H17).
"""
from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .. import __version__
from ..findings import Finding, Location, RuleSpec, Severity

if TYPE_CHECKING:
    from ..engine import Report

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/eks-net-lint/eks-net-lint"
RULES_DOC_URI = f"{INFORMATION_URI}/blob/main/docs/rules.md"
FINGERPRINT_KEY = "eksNetLintIdentity/v1"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def help_uri(spec: RuleSpec) -> str:
    """The rule's anchor in docs/rules.md (GitHub slug of its ``## ID name`` heading)."""
    return f"{RULES_DOC_URI}#{spec.id.lower()}-{spec.name}"


def artifact_uri(path: str) -> str:
    """A relative URI reference with forward slashes; absolute paths become ``file://`` URIs."""
    posix = path.replace(os.sep, "/")
    if posix.startswith("/"):
        return "file://" + quote(posix, safe="/")
    return quote(posix, safe="/")


def region(loc: Location) -> dict[str, int]:
    """Start and end of a location; an unknown end column is left out (SARIF: to the end of the line)."""
    out = {"startLine": loc.line, "startColumn": loc.col, "endLine": max(loc.end_line, loc.line)}
    if loc.end_line and loc.end_col and (loc.end_line > loc.line or loc.end_col > loc.col):
        out["endColumn"] = loc.end_col
    return out


def physical_location(loc: Location) -> dict[str, Any]:
    return {"physicalLocation": {"artifactLocation": {"uri": artifact_uri(loc.path)}, "region": region(loc)}}


def rule_descriptor(spec: RuleSpec) -> dict[str, Any]:
    return {
        "id": spec.id,
        "name": spec.name,
        "shortDescription": {"text": spec.summary},
        "fullDescription": {"text": spec.docs},
        "help": {"text": spec.docs, "markdown": spec.docs},
        "helpUri": help_uri(spec),
        "defaultConfiguration": {"level": LEVELS[spec.severity]},
        "properties": {"tags": [spec.family]},
    }


def identity(finding: Finding) -> str:
    """A stable hash of what the finding is about: rule, file and cluster (not the message)."""
    import hashlib  # imported on use: start-up time counts (DESIGN.md)

    parts = (finding.rule.id, finding.location.path, finding.cluster or "")
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:32]


def _result(finding: Finding, rule_index: int, fingerprint: str) -> dict[str, Any]:
    properties: dict[str, Any] = {"fix": finding.fix}
    if finding.cluster is not None:
        properties["cluster"] = finding.cluster
    result: dict[str, Any] = {
        "ruleId": finding.rule.id,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [physical_location(finding.location)],
    }
    if finding.related:
        result["relatedLocations"] = [
            dict(physical_location(r.location), id=index, message={"text": r.message})
            for index, r in enumerate(finding.related)
        ]
    result["partialFingerprints"] = {FINGERPRINT_KEY: fingerprint}
    result["properties"] = properties
    return result


def render(report: Report) -> str:
    specs = sorted({f.rule.id: f.rule for f in report.findings}.values(), key=lambda s: s.id)
    index = {spec.id: i for i, spec in enumerate(specs)}
    occurrences: dict[str, int] = {}
    results = []
    for finding in report.findings:  # already in (path, line, col, rule) order
        key = identity(finding)
        occurrences[key] = occurrences.get(key, 0) + 1
        results.append(_result(finding, index[finding.rule.id], f"{key}:{occurrences[key]}"))
    invocation: dict[str, Any] = {"executionSuccessful": not report.internal_errors}
    if report.internal_errors:
        invocation["toolExecutionNotifications"] = [
            {"level": "error", "message": {"text": f"internal error in {error}"}} for error in report.internal_errors
        ]
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "eks-net-lint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [rule_descriptor(spec) for spec in specs],
                    }
                },
                "invocations": [invocation],
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
