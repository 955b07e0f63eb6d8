"""Issue 6 "Done when", through the installed CLI: CTL and CIDR findings, inventory facts, grouping."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from conftest import UPSTREAM

CLUSTER = """\
apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata: {name: prod, region: us-west-2}
iam: {withOIDC: true}
"""


def lint(folder: Path, *args: str) -> list[dict[str, Any]]:
    """Run ``eks-net-lint --format json`` in ``folder`` and return its findings."""
    result = subprocess.run(
        [sys.executable, "-m", "eks_net_lint", ".", "--format", "json", *args],
        capture_output=True, text=True, cwd=folder, timeout=120,
    )
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    findings: list[dict[str, Any]] = json.loads(result.stdout)
    return findings


def write(folder: Path, name: str, text: str) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), "utf-8")


def rules_of(findings: list[dict[str, Any]], prefixes: tuple[str, ...] = ("CTL", "CIDR", "ENI")) -> list[str]:
    return sorted(f["rule"] for f in findings if f["rule"].startswith(prefixes))


def test_secondary_cidrs_against_the_restriction_table(tmp_path: Path) -> None:
    write(tmp_path, "cluster.yaml", CLUSTER + "availabilityZones: [us-west-2a, us-west-2b]\n")
    config = "clusters:\n  prod:\n    vpc:\n      primary-cidr: 10.0.0.0/16\n      secondary-cidrs: [{}]\n"
    write(tmp_path, ".eks-net-lint.yaml", config.format("100.64.0.0/16"))
    assert rules_of(lint(tmp_path)) == []
    write(tmp_path, ".eks-net-lint.yaml", config.format("198.19.0.0/16"))
    found = [f for f in lint(tmp_path) if f["rule"] == "CIDR001"]
    assert len(found) == 1 and found[0]["path"] == ".eks-net-lint.yaml" and found[0]["line"] == 5
    assert "restriction table row 10.0.0.0/8: cannot add" in found[0]["message"]


def test_rfc1918_pod_subnets_give_cidr002_only(tmp_path: Path) -> None:
    write(tmp_path, "cluster.yaml", CLUSTER + textwrap.dedent("""\
        availabilityZones: [us-west-2a, us-west-2b]
        ---
        apiVersion: crd.k8s.amazonaws.com/v1alpha1
        kind: ENIConfig
        metadata: {name: us-west-2a}
        spec: {subnet: subnet-0a1b2c3d4e5f60718}
        """))
    write(tmp_path, ".eks-net-lint.yaml", """\
        clusters:
          prod:
            vpc:
              primary-cidr: 10.0.0.0/16
              secondary-cidrs: [10.1.0.0/16]
              subnets:
                subnet-0a1b2c3d4e5f60718: {zone: us-west-2a, cidr: 10.1.0.0/19}
        """)
    found = lint(tmp_path)
    assert rules_of(found) == ["CIDR002"]
    assert "10.1.0.0/16" in found[0]["message"] and found[0]["severity"] == "info"


def test_zones(tmp_path: Path) -> None:
    write(tmp_path, "a/cluster.yaml", CLUSTER + "availabilityZones:\n  - us-east-1a\n  - us-west-2b\n")
    write(tmp_path, "b/cluster.yaml", CLUSTER + "availabilityZones: [us-west-2a]\n")
    found = lint(tmp_path)
    assert [(f["path"], f["line"], f["rule"]) for f in found if f["rule"].startswith("CTL")] == [
        ("a/cluster.yaml", 6, "CTL002"), ("b/cluster.yaml", 5, "CTL001")]


def test_ipv6_without_coredns(tmp_path: Path) -> None:
    write(tmp_path, "cluster.yaml", CLUSTER + textwrap.dedent("""\
        availabilityZones: [us-west-2a, us-west-2b]
        kubernetesNetworkConfig: {ipFamily: IPv6}
        addons: [{name: vpc-cni}, {name: kube-proxy}]
        """))
    found = [f for f in lint(tmp_path) if f["rule"] == "CTL004"]
    assert len(found) == 1 and "coredns" in found[0]["message"] and found[0]["line"] == 6


def test_service_cidr_overlapping_the_vpc(tmp_path: Path) -> None:
    write(tmp_path, "cluster.yaml", CLUSTER + textwrap.dedent("""\
        availabilityZones: [us-west-2a, us-west-2b]
        vpc: {cidr: 10.100.0.0/16}
        kubernetesNetworkConfig: {serviceIPv4CIDR: 10.100.0.0/16}
        """))
    found = lint(tmp_path)
    assert rules_of(found) == ["CIDR004"]
    assert found[0]["related"][0]["line"] == 6


def test_inventory_moves_an_eniconfig_subnet_to_another_zone(tmp_path: Path) -> None:
    write(tmp_path, "cluster.yaml", CLUSTER + textwrap.dedent("""\
        availabilityZones: [us-west-2a, us-west-2b, us-west-2c]
        ---
        apiVersion: crd.k8s.amazonaws.com/v1alpha1
        kind: ENIConfig
        metadata: {name: us-west-2c}
        spec: {subnet: subnet-0a1b2c3d4e5f60718}
        """))
    write(tmp_path, "aws/describe-subnets.json", json.dumps({"Subnets": [{
        "SubnetId": "subnet-0a1b2c3d4e5f60718", "VpcId": "vpc-0a1b2c3d4e5f60718",
        "AvailabilityZone": "us-west-2a", "CidrBlock": "100.64.0.0/19"}]}, indent=2))
    found = [f for f in lint(tmp_path) if f["rule"] == "ENI007"]
    assert len(found) == 1 and "us-west-2a" in found[0]["message"]
    assert found[0]["related"][0]["path"] == "aws/describe-subnets.json"
    assert found[0]["related"][0]["line"] == 6


def test_inventory_named_in_config_outside_the_linted_tree(tmp_path: Path) -> None:
    """``clusters.<name>.inventory``: relative to the config file; a bare --query list is read too."""
    repo = tmp_path / "repo"
    write(repo, "clusters/prod/cluster.yaml", CLUSTER + textwrap.dedent("""\
        availabilityZones: [us-west-2a, us-west-2b]
        ---
        apiVersion: crd.k8s.amazonaws.com/v1alpha1
        kind: ENIConfig
        metadata: {name: us-west-2b}
        spec: {subnet: subnet-0a1b2c3d4e5f60718}
        """))
    write(repo, "inventory/subnets.json", json.dumps([{
        "SubnetId": "subnet-0a1b2c3d4e5f60718", "VpcId": "vpc-0a1b2c3d4e5f60718",
        "AvailabilityZone": "us-west-2a", "CidrBlock": "10.0.32.0/19"}]))
    write(repo, "inventory/vpcs.json", json.dumps({"Vpcs": [{
        "VpcId": "vpc-0a1b2c3d4e5f60718", "CidrBlock": "10.0.0.0/16",
        "CidrBlockAssociationSet": [{"CidrBlock": "10.0.0.0/16", "CidrBlockState": {"State": "associated"}}]}]}))
    write(repo, ".eks-net-lint.yaml", "clusters:\n  prod:\n    inventory: [inventory/subnets.json, inventory/vpcs.json]\n")
    result = subprocess.run(
        [sys.executable, "-m", "eks_net_lint", "clusters", "--format", "json"],
        capture_output=True, text=True, cwd=repo, timeout=120,
    )
    found = json.loads(result.stdout)
    assert sorted(f["rule"] for f in found if f["rule"].startswith("ENI")) == ["ENI007", "ENI010"]
    eni010 = next(f for f in found if f["rule"] == "ENI010")
    assert "10.0.0.0/16" in eni010["message"]
    assert {r["path"] for r in eni010["related"]} == {"inventory/subnets.json", "inventory/vpcs.json"}


def test_many_cluster_configs_in_one_directory_stay_apart(tmp_path: Path) -> None:
    """DESIGN.md § group: each ClusterConfig document is its own cluster, even with a shared name."""
    write(tmp_path, "01.yaml", CLUSTER.replace("us-west-2", "eu-north-1") + "availabilityZones: [eu-north-1a, eu-north-1b]\n")
    write(tmp_path, "02.yaml", CLUSTER + "availabilityZones: [us-west-2a, us-west-2b]\n")
    write(tmp_path, "eniconfig.yaml", """\
        apiVersion: crd.k8s.amazonaws.com/v1alpha1
        kind: ENIConfig
        metadata: {name: us-west-2a}
        spec: {subnet: subnet-0a1b2c3d4e5f60718}
        """)
    from eks_net_lint.config import Config
    from eks_net_lint.engine import lint as run

    report = run([str(tmp_path)], Config(base=tmp_path))
    clusters = [c for c in report.contexts if c.is_cluster]
    assert len(clusters) == 2
    assert sorted(str(c.region.value) for c in clusters if c.region) == ["eu-north-1", "us-west-2"]
    assert all(len(c.cluster_configs) == 1 and not c.eni_configs for c in clusters)
    assert not any(f.rule.id.startswith(("CTL", "CIDR")) for f in report.findings)


def test_upstream_eksctl_examples_have_no_ctl_or_cidr_findings() -> None:
    if not UPSTREAM.is_dir():
        import pytest

        pytest.skip(f"{UPSTREAM} not found: the shared upstream corpus is only beside a team checkout")
    found = lint(UPSTREAM / "eksctl", "--select", "CTL,CIDR,LNT003")
    assert [(f["path"], f["rule"]) for f in found] == [("testdata/integration_crud_taints-max-pods.yaml", "LNT003")]
    assert "'region' is a required property" in found[0]["message"]
