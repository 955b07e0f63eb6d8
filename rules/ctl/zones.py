"""CTL zones: how many zones a cluster spans, whether they are in its region, and node-group coverage."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eks_net_lint.aws.regions import is_region_name
from eks_net_lint.aws.zones import in_region, looks_like_zone
from eks_net_lint.context import ClusterContext
from eks_net_lint.findings import Location, Related, Severity, Violation
from eks_net_lint.located import is_unknown, text_of
from eks_net_lint.registry import rule
from eks_net_lint.views import ClusterConfig

from .common import group_is_private, key_at, is_outposts, known_strings, subnet_entries, vpc_map, zone_entries


@rule("CTL001", "too-few-zones", Severity.ERROR)
def too_few_zones(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """An eksctl cluster whose availability zones or subnets cover fewer than two distinct zones.

    ## What it does
    Counts the distinct zones of the top-level `availabilityZones`, and separately the zones of
    the `vpc.subnets` entries (their `az`, else an AZ-shaped key, else the zone a saved
    inventory or the `clusters:` config gives for the subnet ID). Reports fewer than two. It is
    silent when eksctl picks the zones itself (neither field set), when the zone of any subnet
    entry is unknown (an ID-only subnet under an alias key), and for Outposts clusters.

    ## Why it matters
    EKS creates a cluster only with subnets in at least two availability zones; eksctl rejects
    a single `availabilityZones` entry (`only 1 zone(s) specified`), and two entries naming the
    same zone fail later, when EKS is called.

    ## How to fix
    List at least two different availability zones of the cluster's region, or give subnets in
    two zones.

    ## Example
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    availabilityZones: [us-west-2a]
    ```
    Use instead:
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    availabilityZones: [us-west-2a, us-west-2b]
    ```

    ## References
    - `reference/eksctl.md` § 3.5 Z1 (eksctl's check), § 2.4 (subnet keys and `az`).
    - `reference/vpc-and-eniconfig.md` § a.6 (EKS needs subnets in two AZs).
    """
    for cc in ctx.cluster_configs:
        if is_outposts(cc):
            continue
        listed = known_strings(cc.data.get("availabilityZones"))
        if listed:
            zones = sorted({z for z, _ in listed})
            if len(zones) < 2:
                yield Violation(
                    f"availabilityZones of cluster {cc.name} names only {len(zones)} distinct zone "
                    f"({', '.join(zones)}): EKS needs subnets in at least 2",
                    key_at(cc.data, "availabilityZones"),
                    "List at least two different availability zones of the cluster's region.",
                )
        entries = subnet_entries(ctx, cc)
        if entries and all(e.zone and not is_unknown(e.zone) for e in entries):
            zones = sorted({str(e.zone) for e in entries})
            if len(zones) < 2:
                yield Violation(
                    f"vpc.subnets of cluster {cc.name} lie in only {len(zones)} zone ({', '.join(zones)}): "
                    "EKS needs subnets in at least 2 availability zones",
                    key_at(cc.data, "vpc", "subnets"),
                    "Add subnets in a second availability zone to vpc.subnets.",
                )


def _zone_sites(ctx: ClusterContext, cc: ClusterConfig) -> Iterator[tuple[str, str, Location]]:
    """(zone, where it is written, location) of every zone a ClusterConfig names."""
    for field in ("availabilityZones", "localZones"):
        for zone, loc in zone_entries(cc.data, field):
            yield zone, field, loc
    for entry in subnet_entries(ctx, cc):
        az = text_of(entry.spec.get("az"))
        if az and not is_unknown(az):
            yield az, f"vpc.subnets.{entry.access}.{entry.key}.az", entry.spec.loc("az")
        elif "az" not in entry.spec and entry.zone == entry.key and looks_like_zone(entry.key):
            yield entry.key, f"vpc.subnets.{entry.access} key", entry.key_location
    for group in cc.node_groups():
        for field in ("availabilityZones", "localZones"):
            for zone, loc in zone_entries(group.data, field):
                yield zone, f"{group.label} {field}", loc


@rule("CTL002", "zone-not-in-region", Severity.ERROR)
def zone_not_in_region(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """A zone in an eksctl ClusterConfig that does not belong to the cluster's region.

    ## What it does
    Checks every entry of `availabilityZones`, `localZones`, each subnet `az` (or AZ-shaped key
    of `vpc.subnets`) and each node group's `availabilityZones` and `localZones` against
    `metadata.region` with the zone-membership test: an AZ is the region plus one letter
    (`us-west-2a`), a Local Zone the region plus `-<location>-<n><letter>` (`us-west-2-lax-1a`),
    a Wavelength Zone the region plus `-wl<n>-<city>-wlz-<n>`. A plain prefix test is not used
    (`us-east-1` is a prefix of `us-east-11a`).

    ## Why it matters
    A zone of another region (a copy-paste from another cluster) makes eksctl fail when it
    looks up the zone or its subnets, after other resources may already have been created.

    ## How to fix
    Use zones of the cluster's region, or correct `metadata.region`.

    ## Example
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    availabilityZones: [us-east-1a, us-west-2b]
    ```
    Use instead:
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    availabilityZones: [us-west-2a, us-west-2b]
    ```

    ## References
    - `reference/vpc-and-eniconfig.md` § c.2 (zone names and the membership test), § c.1 (regions).
    - `reference/eksctl.md` § 2.1, § 2.4 (zone fields).
    """
    for cc in ctx.cluster_configs:
        region = cc.region
        if not region or is_unknown(region) or not is_region_name(region):
            continue
        for zone, where, loc in _zone_sites(ctx, cc):
            if not in_region(zone, region):
                yield Violation(
                    f"zone {zone} in {where} is not a zone of region {region}",
                    loc,
                    f"Use a zone of {region} (such as {region}a), or correct metadata.region.",
                    (Related(cc.loc("metadata", "region"), f"region {region}"),),
                )


@rule("CTL003", "nodegroup-zone-outside-cluster", Severity.ERROR)
def nodegroup_zone_outside_cluster(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """A node group zone or subnet that the cluster's VPC and subnets do not cover.

    ## What it does
    For an eksctl-created VPC (top-level `availabilityZones`, no `vpc.subnets`), reports a node
    group `availabilityZones` entry that is not a cluster zone, and a node group `localZones`
    entry missing from the cluster's `localZones`. With `vpc.subnets`, reports a node group
    zone that has no subnet of the group's kind (private when `privateNetworking: true`, else
    public). With subnet facts from a saved inventory or the `clusters:` config, reports a
    node group subnet ID that lies in another VPC than the cluster's. It is silent when eksctl
    picks the cluster's zones itself, or when a subnet's zone is unknown.

    ## Why it matters
    eksctl creates subnets only in the cluster's zones and places a group only in subnets of
    its kind: it fails with `mapping does not have subnet with zone "<z>"`, or
    `subnet with ID "<id>" is not in the attached VPC`, after the control plane was created.

    ## How to fix
    Add the zone to the cluster (or a subnet of the right kind in it), or move the node group
    to a zone and subnets the cluster has.

    ## Example
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    availabilityZones: [us-west-2a, us-west-2b]
    managedNodeGroups:
      - name: ng-1
        availabilityZones: [us-west-2c]
    ```
    Use instead:
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    availabilityZones: [us-west-2a, us-west-2b]
    managedNodeGroups:
      - name: ng-1
        availabilityZones: [us-west-2b]
    ```

    ## References
    - `reference/eksctl.md` § 3.9 (subnet selection for node groups), § 2.4 (subnet maps).
    """
    for cc in ctx.cluster_configs:
        if is_outposts(cc):
            continue
        entries = subnet_entries(ctx, cc)
        cluster_azs = known_strings(cc.data.get("availabilityZones"))
        cluster_lzs = {z for z, _ in zone_entries(cc.data, "localZones")}
        cluster_vpc = ctx.vpc.vpc_id or text_of((vpc_map(cc) or {}).get("id"))
        for group in cc.node_groups():
            zones = group.availability_zones()
            if entries:
                kind = "private" if group_is_private(group) else "public"
                own = [e for e in entries if e.access == kind]
                if all(e.zone and not is_unknown(e.zone) for e in own):
                    covered = sorted({str(e.zone) for e in own})
                    for zone, loc in zones:
                        if zone not in covered and not is_unknown(zone):
                            yield Violation(
                                f"{group.label} zone {zone} has no {kind} subnet in vpc.subnets "
                                f"({kind} subnets are in: {', '.join(covered) or 'none'})",
                                loc,
                                f"Add a {kind} subnet in {zone} to vpc.subnets, or use a zone that has one.",
                            )
            elif cluster_azs:
                names = sorted({z for z, _ in cluster_azs})
                for zone, loc in zones:
                    if zone not in names and not is_unknown(zone):
                        yield Violation(
                            f"{group.label} zone {zone} is not one of the cluster's availabilityZones "
                            f"({', '.join(names)})",
                            loc,
                            f"Add {zone} to the cluster's availabilityZones, or use one of them.",
                            (Related(key_at(cc.data, "availabilityZones"), "the cluster's zones"),),
                        )
            if cluster_lzs and not entries:
                for zone, loc in zone_entries(group.data, "localZones"):
                    if zone not in cluster_lzs:
                        yield Violation(
                            f"{group.label} local zone {zone} is not one of the cluster's localZones "
                            f"({', '.join(sorted(cluster_lzs))})",
                            loc,
                            f"Add {zone} to the cluster's localZones, or use one of them.",
                        )
            if cluster_vpc:
                for subnet, loc in group.subnets():
                    fact = ctx.subnets.get(subnet)
                    if fact is not None and fact.vpc_id and fact.vpc_id != cluster_vpc:
                        related = (Related(fact.location, f"{subnet} is in {fact.vpc_id} ({fact.origin})"),) \
                            if fact.location is not None else ()
                        yield Violation(
                            f"{group.label} subnet {subnet} is in {fact.vpc_id}, not the cluster VPC {cluster_vpc}",
                            loc,
                            "Use a subnet of the cluster VPC for the node group.",
                            related,
                        )
