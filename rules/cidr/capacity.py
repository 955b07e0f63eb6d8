"""CIDR007: node and pod subnets too small for the node groups that draw addresses from them."""
from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from ipaddress import IPv4Network
from typing import Any

from eks_net_lint.aws.reserved import free_prefixes, usable_ipv4
from eks_net_lint.aws.zones import looks_like_zone
from eks_net_lint.context import ClusterContext
from eks_net_lint.facts import cluster_zones, group_zones
from eks_net_lint.findings import Location, Related, Severity, Violation
from eks_net_lint.located import dig, dig_map, is_unknown, text_of
from eks_net_lint.maxpods import CniMode, MaxPods, calculate
from eks_net_lint.registry import rule
from eks_net_lint.views import ClusterConfig, NodeGroup

from ..ctl.common import SubnetEntry, group_is_private, int_value, subnet_entries
from .common import ipv4

DEFAULT_INSTANCE_TYPE = "m5.large"  # reference/eksctl.md § 4.2
MANAGED_DEFAULT_SIZE = 2  # reference/eksctl.md § 4.2: managed min = desired = 2 when neither is given
CUSTOM_NETWORK = "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG"
PREFIX_DELEGATION = "ENABLE_PREFIX_DELEGATION"


@dataclass(frozen=True, slots=True)
class GroupLoad:
    """What one node group can ask of a subnet: nodes at most, and pods per node."""

    label: str
    nodes: int
    max_pods: int
    max_pods_origin: str
    location: Location


def _max_size(group: NodeGroup) -> int | None:
    """``maxSize``; for managed groups eksctl's default (desired, else min, else 2); else unknown."""
    size = int_value(group.data.get("maxSize"))
    if size is not None:
        return size
    if group.managed:
        for key in ("desiredCapacity", "minSize"):
            value = int_value(group.data.get(key))
            if value is not None:
                return max(value, 1)
        return MANAGED_DEFAULT_SIZE
    return None


def _max_pods(group: NodeGroup, mode: CniMode) -> tuple[int, str] | None:
    """The effective max pods: configured, else the smallest figure of the group's types in this mode."""
    configured = int_value(group.data.get("maxPodsPerNode"))
    if configured:
        return configured, "maxPodsPerNode"
    kubelet = int_value(dig(group.data, "kubeletExtraConfig", "maxPods"))
    if kubelet and not group.managed:
        return kubelet, "kubeletExtraConfig.maxPods"
    types = [t for t, _ in group.instance_types() if t != "mixed" and not is_unknown(t)]
    if not types:
        if dig_map(group.data, "launchTemplate") is not None or "instanceSelector" in group.data:
            return None
        types = [DEFAULT_INSTANCE_TYPE]
    figures = []
    for itype in types:
        result = calculate(itype, mode)
        if not isinstance(result, MaxPods):
            return None
        figures.append((result.recommended if group.managed else result.eni_limited, itype))
    figure, itype = min(figures)
    return figure, f"the {itype} figure in this CNI mode"


def _load(group: NodeGroup, mode: CniMode) -> GroupLoad | None:
    nodes = _max_size(group)
    pods = _max_pods(group, mode)
    if nodes is None or pods is None or nodes <= 0:
        return None
    return GroupLoad(group.label, nodes, pods[0], pods[1], group.data.loc("name"))


def _need(load: GroupLoad, prefixlen: int, pd: bool, node_subnet: bool) -> tuple[int, int, str, str] | None:
    """(have, need, unit, formula) when the subnet is too small for the group, else None (RULES.md CIDR007)."""
    n, pods = load.nodes, load.max_pods
    if pd:
        have = free_prefixes(prefixlen)
        need = n * math.ceil(pods / 16)
        formula = f"{n} nodes x ceil({pods} max pods / 16)"
        if node_subnet:  # the nodes' own addresses take /28s too
            need += math.ceil(n / 16)
            formula += f" + ceil({n} node addresses / 16)"
        unit = "whole free /28 prefixes"
    else:
        have = usable_ipv4(prefixlen)
        need = n * (pods + 1 if node_subnet else pods)
        formula = f"{n} nodes x ({pods} max pods + 1 node address)" if node_subnet else f"{n} nodes x {pods} max pods"
        unit = "usable addresses"
    return (have, need, unit, formula) if have < need else None


