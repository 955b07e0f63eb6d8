"""Pre-commit scope: only files that can share a cluster with the given files are parsed."""
from __future__ import annotations

from pathlib import Path

import pytest

from eks_net_lint.config import Config, build
from eks_net_lint.discover import discover
from eks_net_lint.scope import scope

CC = "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: NAME, region: us-west-2}\n"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    files = {
        "clusters/prod/cluster.yaml": CC.replace("NAME", "prod"),
        "clusters/prod/cni/eni.yaml": "kind: ENIConfig\n",
        "clusters/dev/cluster.yaml": CC.replace("NAME", "dev"),
        "clusters/dev/eni.yaml": "kind: ENIConfig\n",
        "loose/a.yaml": "kind: ENIConfig\n",
        "loose/b.yaml": "kind: ENIConfig\n",
        "loose/deeper/c.yaml": "kind: ENIConfig\n",
        "eksctl/staging.yaml": CC.replace("NAME", "staging"),
        "manifests/staging/eni.yaml": "kind: ENIConfig\n",
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def scoped(given: set[str], config: Config | None = None) -> list[str]:
    return [c.display for c in scope(list(discover(["."])), given, config or Config())]


def test_a_file_below_a_clusterconfig_brings_its_cluster_only(repo: Path) -> None:
    assert scoped({"clusters/prod/cni/eni.yaml"}) == ["clusters/prod/cluster.yaml", "clusters/prod/cni/eni.yaml"]


def test_a_file_in_no_cluster_brings_its_directory(repo: Path) -> None:
    assert scoped({"loose/a.yaml"}) == ["loose/a.yaml", "loose/b.yaml"]


def test_config_paths_bring_the_cluster_and_its_clusterconfig(repo: Path) -> None:
    config = build({"clusters": {"staging": {"paths": ["manifests/staging/**"]}}}, repo / ".eks-net-lint.yaml")
    got = scoped({"manifests/staging/eni.yaml"}, config)
    assert "eksctl/staging.yaml" in got and "manifests/staging/eni.yaml" in got and "loose/a.yaml" not in got
