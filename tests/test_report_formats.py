"""SARIF, JUnit and GitHub output through the real CLI on a small repository, plus the pure renderers.

SARIF is validated against the OASIS 2.1.0 schema in ../shared (skipped where it is absent); JUnit
and the workflow commands are checked structurally (STYLE.md H14, H15, H17).
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, UPSTREAM

from eks_net_lint.engine import Report
from eks_net_lint.findings import Finding, Location, Related, RuleSpec, Severity
from eks_net_lint.registry import lookup
from eks_net_lint.report import FORMATS, github, junit, sarif

SARIF_SCHEMA = UPSTREAM / "sarif" / "sarif-schema-2.1.0.json"
ODD_NAME = "odd: name,1.yaml"  # a colon, a comma and a space: escaped in URIs and workflow commands

FILES = {
    "prod/cluster.yaml": """\
apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata:
  name: prod
  region: us-west-2
managedNodeGroups:
  - name: ng-general
    instanceType: m5.large
    maxPodsPerNode: 20
    availabilityZones: [us-west-2a, us-west-2b, us-west-2c]
""",
    "prod/aws-node.yaml": """\
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: aws-node
  namespace: kube-system
spec:
  selector:
    matchLabels: {k8s-app: aws-node}
  template:
    spec:
      containers:
        - name: aws-node
          image: 602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.18.3-eksbuild.1
          env:
            - name: AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG
              value: "true"
            - name: ENI_CONFIG_LABEL_DEF
              value: topology.kubernetes.io/zone
""",
    "prod/eniconfigs.yaml": """\
apiVersion: crd.k8s.amazonaws.com/v1alpha1
kind: ENIConfig
metadata:
  name: us-west-2a
spec:
  subnet: subnet-0a1b2c3d4e5f60718
---
apiVersion: crd.k8s.amazonaws.com/v1alpha1
kind: ENIConfig
metadata:
  name: us-west-2b
spec:
  subnet: subnet-0a1b2c3d4e5f60719
""",
    ODD_NAME: """\
apiVersion: crd.k8s.amazonaws.com/v1alpha1
kind: ENIConfig
metadata:
  name: us-east-1a
spec:
  subnet: NEW-SUBNET-ID1
---
apiVersion: crd.k8s.amazonaws.com/v1alpha1
kind: ENIConfig
metadata:
  name: us-east-1b
spec:
  subnet: subnet-08cb25ce86ab2a4cs
""",
    "misc/duplicate.yaml": """\
apiVersion: crd.k8s.amazonaws.com/v1alpha1
kind: ENIConfig
metadata:
  name: us-east-1c
  name: us-east-1c
spec:
  subnet: subnet-0a1b2c3d4e5f6071a  # eks-net-lint: disable=ENI005
