"""The pre-commit hook, run with ``pre-commit try-repo`` in a real temporary git repository (H23)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

BAD = "apiVersion: crd.k8s.amazonaws.com/v1alpha1\nkind: ENIConfig\nmetadata:\n  name: us-west-2a\nspec:\n  subnet: NEW-SUBNET-ID1\n"
GOOD = BAD.replace("NEW-SUBNET-ID1", "subnet-0a1b2c3d4e5f60718").replace("us-west-2a", "us-west-2b")


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
                   check=True, capture_output=True)


def test_hook_definition_matches_our_file_types() -> None:
    import yaml

    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "eks-net-lint" and hook["language"] == "python" and "types" not in hook
    import re

    for name in ("a.yaml", "b.yml", "c.json", "00-multus.conf", "10-aws.conflist"):
        assert re.search(hook["files"], name)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_try_repo_reports_the_bad_file(tmp_path: Path) -> None:
    pytest.importorskip("pre_commit", reason="pre-commit is a test dependency: pip install -e '.[test]'")
    repo = tmp_path / "gitops"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "eni-bad.yaml").write_text(BAD)
    (repo / "eni-good.yaml").write_text(GOOD)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "eniconfigs")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache")}
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "eks-net-lint", "--all-files", "--color=never"],
        cwd=repo, capture_output=True, text=True, env=env, timeout=600,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "eni-bad.yaml:6:11: ENI005 [error] ENIConfig us-west-2a subnet NEW-SUBNET-ID1" in result.stdout
    assert "eni-good.yaml" not in result.stdout.split("Found")[0].replace("eni-good.yaml:", "")
