"""CTL005 and CTL009: where eksctl ignores or refuses ``maxPodsPerNode`` (reference/eksctl.md § 5.1)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eks_net_lint.context import ClusterContext
from eks_net_lint.findings import Related, Severity, Violation
from eks_net_lint.located import dig, dig_map, is_unknown, text_of
from eks_net_lint.registry import rule
from eks_net_lint.views import NodeGroup

from .common import int_value


def _max_pods_per_node(group: NodeGroup) -> int | None:
    return int_value(group.data.get("maxPodsPerNode"))


def _is_windows(group: NodeGroup) -> bool:
    family = text_of(group.data.get("amiFamily"))
    return family is not None and family.lower().startswith("windowsserver")


@rule("CTL005", "max-pods-ignored", Severity.WARNING)
def max_pods_ignored(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """A max-pods setting in an eksctl node group that never reaches kubelet.

    ## What it does
    Reports `maxPodsPerNode` on a managed Windows node group (eksctl writes only
    `preBootstrapCommands` into managed Windows user data), and, on a self-managed group,
    `kubeletExtraConfig.maxPods` that differs from `maxPodsPerNode` (eksctl passes
    `maxPodsPerNode` as the kubelet flag, which wins over the config file).

    ## Why it matters
    The node runs with another max pods than the file suggests: more pods than the ENIs can
    address (pods stuck in ContainerCreating), or fewer than planned.

    ## How to fix
    Remove the ignored value; set max pods once, with `maxPodsPerNode` (on managed Windows
    groups, through a launch template's bootstrap arguments).

    ## Example
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    availabilityZones: [us-west-2a, us-west-2b]
    nodeGroups:
      - name: ng-1
        instanceType: m5.large
        maxPodsPerNode: 20
        kubeletExtraConfig: {maxPods: 25}
    ```
    Use instead:
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    availabilityZones: [us-west-2a, us-west-2b]
    nodeGroups:
      - name: ng-1
        instanceType: m5.large
        maxPodsPerNode: 20
    ```

    ## References
    - `reference/eksctl.md` § 5.1 (what eksctl does with `maxPodsPerNode`, per AMI family).
    """
    for cc in ctx.cluster_configs:
        for group in cc.node_groups():
            per_node = _max_pods_per_node(group)
            if not per_node:
                continue
            if group.managed and _is_windows(group):
                yield Violation(
                    f"maxPodsPerNode {per_node} of {group.label} is ignored: managed Windows node groups "
                    f"({text_of(group.data.get('amiFamily'))}) get only preBootstrapCommands",
                    group.data.loc("maxPodsPerNode"),
                    "Remove maxPodsPerNode, and set max pods through a launch template instead.",
                )
            kubelet = int_value(dig(group.data, "kubeletExtraConfig", "maxPods"))
            if not group.managed and kubelet is not None and kubelet != per_node:
                extra = dig_map(group.data, "kubeletExtraConfig")
                assert extra is not None
                yield Violation(
                    f"kubeletExtraConfig.maxPods {kubelet} of {group.label} is ignored: maxPodsPerNode "
                    f"{per_node} becomes the kubelet flag, which wins",
                    extra.loc("maxPods"),
                    "Remove kubeletExtraConfig.maxPods and keep maxPodsPerNode only.",
                    (Related(group.data.loc("maxPodsPerNode"), f"maxPodsPerNode {per_node}"),),
                )


@rule("CTL009", "max-pods-not-allowed", Severity.ERROR)
def max_pods_not_allowed(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """`maxPodsPerNode` that eksctl refuses: negative, or on a managed group with a custom AMI or launch template.

    ## What it does
    Reports a negative `maxPodsPerNode` on any node group, and any `maxPodsPerNode` on a managed
    node group that also sets a custom `ami` or a `launchTemplate`.

    ## Why it matters
    eksctl refuses the whole file: `maxPodsPerNode cannot be negative`, `maxPodsPerNode is not
    supported when using a custom AMI`, or `cannot set … maxPodsPerNode … in managedNodeGroup when
    a launch template is supplied`.

    ## How to fix
    Remove `maxPodsPerNode` there and set max pods in the AMI's bootstrap (the
    `overrideBootstrapCommand`, or the launch template's user data), or use a non-negative value.

    ## Example
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    availabilityZones: [us-west-2a, us-west-2b]
    managedNodeGroups:
      - name: ng-1
        launchTemplate: {id: lt-0a1b2c3d4e5f60718, version: "2"}
        maxPodsPerNode: 20
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
        launchTemplate: {id: lt-0a1b2c3d4e5f60718, version: "2"}
    ```

    ## References
    - `reference/eksctl.md` § 3.7 N2, M5, M9 (eksctl's checks and messages).
    """
    for cc in ctx.cluster_configs:
        for group in cc.node_groups():
            per_node = _max_pods_per_node(group)
            if per_node is None:
                continue
            where = group.data.loc("maxPodsPerNode")
            if per_node < 0:
                yield Violation(
                    f"maxPodsPerNode {per_node} of {group.label} is negative",
                    where,
                    "Use a positive maxPodsPerNode, or remove it.",
                )
                continue
            if not group.managed or per_node == 0:
                continue
            ami = text_of(group.data.get("ami"))
            if ami and not is_unknown(ami):
                yield Violation(
                    f"maxPodsPerNode {per_node} of {group.label} is not supported with the custom AMI {ami}",
                    where,
                    "Remove maxPodsPerNode and set max pods in overrideBootstrapCommand.",
                    (Related(group.data.loc("ami"), f"custom AMI {ami}"),),
                )
            elif dig_map(group.data, "launchTemplate") is not None:
                yield Violation(
                    f"maxPodsPerNode {per_node} of {group.label} cannot be set with a launchTemplate",
                    where,
                    "Remove maxPodsPerNode and set max pods in the launch template's user data.",
                    (Related(group.data.key_loc("launchTemplate"), "launchTemplate"),),
                )
