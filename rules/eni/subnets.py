"""ENIConfig pod subnets against the VPC facts that only config or an AWS inventory can give."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eks_net_lint.aws.zones import looks_like_zone
from eks_net_lint.context import ClusterContext
from eks_net_lint.findings import Related, Severity, Violation
from eks_net_lint.located import is_unknown, text_of
from eks_net_lint.network import SubnetFact
from eks_net_lint.registry import rule
from eks_net_lint.views import EniConfig


def _pod_subnets(ctx: ClusterContext) -> Iterator[tuple[EniConfig, str, SubnetFact]]:
    """(ENIConfig, subnet ID, what is known of the subnet) for every subnet the facts know."""
    known = ctx.subnets
    if ctx.eni_configs and not known:
        ctx.note_skip("ENI007/ENI010", "no subnet facts (config clusters.<name>.vpc.subnets, eksctl vpc.subnets or an inventory)")
    for eni in ctx.eni_configs:
        subnet = text_of(eni.spec.get("subnet")) if eni.spec is not None else None
        if subnet and not is_unknown(subnet) and subnet in known:
            yield eni, subnet, known[subnet]


def _fact_related(fact: SubnetFact, what: str) -> tuple[Related, ...]:
    return (Related(fact.location, f"{what} ({fact.origin})"),) if fact.location is not None else ()


@rule("ENI007", "eniconfig-subnet-zone-mismatch", Severity.ERROR)
def eniconfig_subnet_zone_mismatch(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """An ENIConfig's subnet lies in another zone than the one it is named for, or outside the cluster VPC.

    ## What it does
    Using subnet facts from `clusters.<name>.vpc.subnets` in config, eksctl `vpc.subnets`, or a
    saved `aws ec2 describe-subnets` inventory, reports an ENIConfig named like a zone whose
    subnet is in another zone, and a subnet that belongs to another VPC than the cluster's (by
    VPC ID, or by lying outside every known VPC CIDR). Without such facts the rule stays silent.

    ## Why it matters
    An ENI must be in the node's zone and VPC: EC2 refuses to attach it, and the nodes of that
    zone get no pod addresses.

    ## How to fix
    Point the ENIConfig at the pod subnet of its own zone, in the cluster VPC.

    ## Example
    ```yaml
    # .eks-net-lint.yaml: clusters: {prod: {vpc: {subnets: {subnet-0a1b2c3d4e5f60718: {zone: us-west-2b}}}}}
    apiVersion: crd.k8s.amazonaws.com/v1alpha1
    kind: ENIConfig
    metadata: {name: us-west-2a}
    spec: {subnet: subnet-0a1b2c3d4e5f60718}
    ```
    Use instead:
    ```yaml
    apiVersion: crd.k8s.amazonaws.com/v1alpha1
    kind: ENIConfig
    metadata: {name: us-west-2b}
    spec: {subnet: subnet-0a1b2c3d4e5f60718}
    ```

    ## References
    - `reference/vpc-and-eniconfig.md` § b.5 (same AZ and VPC as the node), § d (describe-subnets JSON).
    """
    vpc = ctx.vpc
    cidrs = [c.cidr for c in vpc.all_cidrs()]
    for eni, subnet, fact in _pod_subnets(ctx):
        where = eni.spec.loc("subnet") if eni.spec is not None else eni.anchor()
        if fact.zone and looks_like_zone(eni.name) and fact.zone != eni.name:
            yield Violation(
                f"ENIConfig {eni.name} uses subnet {subnet} in zone {fact.zone}, not {eni.name}",
                where,
                f"Use the pod subnet of zone {eni.name} in spec.subnet.",
                _fact_related(fact, f"{subnet} is in {fact.zone}"),
            )
        if vpc.vpc_id and fact.vpc_id and fact.vpc_id != vpc.vpc_id:
            yield Violation(
                f"ENIConfig {eni.name} subnet {subnet} is in {fact.vpc_id}, not the cluster VPC {vpc.vpc_id}",
                where,
                "Use a pod subnet of the cluster VPC.",
                _fact_related(fact, f"{subnet} is in {fact.vpc_id}"),
            )
        elif cidrs and fact.cidr is not None and not any(
            fact.cidr.version == c.version and fact.cidr.subnet_of(c) for c in cidrs  # type: ignore[arg-type]
        ):
            yield Violation(
                f"ENIConfig {eni.name} subnet {subnet} ({fact.cidr}) lies outside the cluster VPC CIDRs "
                f"{', '.join(str(c) for c in cidrs)}",
                where,
                "Use a pod subnet of the cluster VPC.",
                _fact_related(fact, f"{subnet} is {fact.cidr}"),
            )


@rule("ENI010", "pod-subnet-in-primary-cidr", Severity.WARNING)
def pod_subnet_in_primary_cidr(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """An ENIConfig pod subnet carved from the VPC's primary CIDR instead of a secondary one.

    ## What it does
    Using the VPC's primary CIDR (config `clusters.<name>.vpc.primary-cidr`, eksctl `vpc.cidr`,
    or an inventory) and the subnet's CIDR (config, eksctl or inventory), reports an ENIConfig
    subnet that lies inside the primary CIDR. Without such facts the rule stays silent.

    ## Why it matters
    Custom networking exists to move pods into a secondary CIDR (typically CG-NAT 100.64.0.0/10)
    so they stop consuming the routable primary range; a pod subnet from the primary CIDR frees
    no addresses and costs every node its primary ENI's pod slots.

    ## How to fix
    Associate a secondary CIDR with the VPC, create the pod subnets in it, and point the
    ENIConfigs at them.

    ## Example
    ```yaml
    # .eks-net-lint.yaml: clusters: {prod: {vpc: {primary-cidr: 10.0.0.0/16,
    #   subnets: {subnet-0a1b2c3d4e5f60718: {zone: us-west-2a, cidr: 10.0.32.0/19}}}}}
    apiVersion: crd.k8s.amazonaws.com/v1alpha1
    kind: ENIConfig
    metadata: {name: us-west-2a}
    spec: {subnet: subnet-0a1b2c3d4e5f60718}
    ```
    Use instead:
    ```yaml
    # subnet-0a1b2c3d4e5f60719: {zone: us-west-2a, cidr: 100.64.0.0/19}
    apiVersion: crd.k8s.amazonaws.com/v1alpha1
    kind: ENIConfig
    metadata: {name: us-west-2a}
    spec: {subnet: subnet-0a1b2c3d4e5f60719}
    ```

    ## References
    - `reference/vpc-and-eniconfig.md` § b.5 (pod subnets should come from a secondary CIDR).
    """
    primary = ctx.vpc.primary
    if primary is None:
        return
    for eni, subnet, fact in _pod_subnets(ctx):
        if fact.cidr is None or fact.cidr.version != primary.cidr.version:
            continue
        if fact.cidr.subnet_of(primary.cidr):  # type: ignore[arg-type]
            related = list(_fact_related(fact, f"{subnet} is {fact.cidr}"))
            if primary.location is not None:
                related.append(Related(primary.location, f"primary CIDR {primary.cidr} ({primary.origin})"))
            yield Violation(
                f"ENIConfig {eni.name} subnet {subnet} ({fact.cidr}) is in the VPC primary CIDR {primary.cidr}",
                eni.spec.loc("subnet") if eni.spec is not None else eni.anchor(),
                "Create the pod subnet in a secondary VPC CIDR (such as 100.64.0.0/16) and use it here.",
                tuple(related),
            )