""",
    "misc/broken.yaml": "apiVersion: crd.k8s.amazonaws.com/v1alpha1\nkind: ENIConfig\nmetadata: {name: us-east-1d\n",
}


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NO_COLOR")}
    return subprocess.run([sys.executable, "-m", "eks_net_lint", *args, "--no-config"], cwd=cwd,
                          env={**base, **(env or {})}, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("formats")
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def findings(repo: Path) -> list[dict[str, Any]]:
    """The JSON output: the reference the other formats are compared with."""
    result = run(".", "--format", "json", cwd=repo)
    assert result.returncode == 1, result.stderr
    found: list[dict[str, Any]] = json.loads(result.stdout)
    rules = {f["rule"] for f in found}
    assert {"ENI001", "ENI005", "LNT001", "LNT004", "LNT006"} <= rules, found  # every severity, related, odd name
    return found


@pytest.fixture(scope="module")
def sarif_log(repo: Path, findings: list[dict[str, Any]]) -> dict[str, Any]:
    result = run(".", "--format", "sarif", cwd=repo)
    assert result.returncode == 1, result.stderr
    log: dict[str, Any] = json.loads(result.stdout)
    return log


# --- SARIF ---------------------------------------------------------------------------------

def test_sarif_is_valid_against_the_2_1_0_schema(sarif_log: dict[str, Any]) -> None:
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"{SARIF_SCHEMA} not found: the SARIF schema is only in ../shared beside a team checkout")
    import jsonschema

    schema = json.loads(SARIF_SCHEMA.read_text("utf-8"))
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(sarif_log)]
    assert not errors, "\n".join(errors[:20])


def test_sarif_driver_lists_only_the_rules_that_fired_with_their_docs(
    sarif_log: dict[str, Any], findings: list[dict[str, Any]]
) -> None:
    assert sarif_log["version"] == "2.1.0"
    (run_,) = sarif_log["runs"]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "eks-net-lint" and driver["version"] and driver["informationUri"].startswith("https://")
    assert [r["id"] for r in driver["rules"]] == sorted({f["rule"] for f in findings})
    for descriptor in driver["rules"]:
        spec = lookup(descriptor["id"])
        assert spec is not None
        assert descriptor["name"] == spec.name
        assert descriptor["shortDescription"]["text"] == spec.summary
        assert descriptor["fullDescription"]["text"] == spec.docs
        assert descriptor["help"] == {"text": spec.docs, "markdown": spec.docs}
        assert descriptor["helpUri"] == (
            f"https://github.com/eks-net-lint/eks-net-lint/blob/main/docs/rules.md#{spec.id.lower()}-{spec.name}"
        )
        assert descriptor["defaultConfiguration"]["level"] == sarif.LEVELS[spec.severity]


def test_sarif_help_uri_anchors_a_heading_of_docs_rules_md() -> None:
    spec = lookup("ENI001")
    assert spec is not None
    anchor = sarif.help_uri(spec).rsplit("#", 1)[1]
    headings = re.findall(r"^## (.+)$", (REPO / "docs" / "rules.md").read_text("utf-8"), flags=re.M)
    slugs = {re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-") for h in headings}  # GitHub's anchor slug
    assert anchor in slugs


def test_sarif_results_match_the_findings(sarif_log: dict[str, Any], findings: list[dict[str, Any]]) -> None:
    (run_,) = sarif_log["runs"]
    rules = run_["tool"]["driver"]["rules"]
    results = run_["results"]
    assert len(results) == len(findings)
    levels = {"error": "error", "warning": "warning", "info": "note"}
    for result, finding in zip(results, findings):
        assert result["ruleId"] == finding["rule"]
        assert rules[result["ruleIndex"]]["id"] == finding["rule"]
        assert result["level"] == levels[finding["severity"]]
        assert result["message"]["text"] == finding["message"]
        assert result["properties"]["fix"] == finding["fix"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == finding["path"].replace(":", "%3A").replace(" ", "%20") \
            .replace(",", "%2C")
        region = physical["region"]
        assert (region["startLine"], region["startColumn"]) == (finding["line"], finding["column"])
        assert region["endLine"] == finding["end_line"]
        if finding["end_column"] > finding["column"]:
            assert region["endColumn"] == finding["end_column"]
        related = [(r["physicalLocation"]["artifactLocation"]["uri"], r["physicalLocation"]["region"]["startLine"],
                    r["message"]["text"]) for r in result.get("relatedLocations", [])]
        assert related == [(r["path"], r["line"], r["message"]) for r in finding["related"]]
    assert {r["level"] for r in results} == {"error", "warning", "note"}


def test_sarif_cross_file_finding_has_a_full_region_and_related_locations(sarif_log: dict[str, Any]) -> None:
    (eni001,) = [r for r in sarif_log["runs"][0]["results"] if r["ruleId"] == "ENI001"]
    physical = eni001["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "prod/aws-node.yaml"
    assert physical["region"] == {"startLine": 18, "startColumn": 22, "endLine": 18,
                                  "endColumn": 22 + len("topology.kubernetes.io/zone")}
    uris = {r["physicalLocation"]["artifactLocation"]["uri"] for r in eni001["relatedLocations"]}
    assert "prod/cluster.yaml" in uris
    assert eni001["properties"]["cluster"] == "prod"


def test_sarif_fingerprints_are_unique_and_free_of_message_text(sarif_log: dict[str, Any]) -> None:
    results = sarif_log["runs"][0]["results"]
    prints = [r["partialFingerprints"][sarif.FINGERPRINT_KEY] for r in results]
    assert len(set(prints)) == len(prints)
    for result, value in zip(results, prints):
        assert re.fullmatch(r"[0-9a-f]{32}:\d+", value)
        assert result["message"]["text"] not in value


def test_sarif_output_is_deterministic(repo: Path, sarif_log: dict[str, Any]) -> None:
    again = run(".", "--format", "sarif", "--jobs", "1", cwd=repo)
    assert json.loads(again.stdout) == sarif_log


def _finding(rule: str = "ENI005", message: str = "subnet NEW-SUBNET-ID1 is not a subnet ID", path: str = "a.yaml",
             line: int = 6, cluster: str | None = None, **loc: int) -> Finding:
    spec = lookup(rule)
    assert spec is not None
    return Finding(spec, spec.severity, message, Location(path, line, 11, **loc), "Fix it.", (), cluster)


def _fingerprints(*found: Finding) -> list[str]:
    log = json.loads(sarif.render(Report(findings=sorted(found, key=Finding.sort_key), files=1)))
    return [r["partialFingerprints"][sarif.FINGERPRINT_KEY] for r in log["runs"][0]["results"]]


def test_sarif_fingerprint_follows_rule_path_and_cluster_not_message_or_line() -> None:
    (base,) = _fingerprints(_finding())
    assert _fingerprints(_finding(message="another wording of the message", line=40)) == [base]
    assert _fingerprints(_finding(rule="ENI006")) != [base]
    assert _fingerprints(_finding(path="b.yaml")) != [base]
    assert _fingerprints(_finding(cluster="prod")) != [base]
    first, second = _fingerprints(_finding(line=6), _finding(line=13, message="other"))
    assert first == base and second == base.replace(":1", ":2")


def test_sarif_region_without_an_end_column_runs_to_the_end_of_the_line() -> None:
    assert sarif.region(Location("a.yaml", 3, 5)) == {"startLine": 3, "startColumn": 5, "endLine": 3}
    assert sarif.region(Location("a.yaml", 3, 5, 4, 2)) == {"startLine": 3, "startColumn": 5, "endLine": 4,
                                                             "endColumn": 2}


def test_sarif_artifact_uris() -> None:
    assert sarif.artifact_uri("clusters/prod/eni configs.yaml") == "clusters/prod/eni%20configs.yaml"
    assert sarif.artifact_uri("c:d.yaml") == "c%3Ad.yaml"  # not read as a URI scheme
    assert sarif.artifact_uri("/abs/x.yaml") == "file:///abs/x.yaml"


def test_sarif_with_no_findings_has_an_empty_run() -> None:
    log = json.loads(sarif.render(Report(files=3)))
    assert log["runs"][0]["results"] == [] and log["runs"][0]["tool"]["driver"]["rules"] == []
    assert log["runs"][0]["invocations"] == [{"executionSuccessful": True}]


# --- JUnit ---------------------------------------------------------------------------------

def test_junit_has_a_suite_per_file_and_a_failing_case_per_finding(repo: Path, findings: list[dict[str, Any]]) -> None:
    result = run(".", "--format", "junit", cwd=repo)
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(result.stdout)
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == (str(len(findings)), str(len(findings)), "0")
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == sorted({f["path"] for f in findings})
    cases = []
    for suite in suites:
        in_suite = suite.findall("testcase")
        assert suite.get("tests") == suite.get("failures") == str(len(in_suite))
        assert suite.get("errors") == "0"
        cases += in_suite
    assert len(cases) == len(findings)
    for case, finding in zip(cases, findings):
        assert case.get("classname") == finding["path"]
        assert case.get("name", "").startswith(f"{finding['rule']} {finding['name']} at {finding['line']}:")
        failure = case.find("failure")
        assert failure is not None
        assert failure.get("message") == finding["message"]
        assert failure.get("type") == finding["severity"]
        assert f"fix: {finding['fix']}" in (failure.text or "")


def test_junit_shows_a_passing_case_when_there_are_no_findings(repo: Path) -> None:
    result = run("prod/eniconfigs.yaml", "--format", "junit", cwd=repo)
    assert result.returncode == 0, result.stderr
    root = ET.fromstring(result.stdout)
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("1", "0", "0")
    (suite,) = root.findall("testsuite")
    (case,) = suite.findall("testcase")
    assert case.find("failure") is None and case.find("error") is None
    assert "No findings" in (case.findtext("system-out") or "")


def test_junit_survives_characters_xml_cannot_hold() -> None:
    text = junit.render(Report(findings=[_finding(message="bad \x01 byte & <tag>")], files=1))
    failure = ET.fromstring(text).find("testsuite/testcase/failure")
    assert failure is not None and failure.get("message") == "bad \\x01 byte & <tag>"


def test_junit_reports_internal_errors_as_errors() -> None:
    root = ET.fromstring(junit.render(Report(files=1, internal_errors=["ENI001 on prod: KeyError: 'x'"])))
    assert (root.get("tests"), root.get("errors")) == ("1", "1")
    error = root.find("testsuite/testcase/error")
    assert error is not None and "KeyError" in (error.get("message") or "")


# --- GitHub workflow commands --------------------------------------------------------------

COMMAND = re.compile(r"::(error|warning|notice) ((?:[A-Za-z]+=[^,:]*)(?:,[A-Za-z]+=[^,:]*)*)::(.*)")


def _unescape(text: str) -> str:
    for code, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(code, char)
    return text


def test_github_annotations_match_the_findings(repo: Path, findings: list[dict[str, Any]]) -> None:
    result = run(".", "--format", "github", cwd=repo)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(findings) + 1 and lines[-1].startswith("Found ")
    commands = {"error": "error", "warning": "warning", "info": "notice"}
    for line, finding in zip(lines, findings):
        match = COMMAND.fullmatch(line)
        assert match, line
        kind, props, message = match.groups()
        assert kind == commands[finding["severity"]]
        fields = dict((key, _unescape(value)) for key, value in (p.split("=", 1) for p in props.split(",")))
        assert fields["file"] == finding["path"]
        assert (fields["line"], fields["col"]) == (str(finding["line"]), str(finding["column"]))
        assert fields["endLine"] == str(finding["end_line"])
        assert fields["title"] == f"{finding['rule']} {finding['name']}"
        assert _unescape(message) == finding["message"]
    assert f"file={github.escape_property(ODD_NAME)}," in result.stdout
    assert "file=odd%3A name%2C1.yaml," in result.stdout


def test_github_escaping() -> None:
    spec = lookup("LNT004")
    assert isinstance(spec, RuleSpec)
    finding = Finding(spec, Severity.INFO, "100% wrong\r\nsecond line: a, b", Location("x:y,z.yaml", 2, 3, 2, 9),
                      "Fix it.", (Related(Location("x.yaml", 1, 1), "here"),))
    assert github.annotation(finding) == (
        "::notice file=x%3Ay%2Cz.yaml,line=2,col=3,endLine=2,endColumn=9,title=LNT004 duplicate-key"
        "::100%25 wrong%0D%0Asecond line: a, b"
    )
    assert github.escape_property("a%b:c,d\ne") == "a%25b%3Ac%2Cd%0Ae"


def test_github_leaves_out_unknown_ends() -> None:
    assert ",endLine=" not in github.annotation(_finding())
    assert github.annotation(_finding(end_line=6)).count("endColumn") == 0


# --- the CLI: auto and repeated --format/--output ------------------------------------------

def test_auto_is_text_outside_github_actions_and_github_inside(repo: Path) -> None:
    plain = run(".", "--format", "auto", cwd=repo)
    assert plain.stdout == run(".", cwd=repo).stdout
    assert re.match(r"^\S+:\d+:\d+: [A-Z]+\d+ \[", plain.stdout) and "\033[" not in plain.stdout
    actions = run(".", "--format", "auto", cwd=repo, env={"GITHUB_ACTIONS": "true"})
    assert actions.stdout == run(".", "--format", "github", cwd=repo).stdout
    assert actions.stdout.startswith("::") and "\n::error file=" in actions.stdout


def test_repeated_format_writes_each_output(repo: Path, tmp_path: Path, findings: list[dict[str, Any]]) -> None:
    sarif_file, junit_file = tmp_path / "out.sarif", tmp_path / "out.xml"
    result = run(".", "--format", "sarif", "--output", str(sarif_file), "--format", "junit", "--output",
                 str(junit_file), "--format", "text", "--output", "-", cwd=repo)
    assert result.returncode == 1, result.stderr
    assert result.stdout == run(".", cwd=repo).stdout
    assert len(json.loads(sarif_file.read_text("utf-8"))["runs"][0]["results"]) == len(findings)
    assert ET.fromstring(junit_file.read_text("utf-8")).get("failures") == str(len(findings))


def test_single_output_file(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = run(".", "--format", "json", "--output", str(out), cwd=repo)
    assert result.returncode == 1 and result.stdout == ""
    assert json.loads(out.read_text("utf-8"))


@pytest.mark.parametrize(
    "args",
    [("--format", "sarif", "--format", "junit"),
     ("--format", "sarif", "--output", "a.sarif", "--output", "b.sarif"),
     ("--format", "sarif", "--output", "no/such/dir/a.sarif")],
)
def test_unmatched_or_unwritable_outputs_exit_2(repo: Path, args: tuple[str, ...]) -> None:
    result = run(".", *args, cwd=repo)
    assert result.returncode == 2
    assert "--output" in result.stderr or "cannot write" in result.stderr


def test_every_format_is_registered() -> None:
    assert {"text", "json", "sarif", "junit", "github"} <= set(FORMATS)
