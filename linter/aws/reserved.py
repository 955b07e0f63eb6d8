"""Addresses AWS reserves in every subnet, and how many addresses or /28 prefixes a subnet offers.

Source: reference/vpc-and-eniconfig.md § a.4 (awsdocs/amazon-vpc-user-guide
``doc_source/subnet-sizing.md@a16ab76ed2f6`` L9-14, L24-31): the first four addresses and the
last one of a subnet are unusable (network, VPC router, Amazon DNS, future use, broadcast), for
IPv4 and IPv6 alike; and § a.5 for whole free /28 prefixes (prefix delegation).
"""
from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

SOURCE = (
    "reference/vpc-and-eniconfig.md § a.4 "
    "(awsdocs/amazon-vpc-user-guide:doc_source/subnet-sizing.md@a16ab76ed2f6 L9-14, L24-31)"
)

RESERVED_PER_SUBNET = 5  # the first four and the last address (§ a.4)
VPC_PREFIX_RANGE = (16, 28)  # IPv4 VPC and subnet blocks: /16 to /28 (§ a.1, § a.4)
PREFIX_DELEGATION_LEN = 28  # prefix delegation hands out IPv4 /28s (§ a.5)

# Offset from the subnet's first address → what AWS uses it for (§ a.4); -1 is the last one.
ROLES: tuple[tuple[int, str], ...] = (
    (0, "network address"),
    (1, "VPC router"),
    (2, "Amazon DNS"),
    (3, "reserved for future use"),
    (-1, "broadcast address"),
)


@dataclass(frozen=True, slots=True)
class ReservedAddress:
    """One address AWS keeps for itself in a subnet, with its role."""

    address: IPv4Address | IPv6Address
    role: str


def reserved_addresses(subnet: IPv4Network | IPv6Network) -> tuple[ReservedAddress, ...]:
    """The five addresses of ``subnet`` that AWS reserves (fewer only for tiny networks)."""
    seen: dict[IPv4Address | IPv6Address, str] = {}
    for offset, role in ROLES:
        if offset >= 0 and offset >= subnet.num_addresses:
            continue
        addr = subnet.network_address + offset if offset >= 0 else subnet.broadcast_address
        seen.setdefault(addr, role)
    return tuple(ReservedAddress(a, r) for a, r in seen.items())


def reserved_role(address: IPv4Address | IPv6Address, subnet: IPv4Network | IPv6Network) -> str | None:
    """The role of ``address`` if AWS reserves it in ``subnet``, else None."""
    if address.version != subnet.version or address not in subnet:
        return None
    for item in reserved_addresses(subnet):
        if item.address == address:
            return item.role
    return None


def usable_ipv4(prefixlen: int) -> int:
    """Usable IPv4 addresses in a subnet of this prefix: 2^(32−p) − 5 (/24 → 251, /28 → 11)."""
    return max(0, 2 ** (32 - prefixlen) - RESERVED_PER_SUBNET)


def free_prefixes(prefixlen: int) -> int:
    """Whole /28 prefixes a subnet can give to prefix delegation: 2^(28−p) − 2, at least 0.

    The first and the last /28 each hold reserved addresses (§ a.5, an inference of the
    reference): a /24 offers 14, a /27 or /28 none.
    """
    if prefixlen > PREFIX_DELEGATION_LEN:
        return 0
    return max(0, 2 ** (PREFIX_DELEGATION_LEN - prefixlen) - 2)


def is_valid_block_size(prefixlen: int) -> bool:
    """True for an IPv4 VPC or subnet block size AWS accepts (/16 to /28)."""
    return VPC_PREFIX_RANGE[0] <= prefixlen <= VPC_PREFIX_RANGE[1]
