"""Issue #7's "Done when" items, each run through the CLI (``eks_net_lint.cli.main``) with JSON output."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from eks_net_lint.cli import main

CLUSTER = "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: prod\n  region: us-west-2\n"
SEED = """apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata:
  name: ipvlan-private-a
spec:
  config: '{
      "cniVersion": "0.3.1",
      "type": "ipvlan",
      "master": "multus",
      "mode": "l2",
      "ipam": {
        "type": "host-local",
        "subnet": "192.168.96.0/19",
        "rangeStart": "192.168.96.20",
        "rangeEnd": "192.168.96.40",
        "gateway": "192.168.96.1"
      }
    }'
"""
AWS = '{"cniVersion": "0.4.0", "name": "aws-cni", "plugins": [{"type": "aws-cni"}, {"type": "egress-cni"}, {"type": "portmap", "snat": true}]}\n'


def run(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, object]]:
    if "--select" not in args:
        args = ("--select", "LNT,CONF,MUL,NAD", *args)  # other families' findings are not this issue's
    main(["--no-config", "--format", "json", *args])
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_upstream_multus_files(upstream: Path, capsys: pytest.CaptureFixture[str]) -> None:
    findings = run(capsys, str(upstream / "multus"))
    errors = [f for f in findings if f["severity"] == "error"]
    assert all("/invalid/" in str(f["path"]) for f in errors), errors
    invalid = sorted(p.name for p in (upstream / "multus" / "invalid").iterdir())
    flagged = {Path(str(f["path"])).name for f in errors if f["rule"] == "LNT001"}
    assert flagged == set(invalid)


def test_seed_nad_gets_nad011_and_no_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "nad.yaml").write_text(SEED)
    findings = run(capsys, str(tmp_path))
    assert [f["rule"] for f in findings] == ["NAD011"]
    assert not [f for f in findings if f["severity"] == "error"]


def test_seed_range_from_the_network_address(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = SEED.replace('"192.168.96.20"', '"192.168.96.0"')
    (tmp_path / "nad.yaml").write_text(text)
    findings = run(capsys, str(tmp_path))
    (nad005,) = [f for f in findings if f["rule"] == "NAD005"]
    assert nad005["line"] == line_of(text, '"rangeStart"') and "192.168.96.0 (network address)" in str(nad005["message"])
    assert not [f for f in findings if f["rule"] == "NAD004"]  # .0 lies inside the subnet: host-local accepts it


def test_seed_used_by_three_replicas(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "cluster.yaml").write_text(CLUSTER)
    (tmp_path / "nad.yaml").write_text(SEED)
    (tmp_path / "deploy.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 3\n  template:\n"
        "    metadata:\n      annotations: {k8s.v1.cni.cncf.io/networks: ipvlan-private-a}\n"
        "    spec: {containers: [{name: web, image: nginx}]}\n"
    )
    findings = run(capsys, "--select", "NAD", str(tmp_path))
    assert sorted(f["rule"] for f in findings) == ["NAD007", "NAD011"]


def test_pod_naming_a_missing_nad(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pod = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: probe\n  annotations:\n"
           "    k8s.v1.cni.cncf.io/networks: ipvlan-private-b\nspec: {containers: [{name: p, image: busybox}]}\n")
    (tmp_path / "cluster.yaml").write_text(CLUSTER)
    (tmp_path / "nad.yaml").write_text(SEED)
    (tmp_path / "pod.yaml").write_text(pod)
    findings = run(capsys, "--select", "NAD002", str(tmp_path))
    assert [(f["rule"], Path(str(f["path"])).name, f["line"]) for f in findings] == [
        ("NAD002", "pod.yaml", line_of(pod, "k8s.v1.cni.cncf.io/networks"))
    ]


def test_stray_config_before_10_aws(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "10-aws.conflist").write_text(AWS)
    (tmp_path / "05-custom.conf").write_text('{"cniVersion": "0.4.0", "name": "custom", "type": "bridge"}\n')
    findings = run(capsys, str(tmp_path))
    assert [(f["rule"], Path(str(f["path"])).name) for f in findings] == [("CONF005", "05-custom.conf")]


def test_multus_1_0_0_under_a_v3_image(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "cluster.yaml").write_text(CLUSTER)
    (tmp_path / "multus.yaml").write_text(
        "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: kube-multus-ds, namespace: kube-system}\nspec:\n  template:\n"
        "    spec:\n      containers:\n        - name: kube-multus\n"
        "          image: 602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/multus-cni:v3.7.2-eksbuild.2\n"
    )
    (tmp_path / "00-multus.conf").write_text(
        '{"cniVersion": "1.0.0", "name": "multus-cni-network", "type": "multus",'
        ' "kubeconfig": "/etc/cni/net.d/multus.d/multus.kubeconfig",'
        ' "delegates": [{"cniVersion": "0.4.0", "name": "aws-cni", "plugins": [{"type": "aws-cni"}, {"type": "egress-cni"}, {"type": "portmap", "snat": true}]}]}\n'
    )
    (tmp_path / "10-aws.conflist").write_text(AWS)
    findings = run(capsys, "--select", "MUL", str(tmp_path))
    assert [(f["rule"], Path(str(f["path"])).name) for f in findings] == [("MUL002", "00-multus.conf")]
    assert "0.4.0" in str(findings[0]["message"]) and "3.7.2" in str(findings[0]["message"])
