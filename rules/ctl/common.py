"""Helpers the CTL rules share: what an eksctl ClusterConfig says, read with eksctl's defaults.

Facts: reference/eksctl.md (§ 2 fields, § 4 defaults).
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from eks_net_lint.aws.zones import looks_like_zone
from eks_net_lint.context import ClusterContext
from eks_net_lint.findings import Location
from eks_net_lint.located import LList, LMap, dig, dig_list, dig_map, is_unknown, text_of
from eks_net_lint.views import ClusterConfig, NodeGroup


def flag(value: object) -> bool:
    """A YAML boolean that is literally true (eksctl decodes JSON booleans only)."""
    return value is True


def int_value(value: object) -> int | None:
    """An integer field (YAML int, not a bool); None for anything else."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def is_auto_mode(cc: ClusterConfig) -> bool:
    return flag(dig(cc.data, "autoModeConfig", "enabled"))


def is_outposts(cc: ClusterConfig) -> bool:
    """An Outposts cluster (the ``outpost`` block, reference/eksctl.md § 3.5 Z3)."""
    return isinstance(dig(cc.data, "outpost"), LMap)


def is_fully_private(cc: ClusterConfig) -> bool:
    return flag(dig(cc.data, "privateCluster", "enabled"))


def known_strings(seq: object) -> list[tuple[str, Location]] | None:
    """The string entries of a list with their locations; None when any entry is unknown."""
    if not isinstance(seq, LList):
        return []
    out = []
    for index, item in enumerate(seq):
        text = text_of(item)
        if text is None:
            return None
        out.append((text, seq.loc(index)))
    return out


def zone_entries(container: LMap | None, key: str) -> list[tuple[str, Location]]:
    """Known zone names of a list field (``availabilityZones``, ``localZones``), unknowns skipped."""
    seq = dig_list(container, key) if container is not None else None
    if seq is None:
        return []
    return [(z, seq.loc(i)) for i, z in enumerate(seq) if isinstance(z, str) and z and not is_unknown(z)]


@dataclass(frozen=True, slots=True)
class SubnetEntry:
    """One ``vpc.subnets.<private|public>.<key>`` entry with what is known of its zone."""

    access: str
    key: str
    spec: LMap
    subnet_id: str | None
    zone: str | None  # ``az``, else a zone-shaped key, else the zone facts know for its ID
    key_location: Location

    @property
    def zone_location(self) -> Location:
        return self.spec.loc("az") if "az" in self.spec else self.key_location


def subnet_entries(ctx: ClusterContext, cc: ClusterConfig) -> list[SubnetEntry]:
    """Every ``vpc.subnets`` entry, zones resolved from ``az``, the key or the subnet facts."""
    entries = []
    for access, key, spec in cc.subnet_maps():
        subnet_id = text_of(spec.get("id"))
        zone = text_of(spec.get("az")) if "az" in spec else None
        if zone is None and "az" not in spec and looks_like_zone(key):
            zone = key  # eksctl copies an AZ-shaped key into ``az`` (reference/eksctl.md § 2.4)
        if zone is None and subnet_id and subnet_id in ctx.subnets:
            zone = ctx.subnets[subnet_id].zone
        entries.append(SubnetEntry(access, key, spec, subnet_id, zone, cc.subnet_key_loc(access, key)))
    return entries


def group_is_private(group: NodeGroup) -> bool:
    return flag(group.data.get("privateNetworking"))


def addons(cc: ClusterConfig) -> Iterator[tuple[str, LMap]]:
    """(name, entry) of every ``addons`` entry with a known name."""
    for entry in cc.addons():
        name = text_of(entry.get("name"))
        if name:
            yield name, entry


def addon_names(cc: ClusterConfig) -> set[str]:
    """Lower-cased add-on names (eksctl's IPv6 core-add-on check lower-cases, § 3.2 K4)."""
    return {name.lower() for name, _ in addons(cc)}


def vpc_map(cc: ClusterConfig) -> LMap | None:
    return dig_map(cc.data, "vpc")


def key_at(container: LMap, *keys: str) -> Location:
    """Where the last key is written (the ``key:`` line), for block-style values; the container if absent."""
    parent = dig_map(container, *keys[:-1]) if len(keys) > 1 else container
    if parent is None or keys[-1] not in parent:
        return container.loc()
    return parent.key_loc(keys[-1])
