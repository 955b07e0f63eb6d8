"""CNI and the nodes: prefix delegation and security groups for pods against node-group instance types."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eks_net_lint.context import ClusterContext
from eks_net_lint.findings import Location, Related, Severity, Violation
from eks_net_lint.instances import lookup
from eks_net_lint.nodepods import NodePool
from eks_net_lint.registry import rule

from .common import ipv6_source, stated_true


def _instance_types(ctx: ClusterContext) -> Iterator[tuple[str, Location, str]]:
    """(type, where, which group) for every eksctl node group and Karpenter NodePool requirement."""
    for cc in ctx.cluster_configs:
        for group in cc.node_groups():
            for itype, where in group.instance_types():
                yield itype, where, group.label
    for pool in ctx.of(NodePool):
        for itype, where in pool.instance_types():
            yield itype, where, f"NodePool {pool.name}"


@rule("CNI005", "prefix-delegation-unsupported", Severity.WARNING)
def prefix_delegation_unsupported(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """Prefix delegation on in an IPv4 cluster with node groups of non-Nitro, non-bare-metal instance types.

    ## What it does
    In a cluster (eksctl ClusterConfig or `clusters:` entry) where `ENABLE_PREFIX_DELEGATION` is
    true and the cluster is IPv4, reports each node-group instance type whose hypervisor is not
    Nitro and that is not bare metal (bundled instance data). It points at the setting, with the
    instance type as a related location. The version gate is CNI008's; IPv6 on such types is
    CNI006's.

    ## Why it matters
    Prefix delegation needs Nitro: on those nodes ipamd silently falls back to secondary IPs, so
    they get far fewer pods than the max-pods setting assumes and pods stay Pending or in
    ContainerCreating.

    ## How to fix
    Use Nitro instance types in the node group, or leave prefix delegation off.

    ## Example
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    addons:
      - name: vpc-cni
        configurationValues: '{"env": {"ENABLE_PREFIX_DELEGATION": "true", "WARM_PREFIX_TARGET": "1"}}'
    managedNodeGroups:
      - name: ng-1
        instanceType: m4.large
    ```
    Use instead:
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    addons:
      - name: vpc-cni
        configurationValues: '{"env": {"ENABLE_PREFIX_DELEGATION": "true", "WARM_PREFIX_TARGET": "1"}}'
    managedNodeGroups:
      - name: ng-1
        instanceType: m5.large
    ```

    ## References
    - `reference/vpc-cni.md` § 2 X03, X15; `reference/max-pods.md` § 2 (the Nitro gate).
    """
    if not ctx.is_cluster:
        return
    for scope in ctx.cni.scopes:
        pd = scope.effective("ENABLE_PREFIX_DELEGATION")
        if not stated_true(pd) or ipv6_source(ctx, scope)[0] or pd.value is None:
            continue
        for itype, where, group in _instance_types(ctx):
            data = lookup(itype)
            if data is None or data.hypervisor is None:
                ctx.note_skip("CNI005", f"no hypervisor data for instance type {itype}")
                continue
            if data.nitro or data.bare_metal is not False:
                continue
            yield Violation(f"prefix delegation is on but {group} uses {itype} ({data.hypervisor}, not Nitro): "
                            "those nodes silently stay in secondary-IP mode", pd.value.location,
                            f"Use a Nitro instance type instead of {itype}, or turn prefix delegation off.",
                            (Related(where, f"{itype} in {group}"),))


@rule("CNI018", "pod-sg-instance-not-trunking", Severity.WARNING)
def pod_sg_instance_not_trunking(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """Security groups for pods on instance types that cannot take a trunk ENI.

    ## What it does
    In a cluster with `ENABLE_POD_ENI` true, reports each instance type of an eksctl node group
    (`instanceType`, `instanceTypes`, `instancesDistribution`) or a Karpenter NodePool
    requirement that the bundled instance data marks as not trunking-compatible (for example
    `t3.large`), at the instance type, with the setting as a related location.

    ## Why it matters
    Pods selected by a SecurityGroupPolicy need a branch ENI on a trunk ENI; on those nodes they
    cannot be scheduled or never get their security groups.

    ## How to fix
    Run pods with security groups on trunking-compatible (most Nitro, non-`t`) instance types,
    for example in a dedicated node group.

    ## Example
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    addons:
      - name: vpc-cni
        configurationValues: '{"env": {"ENABLE_POD_ENI": "true", "POD_SECURITY_GROUP_ENFORCING_MODE": "standard"}}'
    managedNodeGroups:
      - name: ng-1
        instanceType: t3.large
    ```
    Use instead:
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    addons:
      - name: vpc-cni
        configurationValues: '{"env": {"ENABLE_POD_ENI": "true", "POD_SECURITY_GROUP_ENFORCING_MODE": "standard"}}'
    managedNodeGroups:
      - name: ng-1
        instanceType: m5.large
    ```

    ## References
    - `reference/vpc-cni.md` § 2 X18 (trunking data: `../upstream/instance-types.csv`).
    """
    if not ctx.is_cluster:
        return
    for scope in ctx.cni.scopes:
        pod_eni = scope.effective("ENABLE_POD_ENI")
        if not stated_true(pod_eni) or pod_eni.value is None:
            continue
        for itype, where, group in _instance_types(ctx):
            data = lookup(itype)
            if data is None or data.trunking_compatible is None:
                ctx.note_skip("CNI018", f"no trunking data for instance type {itype}")
            elif data.trunking_compatible is False:
                yield Violation(f"{group} uses {itype}, which cannot take a trunk ENI, while ENABLE_POD_ENI is true: "
                                "pods with security groups cannot run there", where,
                                f"Use a trunking-compatible instance type instead of {itype} for pods with security groups.",
                                (Related(pod_eni.value.location, "ENABLE_POD_ENI set here"),))