def _entry_network(ctx: ClusterContext, entry: SubnetEntry) -> tuple[IPv4Network, Location] | None:
    """A ``vpc.subnets`` entry's CIDR: its own ``cidr``, else what the facts know for its ID."""
    net = ipv4(text_of(entry.spec.get("cidr")))
    if net is not None:
        return net, entry.spec.loc("cidr")
    return _fact_network(ctx, entry.subnet_id)


def _fact_network(ctx: ClusterContext, subnet_id: str | None) -> tuple[IPv4Network, Location] | None:
    fact = ctx.subnets.get(subnet_id) if subnet_id else None
    if fact is None or not isinstance(fact.cidr, IPv4Network) or fact.location is None:
        return None
    return fact.cidr, fact.location


def _node_subnets(ctx: ClusterContext, cc: ClusterConfig, group: NodeGroup) -> list[tuple[str, IPv4Network, Location]]:
    """(name, CIDR, where) of the subnets a group launches in whose CIDR is known: the subnets it
    names, else the ``vpc.subnets`` of its kind in its zones (reference/eksctl.md § 3.9)."""
    entries = subnet_entries(ctx, cc)
    found: list[tuple[str, tuple[IPv4Network, Location] | None]] = []
    named = group.subnets()
    if named:
        for name, _loc in named:
            entry = next((e for e in entries if name in (e.key, e.subnet_id)), None)
            found.append((name, _entry_network(ctx, entry) if entry is not None else _fact_network(ctx, name)))
    else:
        kind = "private" if group_is_private(group) else "public"
        zones = {z for z, _ in group.availability_zones()}
        for entry in entries:
            if entry.access == kind and (not zones or entry.zone in zones):
                found.append((entry.key, _entry_network(ctx, entry)))
    return [(name, net[0], net[1]) for name, net in found if net is not None]


def _eni_pod_subnets(ctx: ClusterContext) -> list[tuple[str, str, IPv4Network, Location, Location]]:
    """(zone, subnet, CIDR, ENIConfig subnet line, CIDR source) of zone-named ENIConfigs with a known CIDR."""
    out = []
    for eni in ctx.eni_configs:
        spec = eni.spec
        subnet = text_of(spec.get("subnet")) if spec is not None else None
        fact = ctx.subnets.get(subnet) if subnet and not is_unknown(subnet) else None
        if spec is None or fact is None or not isinstance(fact.cidr, IPv4Network):
            continue
        zone = eni.name if looks_like_zone(eni.name) else fact.zone
        if zone and subnet:
            out.append((zone, subnet, fact.cidr, spec.loc("subnet"), fact.location or spec.loc("subnet")))
    return out


def _message(load: GroupLoad, subnet: str, net: IPv4Network, short: tuple[int, int, str, str], what: str) -> str:
    have, need, unit, formula = short
    return (f"{what} {subnet} ({net}) offers {have} {unit}, but {load.label} can need {need}: "
            f"{formula}, max pods from {load.max_pods_origin}")


