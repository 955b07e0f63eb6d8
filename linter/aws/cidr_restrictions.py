"""The VPC IPv4 CIDR block association-restrictions table, and whether AWS lets a block be added.

Source: reference/vpc-and-eniconfig.md § a.2 (awsdocs/amazon-vpc-user-guide
``doc_source/vpc-cidr-blocks.md@a16ab76ed2f6`` L76-90, "IPv4 CIDR block association
restrictions"), plus the overlap rule of § a.1 (a new block must not overlap any block already
associated, L47-62). The rows are keyed by the range the VPC's primary CIDR lies in (the
reference's inference); the ``10.0.0.0/15`` clause looks at every associated block.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from ipaddress import IPv4Network, ip_network

SOURCE = (
    "reference/vpc-and-eniconfig.md § a.2 "
    "(awsdocs/amazon-vpc-user-guide:doc_source/vpc-cidr-blocks.md@a16ab76ed2f6 L76-90)"
)

RFC1918 = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
CGNAT = "100.64.0.0/10"
LINK_LOCAL = "169.254.0.0/16"
# Ranges the best-practice guide recommends for pod (custom networking) subnets:
# reference/vpc-and-eniconfig.md § a.6 [BP-CN L31; BP-IPO L61].
POD_RANGES_RECOMMENDED = ("100.64.0.0/10", "198.19.0.0/16")


@dataclass(frozen=True, slots=True)
class RestrictionRow:
    """One row of the table: the existing range, and the ranges it forbids or allows."""

    existing: str  # the "IP address range" cell, as the doc words it
    ranges: tuple[str, ...]  # networks that select this row (empty: the catch-all row)
    restricted: tuple[str, ...]  # networks a new block must not overlap
    restricted_text: str  # the "restricted" cell, verbatim enough to quote
    permitted_text: str  # the "permitted" cell
    restricted_if_in_10_0_0_0_15: tuple[str, ...] = ()  # the 10/8 row's conditional clause

    def quote(self) -> str:
        """The row as one line for a message: existing range, then what it cannot add."""
        return f"{self.existing}: cannot add {self.restricted_text}"


# reference/vpc-and-eniconfig.md § a.2, row by row.
TABLE: tuple[RestrictionRow, ...] = (
    RestrictionRow(
        existing="10.0.0.0/8",
        ranges=("10.0.0.0/8",),
        restricted=("172.16.0.0/12", "192.168.0.0/16", "198.19.0.0/16"),
        restricted_text=(
            "172.16.0.0/12, 192.168.0.0/16, anything in 198.19.0.0/16, and nothing from "
            "10.0.0.0/16 if any associated block is inside 10.0.0.0/15"
        ),
        permitted_text="other unrestricted blocks in 10.0.0.0/8, publicly routable blocks, 100.64.0.0/10",
        restricted_if_in_10_0_0_0_15=("10.0.0.0/16",),
    ),
    RestrictionRow(
        existing="169.254.0.0/16",
        ranges=(LINK_LOCAL,),
        restricted=("0.0.0.0/0",),
        restricted_text="anything: link-local addresses can never be assigned to a VPC",
        permitted_text="nothing",
    ),
    RestrictionRow(
        existing="172.16.0.0/12",
        ranges=("172.16.0.0/12",),
        restricted=("10.0.0.0/8", "192.168.0.0/16", "172.31.0.0/16", "198.19.0.0/16"),
        restricted_text="10.0.0.0/8, 192.168.0.0/16, anything in 172.31.0.0/16, anything in 198.19.0.0/16",
        permitted_text="other unrestricted blocks in 172.16.0.0/12, publicly routable blocks, 100.64.0.0/10",
    ),
    RestrictionRow(
        existing="192.168.0.0/16",
        ranges=("192.168.0.0/16",),
        restricted=("10.0.0.0/8", "172.16.0.0/12", "198.19.0.0/16"),
        restricted_text="10.0.0.0/8, 172.16.0.0/12, anything in 198.19.0.0/16",
        permitted_text="other blocks in 192.168.0.0/16, publicly routable blocks, 100.64.0.0/10",
    ),
    RestrictionRow(
        existing="198.19.0.0/16",
        ranges=("198.19.0.0/16",),
        restricted=RFC1918,
        restricted_text="any RFC 1918 range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)",
        permitted_text="publicly routable blocks, 100.64.0.0/10",
    ),
    RestrictionRow(
        existing="publicly routable, or 100.64.0.0/10",
        ranges=(),
        restricted=(*RFC1918, "198.19.0.0/16"),
        restricted_text="any RFC 1918 range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16), 198.19.0.0/16",
        permitted_text="other publicly routable blocks, 100.64.0.0/10",
    ),
)


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a block may be associated; when not, why, and the table row that says so."""

    allowed: bool
    reason: str = ""
    row: RestrictionRow | None = None
    conflict: str = ""  # the restricted range or the existing block it hits


