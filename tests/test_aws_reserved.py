"""Tests for eks_net_lint.aws.reserved: reference/vpc-and-eniconfig.md § a.4 and § a.5."""
from __future__ import annotations

from ipaddress import ip_address, ip_network

import pytest

from eks_net_lint.aws import reserved


def test_reserved_addresses_of_a_slash_24() -> None:
    got = {str(r.address): r.role for r in reserved.reserved_addresses(ip_network("10.0.0.0/24"))}
    assert got == {
        "10.0.0.0": "network address",
        "10.0.0.1": "VPC router",
        "10.0.0.2": "Amazon DNS",
        "10.0.0.3": "reserved for future use",
        "10.0.0.255": "broadcast address",
    }


def test_reserved_addresses_ipv6() -> None:
    net = ip_network("2600:1f14:abc:de00::/64")
    got = [str(r.address) for r in reserved.reserved_addresses(net)]
    assert got[:4] == ["2600:1f14:abc:de00::", "2600:1f14:abc:de00::1", "2600:1f14:abc:de00::2", "2600:1f14:abc:de00::3"]
    assert got[4] == "2600:1f14:abc:de00:ffff:ffff:ffff:ffff"


def test_reserved_role() -> None:
    net = ip_network("192.168.4.0/22")
    assert reserved.reserved_role(ip_address("192.168.4.1"), net) == "VPC router"
    assert reserved.reserved_role(ip_address("192.168.7.255"), net) == "broadcast address"
    assert reserved.reserved_role(ip_address("192.168.4.4"), net) is None
    assert reserved.reserved_role(ip_address("10.0.0.1"), net) is None
    assert reserved.reserved_role(ip_address("::1"), net) is None


@pytest.mark.parametrize(("prefix", "usable"), [(28, 11), (24, 251), (19, 8187), (16, 65531)])
def test_usable_ipv4(prefix: int, usable: int) -> None:
    assert reserved.usable_ipv4(prefix) == usable


@pytest.mark.parametrize(("prefix", "slots"), [(24, 14), (28, 0), (27, 0), (26, 2), (20, 254), (30, 0)])
def test_free_prefixes(prefix: int, slots: int) -> None:
    assert reserved.free_prefixes(prefix) == slots


def test_block_sizes() -> None:
    assert reserved.is_valid_block_size(16) and reserved.is_valid_block_size(28)
    assert not reserved.is_valid_block_size(15) and not reserved.is_valid_block_size(29)


def test_tiny_network_has_no_duplicates() -> None:
    got = reserved.reserved_addresses(ip_network("10.0.0.0/31"))
    assert len({r.address for r in got}) == len(got) == 2
