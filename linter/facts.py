"""Cluster facts derived once per context: region and the zones the cluster's nodes use."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .aws.zones import looks_like_zone
from .findings import Location
from .located import text_of

if TYPE_CHECKING:
    from .context import ClusterContext, Fact
    from .views import ClusterConfig, NodeGroup


@dataclass(frozen=True, slots=True)
class ZoneFact:
    """A zone some nodes of the cluster run in, and the place that says so."""

    zone: str
    location: Location | None
    origin: str


def region_of(ctx: ClusterContext) -> Fact | None:
    """``metadata.region`` of the cluster's ClusterConfig, else ``clusters.<name>.region``."""
    from .context import Fact

    for cc in ctx.cluster_configs:
        region = cc.region
        if region:
            return Fact(region, cc.loc("metadata", "region"), "eksctl metadata.region")
    region = text_of(ctx.setting("region"))
    if region:
        return Fact(region, ctx.config_location("region"), f"config clusters.{ctx.name}.region")
    return None


def _subnet_zones(cc: ClusterConfig) -> dict[str, tuple[str, Location]]:
    """Subnet key or ID → (zone, where the zone is written) from ``vpc.subnets``."""
    zones: dict[str, tuple[str, Location]] = {}
    for access, key, spec in cc.subnet_maps():
        az = text_of(spec.get("az"))
        if az:
            found = (az, spec.loc("az"))
        elif looks_like_zone(key):
            found = (key, cc.subnet_key_loc(access, key))
        else:
            continue
        zones[key] = found
        subnet_id = text_of(spec.get("id"))
        if subnet_id:
            zones[subnet_id] = found
    return zones


def cluster_zones(cc: ClusterConfig) -> list[ZoneFact]:
    """Zones of the cluster itself: ``availabilityZones``, else the zones of ``vpc.subnets``."""
    facts: list[ZoneFact] = []
    azs = cc.data.get("availabilityZones")
    if isinstance(azs, list):
        for index, zone in enumerate(azs):
            if isinstance(zone, str):
                facts.append(ZoneFact(zone, azs.loc(index), "eksctl availabilityZones"))
    if not facts:
        seen = set()
        for zone, loc in _subnet_zones(cc).values():
            if zone not in seen:
                seen.add(zone)
                facts.append(ZoneFact(zone, loc, "eksctl vpc.subnets"))
    return facts


def group_zones(cc: ClusterConfig, group: NodeGroup, fallback: list[ZoneFact]) -> list[ZoneFact]:
    """Zones one node group launches in: its AZs, its subnets' zones, else the cluster's zones."""
    own = [ZoneFact(z, loc, f"{group.label} availabilityZones") for z, loc in group.availability_zones()]
    if own:
        return own
    subnet_zones = _subnet_zones(cc)
    via_subnets = []
    for subnet, loc in group.subnets():
        if subnet in subnet_zones:
            via_subnets.append(ZoneFact(subnet_zones[subnet][0], loc, f"{group.label} subnet {subnet}"))
        elif looks_like_zone(subnet):
            via_subnets.append(ZoneFact(subnet, loc, f"{group.label} subnets"))
    if via_subnets or group.subnets():
        return via_subnets
    return [ZoneFact(f.zone, f.location, f"{f.origin} (used by {group.label})") for f in fallback]


def node_zones(ctx: ClusterContext) -> list[ZoneFact]:
    """Every zone the cluster's nodes use, first mention of each zone first."""
    facts: list[ZoneFact] = []
    for cc in ctx.cluster_configs:
        fallback = cluster_zones(cc)
        groups = list(cc.node_groups())
        if groups:
            for group in groups:
                facts.extend(group_zones(cc, group, fallback))
        else:
            facts.extend(fallback)
    configured = ctx.setting("zones")
    if isinstance(configured, list):
        for index, zone in enumerate(configured):
            if isinstance(zone, str):
                facts.append(ZoneFact(zone, ctx.config_location("zones"), f"config clusters.{ctx.name}.zones"))
    seen: set[str] = set()
    unique = []
    for fact in facts:
        if fact.zone not in seen:
            seen.add(fact.zone)
            unique.append(fact)
    return unique
