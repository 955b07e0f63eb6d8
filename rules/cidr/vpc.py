"""CIDR001–CIDR003, CIDR006: which blocks a VPC may hold, how pod space is chosen, and CIDR syntax."""
from __future__ import annotations

from collections.abc import Iterator
from ipaddress import IPv4Network, ip_network
from typing import Any

from eks_net_lint.aws.cidr_restrictions import check_association, is_recommended_pod_range, never_assignable
from eks_net_lint.cfn import CIDR_BLOCK, VPC, templates
from eks_net_lint.context import ClusterContext
from eks_net_lint.findings import Location, Related, Severity, Violation
from eks_net_lint.inventory import INVENTORY_ORIGIN
from eks_net_lint.located import is_unknown, text_of
from eks_net_lint.registry import rule

from .common import cidr_sites, ipv4, other_cidr_fields, unique_networks

DOCKER_BRIDGE = IPv4Network("172.17.0.0/16")  # reference/vpc-and-eniconfig.md § a.1
FAILED_STATES = ("failed", "failing")
CIDR001_FIX = "Associate a block the restriction table permits for this primary CIDR, such as one in 100.64.0.0/10."


def _refusal(primary: IPv4Network, block: IPv4Network, earlier: list[IPv4Network]) -> str | None:
    """Why AWS refuses to associate ``block``, quoting the table row; None when it is allowed."""
    verdict = check_association(primary, block, earlier)
    if verdict is None or verdict.allowed:
        return None
    if verdict.row is None:
        return verdict.reason
    return f"{verdict.reason}; restriction table row {verdict.row.quote()}"


def _cluster_vpc(ctx: ClusterContext) -> Iterator[Violation]:
    """Secondary CIDRs stated for the cluster VPC (config), against its primary."""
    primary = ctx.vpc.primary
    if primary is None or not isinstance(primary.cidr, IPv4Network):
        return
    accepted: list[IPv4Network] = []
    related = (Related(primary.location, f"primary CIDR {primary.cidr} ({primary.origin})"),) \
        if primary.location is not None else ()
    for sec in ctx.vpc.secondary:
        if not isinstance(sec.cidr, IPv4Network) or sec.origin.startswith(INVENTORY_ORIGIN):
            if isinstance(sec.cidr, IPv4Network) and sec.state == "associated":
                accepted.append(sec.cidr)
            continue
        why = _refusal(primary.cidr, sec.cidr, accepted)
        if why is None:
            accepted.append(sec.cidr)
        elif sec.location is not None:
            yield Violation(
                f"secondary CIDR {sec.cidr} cannot be associated with a VPC whose primary CIDR is {primary.cidr}: {why}",
                sec.location, CIDR001_FIX, related,
            )


def _inventory(ctx: ClusterContext) -> Iterator[Violation]:
    """Inventory associations that AWS failed to make."""
    for vpc in ctx.inventory.vpcs.values():
        primary = ipv4(vpc.primary_cidr)
        accepted = [n for a in vpc.secondary if a.usable and (n := ipv4(a.cidr)) is not None]
        for assoc in vpc.secondary:
            block = ipv4(assoc.cidr)
            if assoc.state not in FAILED_STATES or assoc.location is None or block is None:
                continue
            why = _refusal(primary, block, [n for n in accepted if n != block]) if primary is not None else None
            status = f" ({assoc.status_message})" if assoc.status_message else ""
            yield Violation(
                f"association of {block} with {vpc.vpc_id} is in state {assoc.state}{status}"
                + (f": {why}" if why else ""),
                assoc.location, CIDR001_FIX,
            )


