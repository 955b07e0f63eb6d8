"""Tests for eks_net_lint.aws.cidr_restrictions: the table of reference/vpc-and-eniconfig.md § a.2."""
from __future__ import annotations

from ipaddress import IPv4Network

import pytest

from eks_net_lint.aws import cidr_restrictions as cr


@pytest.mark.parametrize(
    ("primary", "secondary"),
    [
        ("10.0.0.0/16", "100.64.0.0/16"),  # issue 6: no CIDR001
        ("10.0.0.0/16", "10.1.0.0/16"),  # other 10/8 block, not in 10.0.0.0/16
        ("10.0.0.0/16", "52.10.0.0/16"),  # publicly routable
        ("172.16.0.0/16", "172.20.0.0/16"),
        ("172.16.0.0/16", "100.64.0.0/10"),
        ("192.168.0.0/16", "100.65.0.0/16"),
        ("198.19.0.0/16", "100.64.0.0/16"),
        ("100.64.0.0/16", "100.65.0.0/16"),
        ("52.0.0.0/16", "53.0.0.0/16"),
        ("10.0.0.0/16 ", "100.64.0.18/18"),  # host bits are normalised by AWS
    ],
)
def test_allowed(primary: str, secondary: str) -> None:
    verdict = cr.check_association(primary, secondary)
    assert verdict is not None and verdict.allowed, verdict


@pytest.mark.parametrize(
    ("primary", "secondary", "row", "conflict"),
    [
        ("10.0.0.0/16", "198.19.0.0/16", "10.0.0.0/8", "198.19.0.0/16"),
        ("10.0.0.0/16", "172.16.0.0/16", "10.0.0.0/8", "172.16.0.0/12"),
        ("10.0.0.0/16", "192.168.0.0/16", "10.0.0.0/8", "192.168.0.0/16"),
        ("10.1.0.0/16", "10.0.0.0/16", "10.0.0.0/8", "10.0.0.0/16"),  # the 10.0.0.0/15 clause
        ("172.20.0.0/16", "172.31.0.0/16", "172.16.0.0/12", "172.31.0.0/16"),
        ("172.20.0.0/16", "10.0.0.0/16", "172.16.0.0/12", "10.0.0.0/8"),
        ("192.168.0.0/16", "10.5.0.0/16", "192.168.0.0/16", "10.0.0.0/8"),
        ("198.19.0.0/16", "192.168.0.0/16", "198.19.0.0/16", "192.168.0.0/16"),
        ("100.64.0.0/16", "10.0.0.0/16", "publicly routable, or 100.64.0.0/10", "10.0.0.0/8"),
        ("52.0.0.0/16", "198.19.0.0/16", "publicly routable, or 100.64.0.0/10", "198.19.0.0/16"),
    ],
)
def test_refused_quotes_the_row(primary: str, secondary: str, row: str, conflict: str) -> None:
    verdict = cr.check_association(primary, secondary)
    assert verdict is not None and not verdict.allowed
    assert verdict.row is not None and verdict.row.existing == row
    assert verdict.conflict == conflict
    assert verdict.row.quote().startswith(f"{row}: cannot add ")


def test_15_clause_uses_every_associated_block() -> None:
    # primary outside 10.0.0.0/15, but an associated 10.1.x block brings the clause in
    assert cr.check_association("10.5.0.0/16", "10.0.0.0/16").allowed  # type: ignore[union-attr]
    verdict = cr.check_association("10.5.0.0/16", "10.0.0.0/16", ["10.1.0.0/16"])
    assert verdict is not None and not verdict.allowed and verdict.conflict == "10.0.0.0/16"


def test_link_local_is_never_assignable() -> None:
    verdict = cr.check_association("10.0.0.0/16", "169.254.0.0/16")
    assert verdict is not None and not verdict.allowed
    assert verdict.row is not None and verdict.row.existing == "169.254.0.0/16"
    primary = cr.check_association("169.254.10.0/24", "10.0.0.0/16")
    assert primary is not None and not primary.allowed


def test_overlap_with_associated_block() -> None:
    verdict = cr.check_association("10.0.0.0/16", "10.0.128.0/17")
    assert verdict is not None and not verdict.allowed and verdict.row is None
    assert "overlaps" in verdict.reason
    other = cr.check_association("10.0.0.0/16", "100.64.0.0/16", ["100.64.0.0/17"])
    assert other is not None and not other.allowed and other.conflict == "100.64.0.0/17"


@pytest.mark.parametrize("bad", [None, 5, "", "10.0.0.0", "not-a-cidr", "2600:1f14::/56", "10.0.0.0/33", ["10.0.0.0/16"]])
def test_unknown_inputs_give_none(bad: object) -> None:
    assert cr.check_association(bad, "100.64.0.0/16") is None
    assert cr.check_association("10.0.0.0/16", bad) is None


def test_row_for_every_table_range() -> None:
    for row in cr.TABLE[:-1]:
        for r in row.ranges:
            assert cr.row_for(IPv4Network(r)) is row
    assert cr.row_for(IPv4Network("8.8.8.0/24")) is cr.TABLE[-1]


def test_recommended_pod_ranges() -> None:
    assert cr.is_recommended_pod_range("100.64.0.0/16")
    assert cr.is_recommended_pod_range("198.19.128.0/17")
    assert not cr.is_recommended_pod_range("10.1.0.0/16")
    assert not cr.is_recommended_pod_range("100.0.0.0/8")
    assert not cr.is_recommended_pod_range(None)
