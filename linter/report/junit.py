"""JUnit XML output for CI test reports, built with ``xml.etree`` (STYLE.md H15).

One ``testsuite`` per file, one failing ``testcase`` per finding; a run without findings still
shows one passing testcase, and internal errors show as ``error`` testcases.
"""
from __future__ import annotations

import re
from itertools import groupby
from typing import TYPE_CHECKING

from ..findings import Finding
from .text import summary

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET

    from ..engine import Report

TOOL = "eks-net-lint"
# Characters XML 1.0 cannot hold at all (ElementTree would write them and break the document).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _details(finding: Finding) -> str:
    loc = finding.location
    lines = [f"{loc.path}:{loc.line}:{loc.col}: {finding.rule.id} [{finding.severity}] {finding.message}",
             f"fix: {finding.fix}"]
    lines += [f"see: {r.location.path}:{r.location.line}:{r.location.col}: {r.message}" for r in finding.related]
    if finding.cluster is not None:
        lines.append(f"cluster: {finding.cluster}")
    return _clean("\n".join(lines))


def _suite(parent: ET.Element, name: str, tests: int, failures: int, errors: int) -> ET.Element:
    import xml.etree.ElementTree as ET  # on use: start-up time counts (DESIGN.md)

    return ET.SubElement(parent, "testsuite", name=_clean(name), tests=str(tests), failures=str(failures),
                         errors=str(errors), skipped="0")


def _testcase(suite: ET.Element, classname: str, name: str, **attrs: str) -> ET.Element:
    import xml.etree.ElementTree as ET

    return ET.SubElement(suite, "testcase", {"classname": _clean(classname), "name": _clean(name), **attrs})


def render(report: Report) -> str:
    import xml.etree.ElementTree as ET

    findings = report.findings
    errors = report.internal_errors
    passed = not findings and not errors
    root = ET.Element("testsuites", name=TOOL, tests=str(len(findings) + len(errors) + passed),
                      failures=str(len(findings)), errors=str(len(errors)))
    for path, group in groupby(findings, key=lambda f: f.location.path):  # findings are sorted by path
        in_file = list(group)
        suite = _suite(root, path, len(in_file), len(in_file), 0)
        for f in in_file:
            loc = f.location
            case = _testcase(suite, path, f"{f.rule.id} {f.rule.name} at {loc.line}:{loc.col}",
                             file=_clean(path), line=str(loc.line))
            failure = ET.SubElement(case, "failure", message=_clean(f.message), type=str(f.severity))
            failure.text = _details(f)
    if errors or passed:
        suite = _suite(root, TOOL, len(errors) + passed, 0, len(errors))
        for error in errors:
            case = _testcase(suite, TOOL, "internal error")
            ET.SubElement(case, "error", message=_clean(f"internal error in {error}"), type="internal-error")
        if passed:
            case = _testcase(suite, TOOL, f"lint {report.files} file{'s' * (report.files != 1)}")
            ET.SubElement(case, "system-out").text = summary(report)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