@rule("CIDR007", "subnet-too-small", Severity.WARNING)
def subnet_too_small(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """A node or pod subnet too small for the node group that draws addresses from it.

    ## What it does
    With subnet CIDRs known (eksctl `vpc.subnets` `cidr`, the `clusters:` config, or a saved
    inventory), compares each subnet's capacity with the addresses one node group can take at
    its `maxSize` (for managed groups eksctl's default size when unset). In secondary-IP mode
    a node subnet needs maxSize × (maxPods + 1) of its 2^(32−p) − 5 usable addresses; with
    custom networking a zone's ENIConfig pod subnet needs maxSize × maxPods for each group in
    that zone. With prefix delegation the count is in whole free /28 prefixes, 2^(28−p) − 2:
    maxSize × ⌈maxPods / 16⌉ (plus the nodes' own addresses in a node subnet). maxPods is the
    configured value, else the figure of the group's smallest instance type in the CNI mode.

    ## Why it matters
    When the subnet runs out, ipamd cannot assign addresses (or /28 prefixes) and new pods stay
    in ContainerCreating, or new nodes fail to start, long before the group reaches maxSize.

    ## How to fix
    Use larger subnets (or more of them), or lower the group's maxSize or max pods.

    ## Example
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    vpc:
      id: vpc-0a1b2c3d4e5f60718
      subnets:
        private:
          us-west-2a: {id: subnet-0a1b2c3d4e5f60718, cidr: 10.0.0.0/24}
          us-west-2b: {id: subnet-0a1b2c3d4e5f60719, cidr: 10.0.1.0/24}
    managedNodeGroups:
      - name: ng-1
        instanceType: m5.large
        privateNetworking: true
        subnets: [us-west-2a]
        minSize: 1
        maxSize: 20
    ```
    Use instead:
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    vpc:
      id: vpc-0a1b2c3d4e5f60718
      subnets:
        private:
          us-west-2a: {id: subnet-0a1b2c3d4e5f60718, cidr: 10.0.0.0/19}
          us-west-2b: {id: subnet-0a1b2c3d4e5f60719, cidr: 10.0.32.0/19}
    managedNodeGroups:
      - name: ng-1
        instanceType: m5.large
        privateNetworking: true
        subnets: [us-west-2a]
        minSize: 1
        maxSize: 20
    ```

    ## References
    - `reference/vpc-and-eniconfig.md` § a.4 (usable addresses), § a.5 (whole /28 prefixes),
      § e (max pods per mode); `reference/max-pods.md`.
    - `reference/eksctl.md` § 3.9 (which subnets a node group uses), § 4.2 (defaults).
    """
    if not ctx.is_cluster:
        return
    custom = ctx.cni.is_true(CUSTOM_NETWORK)
    pd = ctx.cni.is_true(PREFIX_DELEGATION)
    mode = CniMode(custom_networking=custom, prefix_delegation=pd)
    pods_by_zone = _eni_pod_subnets(ctx) if custom else []
    for cc in ctx.cluster_configs:
        family = text_of(dig(cc.data, "kubernetesNetworkConfig", "ipFamily"))
        if family is not None and family.lower() == "ipv6":
            continue  # pods and nodes take IPv6 addresses from /64 subnets
        fallback = cluster_zones(cc)
        for group in cc.node_groups():
            load = _load(group, mode)
            if load is None:
                continue
            if not custom:
                for name, net, where in _node_subnets(ctx, cc, group):
                    short = _need(load, net.prefixlen, pd, node_subnet=True)
                    if short is not None:
                        yield Violation(_message(load, name, net, short, "node subnet"), where,
                                        "Use a larger subnet, or lower the node group's maxSize or max pods.",
                                        (Related(load.location, load.label),))
                continue
            zones = {z.zone for z in group_zones(cc, group, fallback)}
            for zone, subnet, net, eni_loc, cidr_loc in pods_by_zone:
                if zone not in zones:
                    continue
                short = _need(load, net.prefixlen, pd, node_subnet=False)
                if short is not None:
                    yield Violation(_message(load, subnet, net, short, f"pod subnet of ENIConfig {zone}"), eni_loc,
                                    "Use a larger pod subnet, or lower the node group's maxSize or max pods.",
                                    (Related(cidr_loc, f"{subnet} is {net}"), Related(load.location, load.label)))
