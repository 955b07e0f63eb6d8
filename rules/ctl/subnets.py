"""CTL008: the subnet fields of an eksctl ClusterConfig that contradict each other."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eks_net_lint.aws.ids import is_subnet_id
from eks_net_lint.context import ClusterContext
from eks_net_lint.findings import Related, Severity, Violation
from eks_net_lint.located import dig_list, is_unknown, text_of
from eks_net_lint.registry import rule
from eks_net_lint.views import ClusterConfig, NodeGroup

from .common import SubnetEntry, group_is_private, key_at, subnet_entries, vpc_map


def _lookup(name: str, entries: list[SubnetEntry], kind: str) -> SubnetEntry | None:
    """eksctl's lookup order: key, then ``id``, in the group's own kind, then in the other (§ 3.9)."""
    other = "public" if kind == "private" else "private"
    for access in (kind, other):
        for match in (lambda e: e.key == name, lambda e: e.subnet_id == name):
            for entry in entries:
                if entry.access == access and match(entry):
                    return entry
    return None


def _group_subnets(cc: ClusterConfig, group: NodeGroup, entries: list[SubnetEntry]) -> Iterator[Violation]:
    kind = "private" if group_is_private(group) else "public"
    for name, loc in group.subnets():
        if is_unknown(name):
            continue
        entry = _lookup(name, entries, kind)
        if entry is None:
            if not is_subnet_id(name):
                known = ", ".join(sorted({e.key for e in entries})) or "none"
                yield Violation(
                    f"{group.label} subnet {name} is neither a key or id under vpc.subnets ({known}) "
                    "nor a subnet ID (subnet- and 8 or 17 hex digits)",
                    loc,
                    "Name a key of vpc.subnets, or a real subnet ID.",
                )
        elif entry.access == "private" and kind == "public":
            yield Violation(
                f"{group.label} uses the private subnet {name} without privateNetworking: true",
                loc,
                f"Set privateNetworking: true on {group.label}, or use a public subnet.",
                (Related(entry.key_location, f"{entry.key} is listed under vpc.subnets.private"),),
            )


@rule("CTL008", "subnet-spec-inconsistent", Severity.ERROR)
def subnet_spec_inconsistent(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """Subnet fields of an eksctl ClusterConfig that contradict each other or cannot be resolved.

    ## What it does
    Reports `vpc.subnets` together with top-level `availabilityZones`; a node group `subnets`
    entry that is neither a key nor an `id` under `vpc.subnets` nor shaped like a subnet ID; a
    private subnet used by a group without `privateNetworking: true`; a node group with both
    `subnets` and `availabilityZones`; `vpc.id` without `vpc.subnets`; and a subnet entry with
    no `id` (only `cidr` or `az`, or an AZ key alone) while `vpc.id` is not set.

    ## Why it matters
    eksctl refuses these (`vpc.subnets and availabilityZones cannot be set at the same time`,
    `only one of subnets or availabilityZones should be set`, `subnet … is specified as private
    in ClusterConfig, thus must only be used when privateNetworking is enabled`,
    `can't describe subnet by CIDR without VPC ID`), or, for `vpc.id` without subnets, mixes a
    pre-existing VPC with subnets it invents.

    ## How to fix
    Choose one way to place the cluster (zones or subnets), refer to subnets by their
    `vpc.subnets` key or real ID, and give `vpc.id` whenever subnets are found by CIDR or zone.

    ## Example
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    vpc:
      subnets:
        private:
          us-west-2a: {id: subnet-0a1b2c3d4e5f60718}
          us-west-2b: {id: subnet-0a1b2c3d4e5f60719}
    managedNodeGroups:
      - name: ng-1
        subnets: [us-west-2a]
    ```
    Use instead:
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    vpc:
      subnets:
        private:
          us-west-2a: {id: subnet-0a1b2c3d4e5f60718}
          us-west-2b: {id: subnet-0a1b2c3d4e5f60719}
    managedNodeGroups:
      - name: ng-1
        privateNetworking: true
        subnets: [us-west-2a]
    ```

    ## References
    - `reference/eksctl.md` § 3.5 Z2, § 3.7 N3, § 3.9 (node-group subnet lookup), § 2.3 (`vpc.id`),
      § 2.4 (subnet maps).
    """
    for cc in ctx.cluster_configs:
        entries = subnet_entries(ctx, cc)
        vpc = vpc_map(cc)
        if entries and dig_list(cc.data, "availabilityZones"):
            yield Violation(
                f"cluster {cc.name} sets both vpc.subnets and availabilityZones",
                key_at(cc.data, "availabilityZones"),
                "Remove availabilityZones: eksctl takes the zones from vpc.subnets.",
                (Related(key_at(cc.data, "vpc", "subnets"), "vpc.subnets"),),
            )
        vpc_id = text_of(vpc.get("id")) if vpc is not None else None
        if vpc_id and not entries:
            yield Violation(
                f"vpc.id {vpc_id} of cluster {cc.name} is set without vpc.subnets",
                cc.loc("vpc", "id"),
                "List the VPC's subnets under vpc.subnets.private and/or vpc.subnets.public.",
            )
        if not vpc_id and vpc is not None and "id" not in vpc:
            for entry in entries:
                if not entry.subnet_id and "id" not in entry.spec:
                    yield Violation(
                        f"subnet {entry.key} under vpc.subnets.{entry.access} has no id and vpc.id is not set: "
                        "eksctl can only find it by CIDR or zone inside a given VPC",
                        entry.key_location,
                        "Give the subnet's id, or set vpc.id.",
                    )
        for group in cc.node_groups():
            if group.subnets() and group.availability_zones():
                yield Violation(
                    f"{group.label} sets both subnets and availabilityZones",
                    key_at(group.data, "subnets"),
                    f"Keep only one of subnets and availabilityZones on {group.label}.",
                    (Related(key_at(group.data, "availabilityZones"), "availabilityZones"),),
                )
            yield from _group_subnets(cc, group, entries)