def _cloudformation(ctx: ClusterContext) -> Iterator[Violation]:
    """``AWS::EC2::VPCCidrBlock`` resources against the ``AWS::EC2::VPC`` of the same template."""
    for _template, nets in templates(ctx.views):
        primaries = {n.logical_id: n for n in nets if n.type == VPC}
        accepted: dict[str, list[IPv4Network]] = {}
        for net in nets:
            if net.type != CIDR_BLOCK or net.vpc_ref not in primaries:
                continue
            vpc = primaries[net.vpc_ref]
            primary, block = ipv4(vpc.cidr), ipv4(net.cidr)
            if primary is None or block is None:
                continue
            earlier = accepted.setdefault(vpc.logical_id, [])
            why = _refusal(primary, block, earlier)
            if why is None:
                earlier.append(block)
                continue
            yield Violation(
                f"{net.label} {block} cannot be associated with VPC {vpc.logical_id} ({primary}): {why}",
                net.location, CIDR001_FIX, (Related(vpc.location, f"VPC {vpc.logical_id} primary CIDR {primary}"),),
            )


def _link_local_primaries(ctx: ClusterContext) -> Iterator[Violation]:
    for site in cidr_sites(ctx):
        net = site.network
        if site.role == "vpc" and net is not None and never_assignable(net) is not None:
            yield Violation(
                f"{site.what} {site.text} is link-local (169.254.0.0/16): it can never be assigned to a VPC",
                site.location, "Use an RFC 1918 or CG-NAT (100.64.0.0/10) block instead.",
            )


