"""VPC and subnet facts of a cluster: primary and secondary CIDRs, subnets with zone and CIDR.

Each fact keeps its origin. Sources now: ``clusters.<name>.vpc`` in config and eksctl ``vpc``;
saved AWS inventory files plug in through ``EXTRA_SUBNET_SOURCES`` (RULES.md "inv" rules).
"""
from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .aws.zones import looks_like_zone
from .findings import Location
from .located import LMap, text_of

if TYPE_CHECKING:
    from .context import ClusterContext

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class SubnetFact:
    """What is known of one subnet, and where it is stated."""

    subnet_id: str
    zone: str | None
    cidr: Network | None
    vpc_id: str | None
    location: Location | None
    origin: str


@dataclass(frozen=True, slots=True)
class CidrFact:
    cidr: Network
    location: Location | None
    origin: str
    state: str = "associated"


@dataclass(frozen=True, slots=True)
class VpcFacts:
    """The cluster VPC: its ID (when known), primary CIDR and secondary CIDRs."""

    vpc_id: str | None
    primary: CidrFact | None
    secondary: tuple[CidrFact, ...]

    def all_cidrs(self) -> list[CidrFact]:
        return ([self.primary] if self.primary else []) + list(self.secondary)


def parse_network(text: object) -> Network | None:
    """A CIDR as an ip_network (strict: host bits set is not a network), else None."""
    if not isinstance(text, str):
        return None
    try:
        return ipaddress.ip_network(text.strip(), strict=True)
    except ValueError:
        return None


def _config_subnets(ctx: ClusterContext) -> Iterator[SubnetFact]:
    subnets = ctx.setting("vpc")
    subnets = subnets.get("subnets") if isinstance(subnets, dict) else None
    if not isinstance(subnets, dict):
        return
    for subnet_id, spec in subnets.items():
        spec = spec if isinstance(spec, dict) else {}
        yield SubnetFact(
            str(subnet_id),
            text_of(spec.get("zone")),
            parse_network(spec.get("cidr")),
            text_of(spec.get("vpc")),
            ctx.config_location("vpc", "subnets", str(subnet_id)),
            f"config clusters.{ctx.name}.vpc.subnets",
        )


def _eksctl_subnets(ctx: ClusterContext) -> Iterator[SubnetFact]:
    for cc in ctx.cluster_configs:
        vpc_id = text_of((cc.vpc() or {}).get("id"))
        for access, key, spec in cc.subnet_maps():
            subnet_id = text_of(spec.get("id"))
            if not subnet_id:
                continue
            zone = text_of(spec.get("az")) or (key if looks_like_zone(key) else None)  # alias keys are no zone
            yield SubnetFact(subnet_id, zone, parse_network(spec.get("cidr")), vpc_id, spec.loc("id"),
                             f"eksctl vpc.subnets.{access}.{key}")


def _inventory_subnets(ctx: ClusterContext) -> Iterator[SubnetFact]:
    from .inventory import inventory_subnet_facts

    return inventory_subnet_facts(ctx)


# Extra providers (inventory files) append here by name; each yields SubnetFacts for a context.
EXTRA_SUBNET_SOURCES: tuple[Callable[[ClusterContext], Iterator[SubnetFact]], ...] = (_inventory_subnets,)


def subnet_facts(ctx: ClusterContext) -> dict[str, SubnetFact]:
    """Subnet ID → facts, merging sources: a later source fills what an earlier one left unknown."""
    merged: dict[str, SubnetFact] = {}
    for provider in (_eksctl_subnets, _config_subnets, *EXTRA_SUBNET_SOURCES):
        for fact in provider(ctx):
            old = merged.get(fact.subnet_id)
            if old is None:
                merged[fact.subnet_id] = fact
            else:
                merged[fact.subnet_id] = SubnetFact(
                    fact.subnet_id,
                    old.zone or fact.zone,
                    old.cidr or fact.cidr,
                    old.vpc_id or fact.vpc_id,
                    old.location,
                    old.origin,
                )
    return merged


def vpc_facts(ctx: ClusterContext) -> VpcFacts:
    """Primary and secondary CIDRs from config ``clusters.<name>.vpc``, else eksctl ``vpc.cidr``."""
    vpc_id: str | None = None
    primary: CidrFact | None = None
    secondary: list[CidrFact] = []
    raw = ctx.setting("vpc")
    if isinstance(raw, dict):
        vpc_id = text_of(raw.get("id"))
        net = parse_network(raw.get("primary-cidr"))
        if net is not None:
            primary = CidrFact(net, ctx.config_location("vpc", "primary-cidr"), f"config clusters.{ctx.name}.vpc.primary-cidr")
        for text in raw.get("secondary-cidrs") or ():
            net = parse_network(text)
            if net is not None:
                secondary.append(CidrFact(net, ctx.config_location("vpc", "secondary-cidrs"),
                                          f"config clusters.{ctx.name}.vpc.secondary-cidrs"))
    for cc in ctx.cluster_configs:
        vpc = cc.vpc()
        if not isinstance(vpc, LMap):
            continue
        vpc_id = vpc_id or text_of(vpc.get("id"))
        if primary is None:
            net = parse_network(vpc.get("cidr"))
            if net is not None:
                primary = CidrFact(net, vpc.loc("cidr"), "eksctl vpc.cidr")
    from .inventory import with_inventory_vpc

    return with_inventory_vpc(ctx, VpcFacts(vpc_id, primary, tuple(secondary)))
