"""CTL006, CTL007, CTL010: API endpoint access and the add-on list of an eksctl ClusterConfig."""
from __future__ import annotations

from collections.abc import Iterator
from ipaddress import ip_network
from typing import Any

from eks_net_lint.context import ClusterContext
from eks_net_lint.findings import Location, Related, Severity, Violation
from eks_net_lint.located import LMap, dig_map
from eks_net_lint.registry import rule
from eks_net_lint.views import ClusterConfig

from .common import addons, group_is_private, is_fully_private, is_outposts, known_strings, vpc_map


def _endpoints(cc: ClusterConfig) -> tuple[bool, bool, LMap | None]:
    """(public, private) endpoint access after eksctl's defaults (§ 4.1), and the block itself."""
    block = dig_map(cc.data, "vpc", "clusterEndpoints")
    public_default, private_default = (False, True) if is_outposts(cc) else (True, False)
    public = block.get("publicAccess") if block is not None else None
    private = block.get("privateAccess") if block is not None else None
    return (
        public if isinstance(public, bool) else public_default,
        private if isinstance(private, bool) else private_default,
        block,
    )


@rule("CTL006", "endpoint-access-disabled", Severity.ERROR)
def endpoint_access_disabled(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """Both API endpoints switched off, or a fully-private cluster with node groups outside private subnets.

    ## What it does
    Reports `vpc.clusterEndpoints` that leaves neither public nor private access on once
    eksctl's defaults are applied (public on, private off; private only on Outposts), and, in a
    fully-private cluster (`privateCluster.enabled: true`), every node group without
    `privateNetworking: true`.

    ## Why it matters
    eksctl refuses both: `Kubernetes API access must have one of public or private
    clusterEndpoints enabled`, and `privateNetworking must be enabled for a fully-private
    cluster` — a node in a public subnet of a cluster without internet routes cannot join.

    ## How to fix
    Turn on private endpoint access (or leave public access on), and set
    `privateNetworking: true` on every node group of a fully-private cluster.

    ## Example
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    availabilityZones: [us-west-2a, us-west-2b]
    vpc:
      clusterEndpoints: {publicAccess: false}
    ```
    Use instead:
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    availabilityZones: [us-west-2a, us-west-2b]
    vpc:
      clusterEndpoints: {publicAccess: false, privateAccess: true}
    ```

    ## References
    - `reference/eksctl.md` § 3.6 E1, P1 (eksctl's checks), § 4.1 (endpoint defaults).
    """
    for cc in ctx.cluster_configs:
        public, private, block = _endpoints(cc)
        if block is not None and not public and not private and not is_fully_private(cc):
            where = block.loc("publicAccess") if "publicAccess" in block else block.loc("privateAccess")
            yield Violation(
                f"cluster {cc.name} has neither public nor private API endpoint access",
                where,
                "Set vpc.clusterEndpoints.privateAccess: true, or leave public access on.",
            )
        if is_fully_private(cc):
            for group in cc.node_groups():
                if not group_is_private(group):
                    where = group.data.loc("privateNetworking") if "privateNetworking" in group.data \
                        else group.data.loc("name")
                    yield Violation(
                        f"{group.label} of fully-private cluster {cc.name} does not set privateNetworking: true",
                        where,
                        f"Set privateNetworking: true on {group.label}.",
                        (Related(cc.loc("privateCluster", "enabled"), "privateCluster.enabled"),),
                    )


@rule("CTL007", "duplicate-addon", Severity.WARNING)
def duplicate_addon(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """The same add-on listed twice under `addons`.

    ## What it does
    Reports the second and later entries of an add-on name under `addons`, with the first as
    related location.

    ## Why it matters
    eksctl creates the add-on from the first entry; for the second it finds the add-on present
    and skips it, so that entry's `version`, `configurationValues` and IAM settings are never
    applied — a prefix-delegation or custom-networking setting there silently does nothing.

    ## How to fix
    Merge the two entries into one.

    ## Example
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    availabilityZones: [us-west-2a, us-west-2b]
    addons:
      - name: coredns
      - name: coredns
        version: latest
    ```
    Use instead:
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    availabilityZones: [us-west-2a, us-west-2b]
    addons:
      - name: coredns
        version: latest
    ```

    ## References
    - `reference/eksctl.md` § 3.8 A16 and "Not checked by eksctl" (duplicate add-on names).
    """
    for cc in ctx.cluster_configs:
        first: dict[str, Location] = {}
        for name, entry in addons(cc):
            if name in first:
                yield Violation(
                    f"add-on {name} is listed twice: this entry's settings are never applied",
                    entry.loc("name"),
                    f"Merge the two {name} entries into one.",
                    (Related(first[name], f"first {name} entry"),),
                )
            else:
                first[name] = entry.loc("name")


@rule("CTL010", "public-access-cidrs-without-private-access", Severity.WARNING)
def public_access_cidrs_without_private_access(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """`vpc.publicAccessCIDRs` restricts the public endpoint while private endpoint access is off.

    ## What it does
    Reports `vpc.publicAccessCIDRs` without `0.0.0.0/0` when the public endpoint is on and
    `vpc.clusterEndpoints.privateAccess` is not true (fully-private and Outposts clusters use
    the private endpoint and are skipped).

    ## Why it matters
    Nodes then reach the API server through the public endpoint, from their NAT gateway or
    public addresses; unless those are in the list, node groups fail to join
    (`context deadline exceeded`).

    ## How to fix
    Turn on private endpoint access, or add the nodes' egress addresses to the list.

    ## Example
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    availabilityZones: [us-west-2a, us-west-2b]
    vpc:
      publicAccessCIDRs: [203.0.113.0/24]
    ```
    Use instead:
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    availabilityZones: [us-west-2a, us-west-2b]
    vpc:
      publicAccessCIDRs: [203.0.113.0/24]
      clusterEndpoints: {publicAccess: true, privateAccess: true}
    ```

    ## References
    - `reference/eksctl.md` § 3.6 E3 (eksctl docs: node groups fail to join), § 4.1 (endpoint defaults).
    """
    for cc in ctx.cluster_configs:
        vpc = vpc_map(cc)
        cidrs = known_strings(vpc.get("publicAccessCIDRs")) if vpc is not None else []
        if vpc is None or not cidrs or is_fully_private(cc) or is_outposts(cc):
            continue
        public, private, block = _endpoints(cc)
        if not public or private:
            continue
        if any(_is_everything(text) for text, _ in cidrs):
            continue
        related = (Related(block.loc("privateAccess"), "privateAccess"),) if block and "privateAccess" in block else ()
        yield Violation(
            f"vpc.publicAccessCIDRs ({', '.join(t for t, _ in cidrs)}) of cluster {cc.name} restricts the "
            "public endpoint while private endpoint access is off",
            vpc.key_loc("publicAccessCIDRs"),
            "Set vpc.clusterEndpoints.privateAccess: true, or add the nodes' egress addresses to publicAccessCIDRs.",
            related,
        )


def _is_everything(text: str) -> bool:
    try:
        return ip_network(text.strip(), strict=False).prefixlen == 0
    except ValueError:
        return False
