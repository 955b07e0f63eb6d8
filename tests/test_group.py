"""Cluster grouping (DESIGN.md § group) through the API."""
from __future__ import annotations

from pathlib import Path

import pytest

from eks_net_lint.api import lint
from eks_net_lint.config import build

CC = "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {{name: {name}, region: us-west-2}}\n"
ENI = "apiVersion: crd.k8s.amazonaws.com/v1alpha1\nkind: ENIConfig\nmetadata: {name: us-west-2a}\nspec: {subnet: subnet-0a1b2c3d}\n"


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def contexts(root: Path, data: dict | None = None) -> dict[str, list[str]]:
    config = build(data or {}, root / ".eks-net-lint.yaml")
    report = lint(["."], config)
    return {(c.name or c.key): sorted(s.path for s in c.sources) for c in report.contexts}


def write(root: Path, rel: str, text: str) -> None:
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(text)


def test_files_below_a_clusterconfig_join_it(tmp_path: Path) -> None:
    write(tmp_path, "clusters/prod/cluster.yaml", CC.format(name="prod"))
    write(tmp_path, "clusters/prod/cni/eni.yaml", ENI)
    write(tmp_path, "clusters/dev/cluster.yaml", CC.format(name="dev"))
    write(tmp_path, "shared/eni.yaml", ENI)
    got = contexts(tmp_path)
    assert got["prod"] == ["clusters/prod/cluster.yaml", "clusters/prod/cni/eni.yaml"]
    assert got["dev"] == ["clusters/dev/cluster.yaml"]
    assert got["dir:shared"] == ["shared/eni.yaml"]


def test_config_paths_assign_files(tmp_path: Path) -> None:
    write(tmp_path, "eksctl/prod.yaml", CC.format(name="prod"))
    write(tmp_path, "manifests/prod/eni.yaml", ENI)
    got = contexts(tmp_path, {"clusters": {"prod": {"paths": ["manifests/prod/**"]}}})
    assert got["prod"] == ["eksctl/prod.yaml", "manifests/prod/eni.yaml"]


def test_a_file_with_two_clusterconfigs_starts_two_clusters(tmp_path: Path) -> None:
    write(tmp_path, "all.yaml", CC.format(name="a") + "---\n" + CC.format(name="b"))
    got = contexts(tmp_path)
    assert got["a"] == ["all.yaml"] and got["b"] == ["all.yaml"]
