"""Every VPC and subnet CIDR a cluster's files state, with where and in which VPC, for the CIDR rules.

Sources (RULES.md CIDR003): eksctl ``vpc.cidr`` and subnet ``cidr``; ``clusters.<name>.vpc`` in
config; saved inventory (VPC blocks, associations, subnets); CloudFormation ``AWS::EC2::VPC`` /
``VPCCidrBlock`` / ``Subnet``. Sizes: reference/vpc-and-eniconfig.md § a.1, § a.4 (/16–/28) and
reference/eksctl.md § 3.4 V13 (/16–/24 for a VPC eksctl creates).
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from ipaddress import IPv4Network, ip_network

from eks_net_lint.aws.reserved import VPC_PREFIX_RANGE
from eks_net_lint.cfn import templates
from eks_net_lint.context import ClusterContext
from eks_net_lint.findings import Location
from eks_net_lint.located import LList, dig, dig_list, is_unknown, iter_maps, text_of
from eks_net_lint.views import ClusterConfig

EKSCTL_VPC_RANGE = (16, 24)  # reference/eksctl.md § 3.4 V13
EKSCTL_DEFAULT_CIDR = "192.168.0.0/16"  # reference/eksctl.md § 2.3, § 4.1
CLUSTER_VPC = "cluster"  # the vpc_key of the cluster's own VPC (eksctl and config sites)


@dataclass(frozen=True, slots=True)
class CidrSite:
    """One VPC or subnet CIDR as a file writes it."""

    text: str
    location: Location
    what: str  # e.g. "eksctl vpc.cidr", "inventory subnet subnet-…"
    role: str  # "vpc" or "subnet"
    vpc_key: str | None  # sites with the same key belong to one VPC
    sizes: tuple[int, int] = VPC_PREFIX_RANGE
    subnet_id: str | None = None

    @property
    def network(self) -> IPv4Network | None:
        """The IPv4 network (host bits cleared, as AWS stores it); None when it does not parse."""
        return ipv4(self.text)


def ipv4(text: object) -> IPv4Network | None:
    if not isinstance(text, str) or "/" not in text:
        return None
    try:
        net = ip_network(text.strip(), strict=False)
    except ValueError:
        return None
    return net if isinstance(net, IPv4Network) else None


def eksctl_creates_vpc(cc: ClusterConfig) -> bool:
    """No ``vpc.id`` and no subnets listed: eksctl creates the VPC (reference/eksctl.md § 2.4)."""
    return dig(cc.data, "vpc", "id") is None and not any(True for _ in cc.subnet_maps())


def _eksctl_sites(cc: ClusterConfig) -> Iterator[CidrSite]:
    vpc = cc.vpc()
    if vpc is not None and isinstance(vpc.get("cidr"), str) and not is_unknown(vpc["cidr"]):
        sizes = EKSCTL_VPC_RANGE if eksctl_creates_vpc(cc) else VPC_PREFIX_RANGE
        yield CidrSite(vpc["cidr"], vpc.loc("cidr"), "eksctl vpc.cidr", "vpc", CLUSTER_VPC, sizes)
    for access, key, spec in cc.subnet_maps():
        cidr = spec.get("cidr")
        if isinstance(cidr, str) and not is_unknown(cidr):
            yield CidrSite(cidr, spec.loc("cidr"), f"eksctl subnet {access}.{key}", "subnet", CLUSTER_VPC,
                           subnet_id=text_of(spec.get("id")))


def _config_sites(ctx: ClusterContext) -> Iterator[CidrSite]:
    raw = ctx.setting("vpc")
    if not isinstance(raw, dict):
        return
    where = f"config clusters.{ctx.name}.vpc"
    primary = raw.get("primary-cidr")
    loc = ctx.config_location("vpc", "primary-cidr")
    if isinstance(primary, str) and loc is not None:
        yield CidrSite(primary, loc, f"{where}.primary-cidr", "vpc", CLUSTER_VPC)
    secondary = raw.get("secondary-cidrs")
    loc = ctx.config_location("vpc", "secondary-cidrs")
    if isinstance(secondary, list) and loc is not None:
        for text in secondary:
            if isinstance(text, str):
                yield CidrSite(text, loc, f"{where}.secondary-cidrs", "vpc", CLUSTER_VPC)
    subnets = raw.get("subnets")
    if isinstance(subnets, dict):
        for subnet_id, spec in subnets.items():
            cidr = spec.get("cidr") if isinstance(spec, dict) else None
            loc = ctx.config_location("vpc", "subnets", str(subnet_id), "cidr")
            if isinstance(cidr, str) and loc is not None:
                yield CidrSite(cidr, loc, f"{where}.subnets.{subnet_id}", "subnet", CLUSTER_VPC,
                               subnet_id=str(subnet_id))


def _inventory_sites(ctx: ClusterContext) -> Iterator[CidrSite]:
    inv = ctx.inventory
    cluster_vpc = ctx.vpc.vpc_id

    def key(vpc_id: str | None) -> str | None:
        if vpc_id is None:
            return None
        return CLUSTER_VPC if vpc_id == cluster_vpc else f"vpc:{vpc_id}"

    for vpc in inv.vpcs.values():
        if vpc.primary_cidr and vpc.primary_location is not None:
            yield CidrSite(vpc.primary_cidr, vpc.primary_location, f"inventory {vpc.vpc_id} CidrBlock", "vpc",
                           key(vpc.vpc_id))
        for assoc in vpc.secondary:
            if assoc.location is not None:
                yield CidrSite(assoc.cidr, assoc.location, f"inventory {vpc.vpc_id} association", "vpc",
                               key(vpc.vpc_id))
    for subnet in inv.subnets.values():
        if subnet.cidr and subnet.cidr_location is not None:
            yield CidrSite(subnet.cidr, subnet.cidr_location, f"inventory subnet {subnet.subnet_id}", "subnet",
                           key(subnet.vpc_id), subnet_id=subnet.subnet_id)


def _cfn_sites(ctx: ClusterContext) -> Iterator[CidrSite]:
    for template, nets in templates(ctx.views):
        for net in nets:
            if net.cidr is None:
                continue
            role = "vpc" if net.type != "AWS::EC2::Subnet" else "subnet"
            vpc_key = f"cfn:{template.path}#{template.doc.index}:{net.vpc_ref}" if net.vpc_ref else None
            yield CidrSite(net.cidr, net.location, f"CloudFormation {net.label}", role, vpc_key)


def cidr_sites(ctx: ClusterContext) -> list[CidrSite]:
    """Every VPC and subnet CIDR of the context, in source order (eksctl, config, inventory, CloudFormation)."""
    sites: list[CidrSite] = []
    for cc in ctx.cluster_configs:
        sites += _eksctl_sites(cc)
    if ctx.is_cluster:
        sites += _config_sites(ctx)
    sites += _inventory_sites(ctx)
    sites += _cfn_sites(ctx)
    return sites


def unique_networks(ctx: ClusterContext) -> list[tuple[CidrSite, IPv4Network]]:
    """Parsed IPv4 sites, each subnet ID and each (role, VPC, network) once: the first source wins."""
    seen_ids: set[str] = set()
    seen: set[tuple[str, str | None, IPv4Network]] = set()
    out = []
    for site in cidr_sites(ctx):
        net = site.network
        if net is None:
            continue
        if site.subnet_id is not None:
            if site.subnet_id in seen_ids:
                continue
            seen_ids.add(site.subnet_id)
        key = (site.role, site.vpc_key, net)
        if key in seen:
            continue
        seen.add(key)
        out.append((site, net))
    return out


def other_cidr_fields(cc: ClusterConfig) -> Iterator[tuple[str, Location, str]]:
    """(text, location, field) of eksctl CIDR fields that get the parse check only (RULES.md CIDR003)."""
    network = cc.data.get("kubernetesNetworkConfig")
    for key in ("serviceIPv4CIDR", "serviceIPv6CIDR"):
        value = dig(network, key)
        if isinstance(value, str) and not is_unknown(value):
            yield value, cc.loc("kubernetesNetworkConfig", key), f"kubernetesNetworkConfig.{key}"
    vpc = cc.vpc()
    if vpc is not None:
        if isinstance(vpc.get("ipv6Cidr"), str) and not is_unknown(vpc["ipv6Cidr"]):
            yield vpc["ipv6Cidr"], vpc.loc("ipv6Cidr"), "vpc.ipv6Cidr"
        for key in ("extraCIDRs", "extraIPv6CIDRs", "publicAccessCIDRs"):
            seq = dig_list(vpc, key)
            for index, value in enumerate(seq or ()):
                if isinstance(value, str) and not is_unknown(value):
                    yield value, seq.loc(index) if isinstance(seq, LList) else vpc.loc(key), f"vpc.{key}"
    remote = cc.data.get("remoteNetworkConfig")
    for key in ("remoteNodeNetworks", "remotePodNetworks"):
        for network_entry in iter_maps(dig(remote, key)):
            seq = dig_list(network_entry, "cidrs")
            for index, value in enumerate(seq or ()):
                if isinstance(value, str) and not is_unknown(value):
                    yield value, seq.loc(index) if seq is not None else network_entry.loc(), \
                        f"remoteNetworkConfig.{key}.cidrs"