@cache
def _net(text: str) -> IPv4Network:
    net = ip_network(text)
    assert isinstance(net, IPv4Network)
    return net


def parse_ipv4_cidr(value: object) -> IPv4Network | None:
    """An IPv4 network from a CIDR string (host bits tolerated, as AWS normalises them), or None."""
    if isinstance(value, IPv4Network):
        return value
    if not isinstance(value, str) or "/" not in value:
        return None
    try:
        net = ip_network(value.strip(), strict=False)
    except ValueError:
        return None
    return net if isinstance(net, IPv4Network) else None


def row_for(primary: IPv4Network) -> RestrictionRow:
    """The table row selected by the range the primary CIDR lies in."""
    for row in TABLE:
        if any(primary.subnet_of(_net(r)) for r in row.ranges):
            return row
    return TABLE[-1]


def never_assignable(block: IPv4Network) -> RestrictionRow | None:
    """The link-local row when the block overlaps 169.254.0.0/16 (never usable in a VPC)."""
    return TABLE[1] if block.overlaps(_net(LINK_LOCAL)) else None


def check_association(
    primary: object,
    secondary: object,
    associated: Iterable[object] = (),
) -> Verdict | None:
    """May ``secondary`` be associated with a VPC whose primary block is ``primary``?

    ``associated`` are the VPC's other associated blocks (besides the primary). Returns None
    when either CIDR is unknown or not IPv4 (nothing can be said), else a Verdict naming the
    table row for a refusal.
    """
    prim = parse_ipv4_cidr(primary)
    sec = parse_ipv4_cidr(secondary)
    if prim is None or sec is None:
        return None
    if never_assignable(prim) is not None:
        return Verdict(False, f"the primary {prim} is link-local: it can never be a VPC block", TABLE[1], LINK_LOCAL)
    link_local = never_assignable(sec)
    if link_local is not None:
        return Verdict(False, f"{sec} is link-local: it can never be assigned to a VPC", link_local, LINK_LOCAL)
    others = [n for n in (parse_ipv4_cidr(a) for a in associated) if n is not None and n != sec]
    for existing in (prim, *others):
        if sec.overlaps(existing):
            return Verdict(False, f"{sec} overlaps the associated block {existing}", None, str(existing))
    row = row_for(prim)
    for restricted in row.restricted:
        if sec.overlaps(_net(restricted)):
            return Verdict(False, f"{sec} is in the restricted range {restricted}", row, restricted)
    if row.restricted_if_in_10_0_0_0_15 and any(n.subnet_of(_net("10.0.0.0/15")) for n in (prim, *others)):
        for restricted in row.restricted_if_in_10_0_0_0_15:
            if sec.overlaps(_net(restricted)):
                return Verdict(
                    False,
                    f"{sec} is in {restricted}, restricted while a block is inside 10.0.0.0/15",
                    row,
                    restricted,
                )
    return Verdict(True, row=row)


def is_recommended_pod_range(block: object) -> bool:
    """True when the block lies inside CG-NAT 100.64.0.0/10 or 198.19.0.0/16 (§ a.6)."""
    net = parse_ipv4_cidr(block)
    return net is not None and any(net.subnet_of(_net(r)) for r in POD_RANGES_RECOMMENDED)
