"""Tests for eks_net_lint.aws.regions: the partition table of reference/vpc-and-eniconfig.md § c.1."""
from __future__ import annotations

import pytest

from eks_net_lint.aws import regions


def test_table_counts_match_reference() -> None:
    by_name = {p.name: p for p in regions.PARTITIONS}
    assert len(by_name["aws"].regions) == 34  # "(34)" in § c.1
    assert by_name["aws-cn"].regions == ("cn-north-1", "cn-northwest-1")
    assert len(regions.all_regions()) == 34 + 2 + 2 + 2 + 2 + 1 + 2 + 1


def test_every_listed_region_matches_its_partition_regex() -> None:
    for p in regions.PARTITIONS:
        for r in p.regions:
            assert p.pattern.fullmatch(r), (p.name, r)
            assert regions.partition_of(r) is p


@pytest.mark.parametrize(
    ("region", "partition"),
    [
        ("us-west-2", "aws"),
        ("mx-central-1", "aws"),
        ("cn-northwest-1", "aws-cn"),
        ("us-gov-west-1", "aws-us-gov"),
        ("us-isob-east-1", "aws-iso-b"),
        ("eusc-de-east-1", "aws-eusc"),
        ("eu-isoe-west-1", "aws-iso-e"),
        ("ap-southeast-9", "aws"),  # not listed yet, but shaped like a commercial Region
        ("cn-south-7", "aws-cn"),
    ],
)
def test_partition_of(region: str, partition: str) -> None:
    p = regions.partition_of(region)
    assert p is not None and p.name == partition


@pytest.mark.parametrize("bad", ["us-west2", "uswest-2", "xx-east-1", "", "us-east-1a", None, 5, ["us-east-1"]])
def test_malformed_regions(bad: object) -> None:
    assert regions.partition_of(bad) is None
    assert not regions.is_region_name(bad)
    assert not regions.is_known_region(bad)


def test_known_versus_plausible() -> None:
    assert regions.is_known_region("eu-west-1")
    assert not regions.is_known_region("ap-southeast-9")
    assert regions.is_region_name("ap-southeast-9")


def test_china() -> None:
    assert regions.is_china("cn-north-1")
    assert not regions.is_china("us-east-1")
    assert not regions.is_china(None)
