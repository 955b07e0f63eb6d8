"""CIDR004 and CIDR005: overlapping address ranges, and the service CIDR EKS accepts."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from ipaddress import IPv4Network, ip_network
from typing import Any

from eks_net_lint.cni.ipam import analyse_ipam
from eks_net_lint.cni.model import nads
from eks_net_lint.context import ClusterContext
from eks_net_lint.findings import Location, Related, Severity, Violation
from eks_net_lint.located import dig, is_unknown, text_of
from eks_net_lint.registry import rule
from eks_net_lint.views import ClusterConfig

from .common import CLUSTER_VPC, EKSCTL_DEFAULT_CIDR, CidrSite, eksctl_creates_vpc, ipv4, unique_networks

# reference/vpc-and-eniconfig.md § a.6 [EKS-CREATE]: serviceIpv4Cidr lies in RFC 1918 space, /12 to /24.
SERVICE_RANGES = tuple(IPv4Network(r) for r in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
SERVICE_PREFIX = (12, 24)
# Where an IPAM pool is written, by plugin: its start bound, else its subnet or range.
POOL_KEYS = {"host-local": ("rangeStart", "subnet"), "whereabouts": ("range",), "static": ("address",)}


def _service_cidr(cc: ClusterConfig) -> tuple[str, Location] | None:
    text = text_of(dig(cc.data, "kubernetesNetworkConfig", "serviceIPv4CIDR"))
    if text is None or is_unknown(text):
        return None
    return text, cc.loc("kubernetesNetworkConfig", "serviceIPv4CIDR")


def _vpc_blocks(ctx: ClusterContext, cc: ClusterConfig) -> tuple[list[tuple[IPv4Network, Location | None, str]], str]:
    """The cluster VPC's IPv4 blocks, or eksctl's default block when eksctl creates the VPC unstated."""
    blocks = [(c.cidr, c.location, c.origin) for c in ctx.vpc.all_cidrs()
              if isinstance(c.cidr, IPv4Network) and c.state == "associated"]
    vpc = cc.vpc()
    if not blocks and eksctl_creates_vpc(cc) and (vpc is None or "cidr" not in vpc):
        return [(IPv4Network(EKSCTL_DEFAULT_CIDR), None, "eksctl's default vpc.cidr")], \
            f" (assuming eksctl's default VPC CIDR {EKSCTL_DEFAULT_CIDR}: vpc.cidr is not set)"
    return blocks, ""


def _service_overlaps(ctx: ClusterContext, subnets: list[tuple[CidrSite, IPv4Network]]) -> Iterator[Violation]:
    for cc in ctx.cluster_configs:
        found = _service_cidr(cc)
        service = ipv4(found[0]) if found is not None else None
        if found is None or service is None:
            continue
        blocks, assumed = _vpc_blocks(ctx, cc)
        hit = False
        for block, loc, origin in blocks:
            if service.overlaps(block):
                hit = True
                yield Violation(
                    f"serviceIPv4CIDR {service} overlaps the VPC CIDR {block} ({origin}){assumed}",
                    found[1],
                    "Choose a service CIDR outside every VPC block, such as 172.20.0.0/16 for a 10.x VPC.",
                    (Related(loc, f"VPC CIDR {block}"),) if loc is not None else (),
                )
        if hit:
            continue
        for site, net in subnets:
            if site.vpc_key == CLUSTER_VPC and service.overlaps(net):
                yield Violation(
                    f"serviceIPv4CIDR {service} overlaps the subnet {net} ({site.what})",
                    found[1],
                    "Choose a service CIDR outside the VPC's subnets.",
                    (Related(site.location, f"subnet {net}"),),
                )


def _multus_overlaps(ctx: ClusterContext, subnets: list[tuple[CidrSite, IPv4Network]]) -> Iterator[Violation]:
    """NAD IPAM ranges that overlap a cluster subnet without lying inside it."""
    own = [(s, n) for s, n in subnets if s.vpc_key == CLUSTER_VPC]
    if not ctx.is_cluster or not own:
        return
    for nad in nads(ctx):
        for path, plugin in nad.plugins():
            ipam = plugin.get("ipam")
            if not isinstance(ipam, Mapping):
                continue
            for pool in analyse_ipam(ipam, base=(*path, "ipam"), unknown=is_unknown).pools:
                if pool.first.version != 4:
                    continue
                low, high = int(pool.first), int(pool.last)
                for site, net in own:
                    first, last = int(net.network_address), int(net.broadcast_address)
                    if high < first or last < low or (first <= low and high <= last):
                        continue  # apart, or inside the subnet it belongs to
                    written = dig(nad.config, *pool.path)
                    keys = POOL_KEYS.get(pool.kind, ())
                    where = next((k for k in keys if isinstance(written, Mapping) and k in written), None)
                    yield Violation(
                        f"IPAM range {pool.text} of NetworkAttachmentDefinition {nad.view.label} overlaps "
                        f"the VPC subnet {net} ({site.what}) without lying inside it",
                        nad.loc((*pool.path, where) if where else pool.path),
                        "Keep the range inside the one subnet its master interface is in.",
                        (Related(site.location, f"subnet {net}"),),
                    )


@rule("CIDR004", "overlapping-cidrs", Severity.ERROR)
def overlapping_cidrs(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """Address ranges that overlap where routing needs them apart: subnets of one VPC, or the service CIDR and the VPC.

    ## What it does
    Reports two subnets of the same VPC whose CIDRs overlap (eksctl `vpc.subnets`, config,
    saved inventory by `VpcId`, or one CloudFormation template's VPC), at the later one; an
    eksctl `serviceIPv4CIDR` that overlaps a VPC block (config, eksctl `vpc.cidr`, inventory;
    eksctl's default 192.168.0.0/16 when eksctl creates the VPC and `vpc.cidr` is unset) or,
    failing that, one of the cluster's subnets; and a Multus IPAM range (host-local,
    whereabouts or static, in a NetworkAttachmentDefinition) that overlaps a cluster subnet
    without lying inside it.

    ## Why it matters
    AWS refuses overlapping subnets in one VPC; a service CIDR that overlaps the VPC makes
    kube-proxy capture traffic meant for nodes and pods in that range, and EKS rejects it at
    cluster creation.

    ## How to fix
    Give each subnet its own range, choose a service CIDR outside every VPC block, and keep
    each Multus range inside the subnet of its master interface.

    ## Example
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    availabilityZones: [us-west-2a, us-west-2b]
    vpc: {cidr: 10.100.0.0/16}
    kubernetesNetworkConfig: {serviceIPv4CIDR: 10.100.0.0/16}
    ```
    Use instead:
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    availabilityZones: [us-west-2a, us-west-2b]
    vpc: {cidr: 10.100.0.0/16}
    kubernetesNetworkConfig: {serviceIPv4CIDR: 172.20.0.0/16}
    ```

    ## References
    - `reference/vpc-and-eniconfig.md` § a.4 (subnets of a VPC must not overlap), § a.6
      (service CIDR must not overlap the VPC).
    - `reference/eksctl.md` § 2.2 (EKS API rules for `serviceIPv4CIDR`), § 4.1 (default VPC CIDR).
    """
    networks = unique_networks(ctx)
    subnets = [(s, n) for s, n in networks if s.role == "subnet"]
    by_vpc: dict[str, list[tuple[CidrSite, IPv4Network]]] = defaultdict(list)
    for site, net in subnets:
        if site.vpc_key is not None:
            by_vpc[site.vpc_key].append((site, net))
    for group in by_vpc.values():
        for index, (site, net) in enumerate(group):
            for earlier, earlier_net in group[:index]:
                if net.overlaps(earlier_net):
                    yield Violation(
                        f"{site.what} {net} overlaps {earlier.what} {earlier_net} in the same VPC",
                        site.location,
                        "Give each subnet of the VPC its own, non-overlapping range.",
                        (Related(earlier.location, f"{earlier.what} {earlier_net}"),),
                    )
                    break
    yield from _service_overlaps(ctx, subnets)
    yield from _multus_overlaps(ctx, subnets)


@rule("CIDR005", "invalid-service-cidr", Severity.ERROR)
def invalid_service_cidr(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """A `serviceIPv4CIDR` outside the ranges and sizes EKS accepts, or set in an IPv6 cluster.

    ## What it does
    Reports an eksctl `kubernetesNetworkConfig.serviceIPv4CIDR` that is not an IPv4 block,
    lies outside 10.0.0.0/8, 172.16.0.0/12 and 192.168.0.0/16, is larger than /12 or smaller
    than /24, or is set while `ipFamily` is IPv6. A value that does not parse is CIDR003's;
    overlap with the VPC is CIDR004's.

    ## Why it matters
    EKS rejects the cluster (after eksctl has created the VPC stack), and the service CIDR can
    only be chosen at creation.

    ## How to fix
    Use an RFC 1918 block from /12 to /24 that does not overlap the VPC, or leave the field
    unset to get EKS's default (10.100.0.0/16 or 172.20.0.0/16).

    ## Example
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    availabilityZones: [us-west-2a, us-west-2b]
    vpc: {cidr: 10.0.0.0/16}
    kubernetesNetworkConfig: {serviceIPv4CIDR: 100.64.0.0/16}
    ```
    Use instead:
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    availabilityZones: [us-west-2a, us-west-2b]
    vpc: {cidr: 10.0.0.0/16}
    kubernetesNetworkConfig: {serviceIPv4CIDR: 172.20.0.0/16}
    ```

    ## References
    - `reference/vpc-and-eniconfig.md` § a.6 (service IPv4 CIDR rules and defaults).
    - `reference/eksctl.md` § 2.2 (EKS API), § 3.2 K1 (not with IPv6).
    """
    for cc in ctx.cluster_configs:
        found = _service_cidr(cc)
        if found is None:
            continue
        text, loc = found
        family = text_of(dig(cc.data, "kubernetesNetworkConfig", "ipFamily"))
        if family is not None and family.lower() == "ipv6":
            yield Violation(f"serviceIPv4CIDR {text} is set in IPv6 cluster {cc.name}", loc,
                            "Remove serviceIPv4CIDR: IPv6 clusters take service addresses from fc00::/7.")
            continue
        try:
            net = ip_network(text.strip(), strict=False) if "/" in text else None
        except ValueError:
            net = None
        if net is None:
            continue  # CIDR003 reports what does not parse
        if not isinstance(net, IPv4Network):
            yield Violation(f"serviceIPv4CIDR {text} is not an IPv4 block", loc,
                            "Use an IPv4 block such as 172.20.0.0/16.")
            continue
        problems = []
        if not any(net.subnet_of(r) for r in SERVICE_RANGES):
            problems.append("outside 10.0.0.0/8, 172.16.0.0/12 and 192.168.0.0/16")
        low, high = SERVICE_PREFIX
        if not low <= net.prefixlen <= high:
            problems.append(f"a /{net.prefixlen} block, not /{low} to /{high}")
        if problems:
            yield Violation(f"serviceIPv4CIDR {net} is {' and '.join(problems)}", loc,
                            "Use an RFC 1918 block from /12 to /24, such as 172.20.0.0/16.")