@rule("CIDR001", "secondary-cidr-restricted", Severity.ERROR)
def secondary_cidr_restricted(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """A secondary VPC CIDR that AWS refuses to associate with the VPC's primary CIDR.

    ## What it does
    Applies the VPC association-restrictions table to every secondary block and its primary:
    `clusters.<name>.vpc.secondary-cidrs` in config (against `primary-cidr`, eksctl `vpc.cidr`
    or the inventory's primary), CloudFormation `AWS::EC2::VPCCidrBlock` resources against
    their `AWS::EC2::VPC`, and saved `describe-vpcs` associations in state `failed`. It also
    reports a block that overlaps one already associated, and any VPC block in the
    never-usable link-local range 169.254.0.0/16. The message quotes the table row.

    ## Why it matters
    AWS rejects the association (for a 10.0.0.0/8 VPC: 172.16.0.0/12, 192.168.0.0/16 and
    anything in 198.19.0.0/16), so the pod subnets planned in that block can never be created,
    and a custom-networking rollout stops half way.

    ## How to fix
    Choose a block the table permits for the primary range; 100.64.0.0/10 (CG-NAT space) is
    permitted for every primary and is the recommended pod range.

    ## Example
    ```yaml
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      Vpc:
        Type: AWS::EC2::VPC
        Properties: {CidrBlock: 10.0.0.0/16}
      PodCidr:
        Type: AWS::EC2::VPCCidrBlock
        Properties: {VpcId: !Ref Vpc, CidrBlock: 198.19.0.0/16}
    ```
    Use instead:
    ```yaml
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      Vpc:
        Type: AWS::EC2::VPC
        Properties: {CidrBlock: 10.0.0.0/16}
      PodCidr:
        Type: AWS::EC2::VPCCidrBlock
        Properties: {VpcId: !Ref Vpc, CidrBlock: 100.64.0.0/16}
    ```

    ## References
    - `reference/vpc-and-eniconfig.md` § a.2 (the association-restrictions table), § a.1 (adding
      blocks, association states), § d (describe-vpcs associations).
    """
    yield from _cluster_vpc(ctx)
    yield from _inventory(ctx)
    yield from _cloudformation(ctx)
    yield from _link_local_primaries(ctx)


@rule("CIDR002", "pod-cidr-not-cgnat", Severity.INFO)
def pod_cidr_not_cgnat(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """A secondary CIDR that holds pod subnets but lies outside CG-NAT space.

    ## What it does
    For each secondary VPC CIDR (config, or an associated block in a saved inventory) that
    contains the subnet of one of the cluster's ENIConfigs, reports a block outside
    100.64.0.0/10 and 198.19.0.0/16. Subnet CIDRs come from eksctl, config or an inventory.

    ## Why it matters
    Custom networking moves pods into a secondary range so they stop using routable address
    space; RFC 1918 space is usually scarce and shared with other networks. The EKS best-practice
    guide recommends CG-NAT space for pods.

    ## How to fix
    Associate a block from 100.64.0.0/10 (or 198.19.0.0/16) with the VPC and create the pod
    subnets there.

    ## Example
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    availabilityZones: [us-west-2a, us-west-2b]
    ---
    # saved aws ec2 describe-vpcs / describe-subnets output
    Vpcs:
      - VpcId: vpc-0a1b2c3d4e5f60718
        CidrBlock: 10.0.0.0/16
        CidrBlockAssociationSet:
          - {CidrBlock: 10.0.0.0/16, CidrBlockState: {State: associated}}
          - {CidrBlock: 10.1.0.0/16, CidrBlockState: {State: associated}}
    Subnets:
      - {SubnetId: subnet-0a1b2c3d4e5f60718, VpcId: vpc-0a1b2c3d4e5f60718,
         AvailabilityZone: us-west-2a, CidrBlock: 10.1.0.0/19}
    ---
    apiVersion: crd.k8s.amazonaws.com/v1alpha1
    kind: ENIConfig
    metadata: {name: us-west-2a}
    spec: {subnet: subnet-0a1b2c3d4e5f60718}
    ```
    Use instead:
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    availabilityZones: [us-west-2a, us-west-2b]
    ---
    # saved aws ec2 describe-vpcs / describe-subnets output
    Vpcs:
      - VpcId: vpc-0a1b2c3d4e5f60718
        CidrBlock: 10.0.0.0/16
        CidrBlockAssociationSet:
          - {CidrBlock: 10.0.0.0/16, CidrBlockState: {State: associated}}
          - {CidrBlock: 100.64.0.0/16, CidrBlockState: {State: associated}}
    Subnets:
      - {SubnetId: subnet-0a1b2c3d4e5f60718, VpcId: vpc-0a1b2c3d4e5f60718,
         AvailabilityZone: us-west-2a, CidrBlock: 100.64.0.0/19}
    ---
    apiVersion: crd.k8s.amazonaws.com/v1alpha1
    kind: ENIConfig
    metadata: {name: us-west-2a}
    spec: {subnet: subnet-0a1b2c3d4e5f60718}
    ```

    ## References
    - `reference/vpc-and-eniconfig.md` § a.6 (recommended pod space: 100.64.0.0/10 or 198.19.0.0/16),
      § b.5 (pod subnets from a secondary CIDR).
    """
    if not ctx.is_cluster:
        return
    pods: list[tuple[str, str, IPv4Network, Location]] = []
    for eni in ctx.eni_configs:
        subnet = text_of(eni.spec.get("subnet")) if eni.spec is not None else None
        fact = ctx.subnets.get(subnet) if subnet and not is_unknown(subnet) else None
        if fact is not None and isinstance(fact.cidr, IPv4Network) and eni.spec is not None:
            pods.append((eni.name, str(subnet), fact.cidr, eni.spec.loc("subnet")))
    for sec in ctx.vpc.secondary:
        if not isinstance(sec.cidr, IPv4Network) or sec.state != "associated" or is_recommended_pod_range(sec.cidr):
            continue
        users = [(name, subnet, loc) for name, subnet, net, loc in pods if net.subnet_of(sec.cidr)]
        if not users:
            continue
        names = ", ".join(sorted({name for name, _, _ in users}))
        where = sec.location or users[0][2]
        yield Violation(
            f"secondary CIDR {sec.cidr} holds the pod subnets of ENIConfig {names} but lies outside "
            "CG-NAT space (100.64.0.0/10, 198.19.0.0/16)",
            where,
            "Create the pod subnets in a secondary block from 100.64.0.0/10 instead.",
            tuple(Related(loc, f"ENIConfig {name} uses {subnet}") for name, subnet, loc in users),
        )


def _site_problem(text: str, sizes: tuple[int, int]) -> str | None:
    net = ipv4(text)
    if net is None:
        try:
            other = ip_network(text.strip(), strict=False) if "/" in text else None
        except ValueError:
            other = None
        return "is not an IPv4 CIDR" if other is not None else "does not parse as a CIDR"
    if str(net) != text.strip():
        try:
            ip_network(text.strip(), strict=True)
        except ValueError:
            return f"has host bits set: AWS stores it as {net}"
    low, high = sizes
    if not low <= net.prefixlen <= high:
        return f"is a /{net.prefixlen} block: it must be /{low} to /{high}"
    return None


@rule("CIDR003", "invalid-cidr", Severity.ERROR)
def invalid_cidr(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """A VPC or subnet CIDR that does not parse, has host bits set, or has a size AWS does not accept.

    ## What it does
    Checks every VPC and subnet CIDR the files state — eksctl `vpc.cidr` and subnet `cidr`,
    `clusters.<name>.vpc` in config, saved inventories, CloudFormation `AWS::EC2::VPC`,
    `VPCCidrBlock` and `Subnet` — for syntax, host bits and a prefix of /16 to /28 (/16 to /24
    for a VPC that eksctl creates). Other eksctl CIDR fields (`serviceIPv4CIDR`, `extraCIDRs`,
    `publicAccessCIDRs`, remote networks, IPv6 fields) get the syntax check only. Template
    expressions and CloudFormation intrinsics are unknown and skipped.

    ## Why it matters
    AWS refuses blocks outside /16–/28 and eksctl refuses a VPC CIDR outside /16–/24. A block
    with host bits set is silently stored as its network address, and eksctl splits such a
    `vpc.cidr` from the written address, so the subnets it derives are misaligned.

    ## How to fix
    Write the network address with a prefix AWS accepts (for example `10.0.0.0/16`, not
    `10.0.1.0/16`).

    ## Example
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    availabilityZones: [us-west-2a, us-west-2b]
    vpc: {cidr: 10.0.1.0/16}
    ```
    Use instead:
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    availabilityZones: [us-west-2a, us-west-2b]
    vpc: {cidr: 10.0.0.0/16}
    ```

    ## References
    - `reference/vpc-and-eniconfig.md` § a.1 (/16–/28, host bits normalised), § a.4 (subnets).
    - `reference/eksctl.md` § 3.4 V1, V1b, V13 (eksctl's parsing and the /16–/24 rule), § 3.2 K2.
    """
    for site in cidr_sites(ctx):
        problem = _site_problem(site.text, site.sizes)
        if problem is not None:
            yield Violation(f"{site.what} {site.text} {problem}", site.location,
                            "Write the block as a network address with a prefix from /16 to /28.")
    for cc in ctx.cluster_configs:
        for text, loc, field in other_cidr_fields(cc):
            try:
                ip_network(text.strip(), strict=False)
                parses = "/" in text
            except ValueError:
                parses = False
            if not parses:
                yield Violation(f"{field} {text} does not parse as a CIDR", loc,
                                "Write an address and a prefix length, such as 10.100.0.0/16.")


@rule("CIDR006", "docker-bridge-overlap", Severity.WARNING)
def docker_bridge_overlap(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """A VPC or subnet CIDR that overlaps Docker's bridge network 172.17.0.0/16.

    ## What it does
    Reports every VPC or subnet block (eksctl, config, inventory, CloudFormation) that overlaps
    172.17.0.0/16.

    ## Why it matters
    Docker's bridge uses 172.17.0.0/16 on EKS nodes: traffic to VPC addresses in that range is
    routed to the bridge, and `kubectl exec` and `kubectl logs` fail with
    `dial tcp 172.17.x.x:10250: ... no route to host`. AWS advises not to use the range.

    ## How to fix
    Use another range for the VPC or subnet (for example 172.16.0.0/16 or 10.0.0.0/16).

    ## Example
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    availabilityZones: [us-west-2a, us-west-2b]
    vpc: {cidr: 172.17.0.0/16}
    ```
    Use instead:
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    availabilityZones: [us-west-2a, us-west-2b]
    vpc: {cidr: 172.16.0.0/16}
    ```

    ## References
    - `reference/vpc-and-eniconfig.md` § a.1 (172.17.0.0/16 and the EKS troubleshooting note).
    """
    for site, net in unique_networks(ctx):
        if net.overlaps(DOCKER_BRIDGE):
            yield Violation(
                f"{site.what} {net} overlaps the Docker bridge network {DOCKER_BRIDGE}",
                site.location,
                f"Use a range outside {DOCKER_BRIDGE} for this block.",
            )
