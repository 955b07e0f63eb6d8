"""The CLI as a user runs it: a real subprocess, exit codes, both formats, stdin, commands."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

BAD_ENI = """apiVersion: crd.k8s.amazonaws.com/v1alpha1
kind: ENIConfig
metadata:
  name: us-west-2a
spec:
  subnet: subnet-08cb25ce86ab2a4cs
"""
GOOD_ENI = BAD_ENI.replace("subnet-08cb25ce86ab2a4cs", "subnet-08cb25ce86ab2a4c5")
JSON_KEYS = {"rule", "name", "severity", "path", "line", "column", "end_line", "end_column", "message", "fix",
             "related", "cluster"}


def run(*args: str, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "eks_net_lint", *args], input=stdin, capture_output=True,
                            text=True, cwd=cwd, timeout=120)
    assert "Traceback" not in result.stderr, result.stderr
    return result


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "bad.yaml").write_text(BAD_ENI)
    (tmp_path / "good.yaml").write_text(GOOD_ENI)
    return tmp_path


def test_findings_exit_1_with_located_text(repo: Path) -> None:
    result = run("bad.yaml", "good.yaml", "--no-config", cwd=repo)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0].startswith("bad.yaml:6:11: ENI005 [error] ENIConfig us-west-2a subnet")
    assert result.stdout.splitlines()[-1] == "Found 1 finding (1 error) in 2 files."


def test_clean_exit_0(repo: Path) -> None:
    result = run("good.yaml", "--no-config", cwd=repo)
    assert result.returncode == 0
    assert result.stdout == "No findings in 1 file.\n"


def test_json_output_has_the_documented_keys(repo: Path) -> None:
    result = run(".", "--format", "json", "--no-config", cwd=repo)
    data = json.loads(result.stdout)
    assert result.returncode == 1 and len(data) == 1
    assert set(data[0]) == JSON_KEYS
    assert (data[0]["rule"], data[0]["path"], data[0]["line"], data[0]["column"]) == ("ENI005", "bad.yaml", 6, 11)
    assert data[0]["fix"].endswith(".") and data[0]["related"] == [] and data[0]["cluster"] is None


def test_stdin(repo: Path) -> None:
    result = run("-", "--no-config", stdin=BAD_ENI, cwd=repo)
    assert result.returncode == 1
    assert result.stdout.startswith("<stdin>:6:11: ENI005")


def test_fail_on_threshold(repo: Path) -> None:
    (repo / "dup.yaml").write_text(GOOD_ENI + "  subnet: subnet-08cb25ce86ab2a4c6\n")
    assert run("dup.yaml", "--no-config", cwd=repo).returncode == 1  # LNT004 is a warning
    assert run("dup.yaml", "--no-config", "--fail-on", "error", cwd=repo).returncode == 0


def test_select_and_ignore_by_id_name_and_prefix(repo: Path) -> None:
    assert run("bad.yaml", "--no-config", "--ignore", "eniconfig-invalid-subnet", cwd=repo).returncode == 0
    assert run("bad.yaml", "--no-config", "--select", "LNT", cwd=repo).returncode == 0
    assert run("bad.yaml", "--no-config", "--select", "ENI005", cwd=repo).returncode == 1


@pytest.mark.parametrize(
    "args",
    [("--select", "NOPE123"), ("--format", "xml"), ("does-not-exist.yaml",), ("--config", "missing.yaml"),
     ("explain", "NOPE001"), ("--bogus-flag",)],
)
def test_usage_errors_exit_2(repo: Path, args: tuple[str, ...]) -> None:
    result = run(*args, cwd=repo)
    assert result.returncode == 2
    assert result.stderr.strip()


def test_bad_config_exits_2_naming_the_key(repo: Path) -> None:
    (repo / ".eks-net-lint.yaml").write_text("fail-on: sometimes\n")
    result = run("bad.yaml", cwd=repo)
    assert result.returncode == 2
    assert "fail-on" in result.stderr and "sometimes" in result.stderr


def test_config_file_is_found_and_applied(repo: Path) -> None:
    (repo / ".eks-net-lint.yaml").write_text("ignore: [ENI005]\n")
    assert run("bad.yaml", cwd=repo).returncode == 0


def test_version_rules_and_explain() -> None:
    assert run("--version").stdout.startswith("eks-net-lint ")
    rules = run("rules")
    assert rules.returncode == 0 and "ENI001   missing-zone-eniconfig" in rules.stdout
    explained = run("explain", "missing-zone-eniconfig")
    assert explained.returncode == 0
    for heading in ("## What it does", "## Why it matters", "## How to fix", "## Example", "## References"):
        assert heading in explained.stdout
    as_json = json.loads(run("explain", "ENI006", "--format", "json").stdout)
    assert as_json["options"][0]["name"] == "max-security-groups"


def test_examples_report_the_deliberate_mistakes() -> None:
    result = run("examples/", "--format", "json", cwd=REPO)
    assert result.returncode == 1
    found = {(f["rule"], Path(f["path"]).name, f["line"]) for f in json.loads(result.stdout)}
    assert ("ENI001", "aws-node.yaml", 40) in found
    assert ("ENI005", "eniconfigs.yaml", 17) in found
    assert ("ENI007", "eu-west-1a.yaml", 7) in found
    assert ("ENI006", "eu-west-1b.yaml", 10) in found


def test_hostile_inputs_beside_a_bad_eniconfig(tmp_path: Path) -> None:
    (tmp_path / "binary.yaml").write_bytes(b"\x00\x01\x02")
    (tmp_path / "invalid.yaml").write_text("foo: [bar\n")
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    for i in range(8):
        bomb += f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n"
    (tmp_path / "bomb.yaml").write_text(bomb)
    (tmp_path / "deep5k.yaml").write_text("[" * 5000 + "]" * 5000)
    (tmp_path / "deep100k.yaml").write_text("[" * 100_000 + "]" * 100_000)
    (tmp_path / "eni.yaml").write_text(BAD_ENI)
    result = run(".", "--format", "json", "--no-config", cwd=tmp_path)
    assert result.returncode == 1
    got = {(f["path"], f["rule"]) for f in json.loads(result.stdout)}
    assert got == {("binary.yaml", "LNT002"), ("invalid.yaml", "LNT001"), ("bomb.yaml", "LNT002"),
                   ("deep5k.yaml", "LNT002"), ("deep100k.yaml", "LNT002"), ("eni.yaml", "ENI005")}


def test_parallel_run_prints_the_same_as_one_process(tmp_path: Path) -> None:
    for i in range(450):
        folder = tmp_path / f"team{i % 9}"
        folder.mkdir(exist_ok=True)
        (folder / f"eni{i}.yaml").write_text(BAD_ENI.replace("us-west-2a", f"zone-{i}"))
    one = run(".", "--no-config", "--jobs", "1", "--format", "json", cwd=tmp_path)
    two = run(".", "--no-config", "--jobs", "2", "--format", "json", cwd=tmp_path)
    assert one.returncode == two.returncode == 1
    assert one.stdout == two.stdout and len(json.loads(one.stdout)) == 450


def test_baseline_accepts_earlier_findings(repo: Path) -> None:
    (repo / "baseline.json").write_text(run("bad.yaml", "--no-config", "--format", "json", cwd=repo).stdout)
    (repo / ".eks-net-lint.yaml").write_text("baseline: baseline.json\n")
    assert run("bad.yaml", cwd=repo).returncode == 0


def test_in_repo_mode_reports_only_the_given_files(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "bad.yaml").write_text(BAD_ENI)
    (tmp_path / "other-bad.yaml").write_text(BAD_ENI.replace("us-west-2a", "us-west-2b"))
    result = run("--in-repo", "a/bad.yaml", "--no-config", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith("a/bad.yaml:6:11: ENI005") and "other-bad.yaml" not in result.stdout
