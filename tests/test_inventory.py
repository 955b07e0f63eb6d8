"""Tests for eks_net_lint.inventory: describe-subnets / describe-vpcs shapes (reference § d)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from eks_net_lint.findings import Location
from eks_net_lint.inventory import EMPTY, inventory_kind, merge, parse_inventory

SUBNET = {
    "SubnetId": "subnet-0123456789abcdef0",
    "VpcId": "vpc-0a1b2c3d4e5f60718",
    "AvailabilityZone": "us-west-2a",
    "AvailabilityZoneId": "usw2-az1",
    "CidrBlock": "100.64.0.0/19",
    "AvailableIpAddressCount": 8187,
    "State": "available",
    "Ipv6CidrBlockAssociationSet": [{"Ipv6CidrBlock": "2600:1f14::/64", "AssociationId": "a"}],
}
VPC = {
    "VpcId": "vpc-0a1b2c3d4e5f60718",
    "CidrBlock": "10.0.0.0/16",
    "CidrBlockAssociationSet": [
        {"CidrBlock": "10.0.0.0/16", "CidrBlockState": {"State": "associated"}, "AssociationId": "p"},
        {"CidrBlock": "100.64.0.0/16", "CidrBlockState": {"State": "associated"}, "AssociationId": "s1"},
        {"CidrBlock": "198.19.0.0/16", "CidrBlockState": {"State": "failed"}, "AssociationId": "s2"},
    ],
}


def test_cli_shape_subnets() -> None:
    inv = parse_inventory({"Subnets": [SUBNET]}, "subnets.json")
    rec = inv.subnet("subnet-0123456789abcdef0")
    assert rec is not None
    assert (rec.zone, rec.cidr, rec.vpc_id, rec.zone_id) == ("us-west-2a", "100.64.0.0/19", "vpc-0a1b2c3d4e5f60718", "usw2-az1")
    assert rec.ipv6_cidrs == ("2600:1f14::/64",)
    assert rec.available_ips == 8187 and rec.source == "subnets.json"
    assert inv.sources == ("subnets.json",)


def test_vpc_associations_and_states() -> None:
    inv = parse_inventory({"Vpcs": [VPC]}, "vpcs.json")
    vpc = inv.vpc("vpc-0a1b2c3d4e5f60718")
    assert vpc is not None
    assert vpc.primary_cidr == "10.0.0.0/16"
    assert [a.cidr for a in vpc.secondary] == ["100.64.0.0/16", "198.19.0.0/16"]
    assert [a.state for a in vpc.secondary] == ["associated", "failed"]
    assert vpc.usable_cidrs == ("10.0.0.0/16", "100.64.0.0/16")


def test_recorded_boto_response_and_bare_list() -> None:
    wrapped = {"status_code": 200, "data": {"Subnets": [SUBNET], "ResponseMetadata": {}}}
    assert inventory_kind(wrapped) == {"subnets"}
    assert parse_inventory(wrapped).subnet(SUBNET["SubnetId"]) is not None
    assert inventory_kind([VPC]) == {"vpcs"}
    assert parse_inventory([VPC]).vpc(VPC["VpcId"]) is not None
    assert inventory_kind({"Subnets": [], "Vpcs": []}) == {"subnets", "vpcs"}


@pytest.mark.parametrize(
    "data",
    [None, 3, "x", [], {}, {"Subnets": "nope"}, {"Subnets": [1, None, [], {"SubnetId": 5}]},
     {"Vpcs": [{"VpcId": None}]}, [{"a": 1}], {"AvailabilityZones": [{"ZoneName": "us-east-1a"}]},
     {"status_code": 200, "data": None}],
)
def test_bad_shapes_never_raise(data: object) -> None:
    assert parse_inventory(data) is EMPTY
    assert not parse_inventory(data)


def test_wrong_field_types_read_as_absent() -> None:
    item = {"SubnetId": "subnet-01234567", "AvailabilityZone": 7, "CidrBlock": ["x"], "AvailableIpAddressCount": True,
            "Ipv6CidrBlockAssociationSet": "nope", "VpcId": {}}
    rec = parse_inventory({"Subnets": [item]}).subnet("subnet-01234567")
    assert rec is not None
    assert (rec.zone, rec.cidr, rec.available_ips, rec.ipv6_cidrs, rec.vpc_id) == (None, None, None, (), None)
    vpc = parse_inventory({"Vpcs": [{"VpcId": "vpc-01234567", "CidrBlock": 1,
                                     "CidrBlockAssociationSet": [5, {"CidrBlock": "10.0.0.0/16", "CidrBlockState": "x"}]}]})
    rec_v = vpc.vpc("vpc-01234567")
    assert rec_v is not None and rec_v.primary_cidr is None
    assert [(a.cidr, a.state) for a in rec_v.associations] == [("10.0.0.0/16", None)]


def test_locate_receives_json_paths() -> None:
    seen: list[tuple[str | int, ...]] = []

    def locate(path: tuple[str | int, ...]) -> Location:
        seen.append(path)
        return Location("inv.json", len(seen), 1)

    wrapped = {"status_code": 200, "data": {"Subnets": [SUBNET], "Vpcs": [VPC]}}
    inv = parse_inventory(wrapped, "inv.json", locate)
    assert ("data", "Subnets", 0, "SubnetId") in seen
    assert ("data", "Subnets", 0, "AvailabilityZone") in seen
    assert ("data", "Vpcs", 0, "CidrBlockAssociationSet", 2, "CidrBlock") in seen
    rec = inv.subnet(SUBNET["SubnetId"])
    assert rec is not None and rec.zone_location is not None and rec.zone_location.path == "inv.json"


def test_merge_first_record_wins() -> None:
    a = parse_inventory({"Subnets": [SUBNET]}, "a.json")
    b = parse_inventory({"Subnets": [dict(SUBNET, AvailabilityZone="us-west-2c")], "Vpcs": [VPC]}, "b.json")
    merged = merge([a, b, EMPTY])
    rec = merged.subnet(SUBNET["SubnetId"])
    assert rec is not None and rec.zone == "us-west-2a" and rec.source == "a.json"
    assert merged.vpc(VPC["VpcId"]) is not None
    assert merged.sources == ("a.json", "b.json")
    assert merge([]) is EMPTY
    assert merged.subnet(None) is None and merged.vpc(3) is None


def test_upstream_inventory_files(upstream: Path) -> None:
    folder = upstream / "eniconfig" / "inventory"
    subnets = parse_inventory(json.loads((folder / "cloudmapper-demo_us-east-1_ec2-describe-subnets.json").read_text()))
    assert inventory_kind(json.loads((folder / "cloudmapper-demo_us-east-1_ec2-describe-subnets.json").read_text())) == {"subnets"}
    first = subnets.subnet("subnet-00000001")
    assert first is not None and (first.zone, first.cidr, first.vpc_id) == ("us-east-1a", "10.0.0.0/24", "vpc-12345678")
    placebo = parse_inventory(json.loads((folder / "custodian-placebo_rds-proxy-vpc-filter_DescribeVpcs.json").read_text()))
    vpc = placebo.vpc("vpc-0d4f819d13b730139")
    assert vpc is not None and vpc.primary_cidr == "10.0.0.0/16"
    assert [a.cidr for a in vpc.secondary] == ["10.1.0.0/16"]
    zones = json.loads((folder / "cloudmapper-demo_us-east-1_ec2-describe-availability-zones.json").read_text())
    assert inventory_kind(zones) == frozenset() and parse_inventory(zones) is EMPTY
    for path in sorted(folder.glob("*Subnets*.json")) + sorted(folder.glob("*subnets*.json")):
        assert parse_inventory(json.loads(path.read_text())).subnets
    for path in sorted(folder.glob("*Vpcs*.json")) + sorted(folder.glob("*vpcs*.json")):
        assert parse_inventory(json.loads(path.read_text())).vpcs


# --- the engine side: classification, cluster facts ------------------------------------------------


def _lint(folder: Path) -> object:
    from eks_net_lint.config import Config
    from eks_net_lint.engine import lint

    return lint([str(folder)], Config(base=folder))


def _context(report: object) -> object:
    contexts = [c for c in report.contexts if c.is_cluster]  # type: ignore[attr-defined]
    assert len(contexts) == 1
    return contexts[0]


CLUSTER_YAML = """\
apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata: {name: prod, region: us-west-2}
availabilityZones: [us-west-2a, us-west-2b]
"""


def test_inventory_files_are_classified_by_shape(tmp_path: Path) -> None:
    from eks_net_lint.inventory import InventoryView

    (tmp_path / "cluster.yaml").write_text(CLUSTER_YAML)
    (tmp_path / "subnets.json").write_text(json.dumps({"Subnets": [SUBNET]}))
    (tmp_path / "vpcs.yaml").write_text("Vpcs:\n  - VpcId: vpc-0a1b2c3d4e5f60718\n    CidrBlock: 10.0.0.0/16\n")
    (tmp_path / "zones.json").write_text(json.dumps({"AvailabilityZones": [{"ZoneName": "us-west-2a"}]}))
    ctx = _context(_lint(tmp_path))
    assert sorted(v.path.rsplit("/", 1)[-1] for v in ctx.of(InventoryView)) == ["subnets.json", "vpcs.yaml"]  # type: ignore[attr-defined]
    fact = ctx.subnets["subnet-0123456789abcdef0"]  # type: ignore[attr-defined]
    assert (fact.zone, str(fact.cidr), fact.vpc_id) == ("us-west-2a", "100.64.0.0/19", "vpc-0a1b2c3d4e5f60718")
    assert fact.origin.startswith("inventory ") and fact.location.line == 1


def test_vpc_facts_come_from_the_inventory_with_their_states(tmp_path: Path) -> None:
    (tmp_path / "cluster.yaml").write_text(CLUSTER_YAML)
    (tmp_path / "vpcs.json").write_text(json.dumps({"Vpcs": [VPC]}, indent=1))
    vpc = _context(_lint(tmp_path)).vpc  # type: ignore[attr-defined]
    assert vpc.vpc_id == "vpc-0a1b2c3d4e5f60718" and str(vpc.primary.cidr) == "10.0.0.0/16"
    assert [(str(c.cidr), c.state) for c in vpc.secondary] == [("100.64.0.0/16", "associated"), ("198.19.0.0/16", "failed")]


def test_cluster_vpc_is_chosen_by_the_cluster_subnets(tmp_path: Path) -> None:
    other = dict(VPC, VpcId="vpc-0ffffffffffffffff", CidrBlock="172.31.0.0/16", CidrBlockAssociationSet=[])
    (tmp_path / "cluster.yaml").write_text(
        "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: prod, region: us-west-2}\n"
        "vpc:\n  subnets:\n    private:\n      a: {id: subnet-0123456789abcdef0}\n")
    (tmp_path / "inventory.json").write_text(json.dumps({"Vpcs": [other, VPC], "Subnets": [SUBNET]}))
    vpc = _context(_lint(tmp_path)).vpc  # type: ignore[attr-defined]
    assert vpc.vpc_id == "vpc-0a1b2c3d4e5f60718" and str(vpc.primary.cidr) == "10.0.0.0/16"


def test_stated_facts_win_over_the_inventory(tmp_path: Path) -> None:
    (tmp_path / "cluster.yaml").write_text(CLUSTER_YAML + "vpc: {id: vpc-0a1b2c3d4e5f60718, cidr: 10.0.0.0/16}\n")
    (tmp_path / "vpcs.json").write_text(json.dumps({"Vpcs": [dict(VPC, CidrBlock="10.9.0.0/16")]}))
    vpc = _context(_lint(tmp_path)).vpc  # type: ignore[attr-defined]
    assert str(vpc.primary.cidr) == "10.0.0.0/16" and vpc.primary.origin == "eksctl vpc.cidr"
