"""PODS001, PODS002, PODS005: configured max pods against ENI capacity and the EKS guidance."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from eks_net_lint.context import ClusterContext
from eks_net_lint.findings import Related, Severity, Violation
from eks_net_lint.maxpods import LARGE_CAP, SMALL_CAP, CniMode
from eks_net_lint.nodepods import pods_groups
from eks_net_lint.registry import rule

from .mode import capacity_groups, cluster_mode, figures_of, related_of, vcpus_of


@rule("PODS001", "max-pods-exceeds-eni-capacity", Severity.ERROR)
def max_pods_exceeds_eni_capacity(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """A configured max pods above what the instance type's ENIs can address in the cluster's CNI mode.

    ## What it does
    Computes, for each instance type of a node group (eksctl `instanceType`, `instanceTypes`,
    `instancesDistribution.instanceTypes`) or Karpenter NodePool (`node.kubernetes.io/instance-type`
    `In` values), how many pods its default network card's ENIs can address in the cluster's
    effective VPC CNI mode: `ENIs x (IPv4 per ENI - 1) + 2`, one ENI fewer with custom networking,
    16 addresses per slot with prefix delegation, ENIs capped by `MAX_ENI`. It reports each
    configured max pods (`maxPodsPerNode`, `kubeletExtraConfig.maxPods`, `--max-pods` in
    `overrideBootstrapCommand`, `preBootstrapCommands` or `--kubelet-extra-args`, nodeadm
    `kubelet.config.maxPods` or `--max-pods` flags, also in MIME user data, Karpenter
    `EC2NodeClass` `spec.kubelet.maxPods`) that is above that figure for every type of the group.
    A group whose types differ and which over-commits only some of them is PODS005's. Instance
    types no file states, IPv6 clusters and Windows nodes are not checked.

    ## Why it matters
    The kubelet schedules up to max pods, but every pod needs an address from the node's ENIs.
    The pods above the ENI figure stay in `ContainerCreating` with "failed to assign an IP
    address to container". Custom networking takes the primary ENI away from pods: m5.large
    drops from 29 to 20.

    ## How to fix
    Set max pods to the figure `eks-net-lint max-pods TYPE` prints for your mode, or turn on
    prefix delegation (VPC CNI 1.9+, Nitro instances) to give each ENI slot a /28 prefix.

    ## Example
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata:
      name: prod
      region: us-west-2
    iam:
      withOIDC: true
    addons:
      - name: vpc-cni
        configurationValues: '{"env": {"AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": "true"}}'
    managedNodeGroups:
      - name: ng-1
        instanceType: m5.large
        maxPodsPerNode: 29
    ```
    Use instead:
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata:
      name: prod
      region: us-west-2
    iam:
      withOIDC: true
    addons:
      - name: vpc-cni
        configurationValues: '{"env": {"AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": "true"}}'
    managedNodeGroups:
      - name: ng-1
        instanceType: m5.large
        maxPodsPerNode: 20
    ```

    ## References
    - `reference/max-pods.md` § 2 (the calculator's formulas), § 4 (default network card only), § 5 (worked examples).
    - `reference/vpc-cni.md` § X11 (`MAX_ENI`), § X15 (prefix delegation needs Nitro and CNI 1.9).
    """
    for group, mode, value, figures in capacity_groups(ctx, "PODS001"):
        best = max(r.eni_limited for _ref, r in figures)
        if value.value <= best:
            continue
        if len(figures) == 1:
            ref, result = figures[0]
            reach = f"the {result.eni_limited} pods {ref.name} can address {mode.describe()}: {result.formula}"
        else:
            listed = ", ".join(f"{ref.name} {r.eni_limited}" for ref, r in figures)
            reach = f"what any instance type of {group.label} can address {mode.describe()}: {listed}"
        yield Violation(
            f"{value.field} {value.value} exceeds {reach}{mode.assumption()}",
            value.location,
            f"Set {value.field} to {best} or lower, or turn on prefix delegation for more addresses per ENI.",
            related=related_of(group, figures, mode),
        )


@dataclass(frozen=True, slots=True)
class GuidanceOptions:
    """Options of PODS002: the EKS guidance caps."""

    small_cap: int = field(default=SMALL_CAP, metadata={"doc": "Cap for instance types with 30 vCPUs or fewer."})
    large_cap: int = field(default=LARGE_CAP, metadata={"doc": "Cap for instance types with more than 30 vCPUs."})


@rule("PODS002", "max-pods-above-guidance", Severity.WARNING, options=GuidanceOptions)
def max_pods_above_guidance(ctx: ClusterContext, opts: GuidanceOptions) -> Iterator[Violation]:
    """A configured max pods above the EKS guidance: 110 up to 30 vCPUs, 250 above.

    ## What it does
    Reports a configured max pods (the places PODS001 reads) above the EKS guidance cap of an
    instance type of its group: 110 for types with 30 vCPUs or fewer, 250 for more than 30
    vCPUs. A type whose ENIs cannot reach the value at all is left to PODS001 and PODS005.
    Types without a bundled vCPU count (the `mac*` metal types, types only in
    `eni-max-pods.txt`) are not checked.

    ## Why it matters
    The caps are what managed node groups enforce without a custom AMI and what EKS recommends
    whether prefix delegation is on or not: with more pods per node, CPU and memory run out
    before addresses do, and kubelet and the container runtime slow down.

    ## How to fix
    Set max pods to the cap (or lower), or raise the cap in this rule's options if your nodes
    are sized and tested for it.

    ## Example
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata:
      name: prod
      region: us-west-2
    iam:
      withOIDC: true
    addons:
      - name: vpc-cni
        configurationValues: '{"env": {"ENABLE_PREFIX_DELEGATION": "true"}}'
    managedNodeGroups:
      - name: ng-1
        instanceType: c5.xlarge
        maxPodsPerNode: 150
    ```
    Use instead:
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata:
      name: prod
      region: us-west-2
    iam:
      withOIDC: true
    addons:
      - name: vpc-cni
        configurationValues: '{"env": {"ENABLE_PREFIX_DELEGATION": "true"}}'
    managedNodeGroups:
      - name: ng-1
        instanceType: c5.xlarge
        maxPodsPerNode: 110
    ```

    ## Options
    - `small-cap` (int, default 110): the cap for instance types with 30 vCPUs or fewer.
    - `large-cap` (int, default 250): the cap for instance types with more than 30 vCPUs.

    ## References
    - `reference/max-pods.md` § 2 "The 110/250 guidance in the EKS docs" (vCPUs > 30 → 250).
    - `reference/vpc-and-eniconfig.md` § e (set 110 rather than 290 on small instances).
    """
    found = cluster_mode(ctx)
    mode = None if isinstance(found, str) else found
    caps = {"small_cap": opts.small_cap, "large_cap": opts.large_cap}
    for group in pods_groups(ctx):
        if not group.max_pods:
            continue
        figures = figures_of(group, mode.cni if mode is not None else CniMode(), None, **caps)
        for value in group.max_pods:
            over = [(ref, r) for ref, r in figures if r.guidance_cap is not None and value.value > r.guidance_cap
                    and (mode is None or group.windows or value.value <= r.eni_limited)]
            if not over:
                continue
            cap = min(r.guidance_cap or 0 for _ref, r in over)
            listed = ", ".join(f"{ref.name} ({vcpus_of(ref.name)} vCPUs)" for ref, _r in over)
            yield Violation(
                f"{value.field} {value.value} is above the EKS guidance of {cap} pods for {listed}",
                value.location,
                f"Set {value.field} to {cap} or lower.",
                related=tuple(Related(ref.location, f"{ref.name}: cap {r.cap_rule}") for ref, r in over) + group.related,
            )


@rule("PODS005", "mixed-capacity-node-group", Severity.INFO)
def mixed_capacity_node_group(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """A group of instance types with different pod capacities and one max pods that over-commits the smallest.

    ## What it does
    For a node group or NodePool listing several instance types whose ENI figures differ in the
    cluster's mode, reports a configured max pods that is above the smallest figure but not
    above the largest (above every figure is PODS001).

    ## Why it matters
    One max pods applies to every node of the group. Nodes of the smaller types accept more pods
    than they have addresses for, and those pods hang in `ContainerCreating`; nodes of the larger
    types may be left under-used if the value is lowered instead.

    ## How to fix
    Split the group so that each holds types of equal capacity, or set max pods to the smallest
    figure.

    ## Example
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata:
      name: prod
      region: us-west-2
    iam:
      withOIDC: true
    managedNodeGroups:
      - name: ng-1
        instanceTypes: [m5.large, m5.xlarge]
        maxPodsPerNode: 58
    ```
    Use instead:
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata:
      name: prod
      region: us-west-2
    iam:
      withOIDC: true
    managedNodeGroups:
      - name: ng-1
        instanceTypes: [m5.xlarge, m5a.xlarge]
        maxPodsPerNode: 58
    ```

    ## References
    - `reference/max-pods.md` § 2 (per-type formulas), § 5 (worked examples).
    - `reference/eksctl.md` § 5.2 (the instance types of a node group).
    """
    for group, mode, value, figures in capacity_groups(ctx, "PODS005"):
        low = min(r.eni_limited for _ref, r in figures)
        high = max(r.eni_limited for _ref, r in figures)
        if low == high or not low < value.value <= high:
            continue
        short = [(ref, r) for ref, r in figures if r.eni_limited < value.value]
        listed = ", ".join(f"{ref.name} ({r.eni_limited})" for ref, r in short)
        yield Violation(
            f"{value.field} {value.value} over-commits {listed} in {group.label}, whose types reach {low} to {high} pods "
            f"{mode.describe()}{mode.assumption()}",
            value.location,
            f"Split {group.label} by instance capacity, or set {value.field} to {low}.",
            related=related_of(group, figures, mode),
        )
