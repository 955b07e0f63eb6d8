"""PODS004: node groups left at a default max pods that custom networking cannot serve."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eks_net_lint.context import ClusterContext
from eks_net_lint.findings import Related, Severity, Violation
from eks_net_lint.maxpods import default_max_pods
from eks_net_lint.nodepods import MANAGED, SELF_MANAGED, pods_groups
from eks_net_lint.registry import rule

from .mode import cluster_mode, figures_of


@rule("PODS004", "default-max-pods-overcommits", Severity.WARNING)
def default_max_pods_overcommits(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """Custom networking on and a node group left at a default max pods its ENIs cannot serve.

    ## What it does
    With custom networking on (`AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG=true`), reports each eksctl
    node group with no configured max pods whose default max pods exceeds the custom-networking
    figure of its instance type. The default is the uncapped secondary-IP figure
    (`eni-max-pods.txt`, nodeadm) for self-managed AL2 and AL2023 groups, and that figure capped
    at 110/250 for managed groups without a custom AMI. Other AMI families, custom AMIs of
    managed groups, groups that pass `--use-max-pods false` and Karpenter NodePools are not
    judged. It needs the cluster's files together (ctx).

    ## Why it matters
    Neither bootstrap.sh nor nodeadm knows about custom networking: an m5.large gets max pods
    29 while only 20 addresses exist, and the extra pods hang in `ContainerCreating`.

    ## How to fix
    Set `maxPodsPerNode` to the custom-networking figure (`eks-net-lint max-pods TYPE
    --custom-networking`), or turn on prefix delegation.

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
    - `reference/max-pods.md` § 2 "Other producers" (bootstrap.sh and nodeadm are uncapped and ignore custom networking), § 7.
    - `reference/vpc-and-eniconfig.md` § e (29 scheduled against 20 addresses on m5.large).
    """
    mode = cluster_mode(ctx)
    if not ctx.is_cluster or isinstance(mode, str) or mode.custom_networking is None:
        if ctx.is_cluster and isinstance(mode, str):
            ctx.note_skip("PODS004", mode)
        return
    for group in pods_groups(ctx):
        managed = group.producer == MANAGED
        if group.max_pods or group.producer not in (MANAGED, SELF_MANAGED) or not group.amazon_linux \
                or group.default_disabled or (managed and group.custom_ami):
            continue
        over = []
        for ref, result in figures_of(group, mode.cni):
            default = default_max_pods(ref.name, managed=managed)
            if default is not None and default > result.eni_limited:
                over.append((ref, default, result))
        if not over:
            continue
        listed = ", ".join(f"{d} for {ref.name} against the {r.eni_limited} its ENIs give" for ref, d, r in over)
        reachable = min(r.eni_limited for _ref, _d, r in over)
        yield Violation(
            f"{group.label} sets no max pods: the default is {listed} {mode.describe()}{mode.assumption()}",
            group.anchor,
            f"Set maxPodsPerNode to {reachable}, or turn on prefix delegation.",
            related=tuple(Related(ref.location, f"{ref.name}: {r.formula}") for ref, _d, r in over) + mode.related(),
        )
