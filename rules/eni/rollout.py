"""ENI rules about a change, compared with ``--diff-base`` (reference/vpc-and-eniconfig.md § b.3)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eks_net_lint.context import ClusterContext
from eks_net_lint.findings import Related, Severity, Violation
from eks_net_lint.located import LMap
from eks_net_lint.registry import rule

from .selection import CUSTOM_NETWORK


def _node_groups(ctx: ClusterContext) -> dict[str, str]:
    """Node group name → a fingerprint of what makes its nodes (a change replaces the nodes)."""
    groups = {}
    for cc in ctx.cluster_configs:
        for group in cc.node_groups():
            fingerprint = {k: v for k, v in group.data.items() if k not in ("labels", "tags", "desiredCapacity",
                                                                             "minSize", "maxSize")}
            groups[group.label] = repr(sorted((str(k), _plain(v)) for k, v in fingerprint.items()))
    return groups


def _plain(value: Any) -> Any:
    if isinstance(value, LMap):
        return sorted((str(k), _plain(v)) for k, v in value.items())
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


@rule("ENI011", "custom-networking-nodes-not-replaced", Severity.INFO)
def custom_networking_nodes_not_replaced(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """Custom networking switched on in this change while the node groups stay the same.

    ## What it does
    Runs when a git revision to compare with is given (`--diff-base HEAD`, as the pre-commit hook
    does). When `AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG` was not true at that revision and is true
    now, and every eksctl node group of the cluster is unchanged (same definition apart from
    labels, tags and sizes), reports the setting, naming the node groups.

    ## Why it matters
    Only nodes started after custom networking is on use the ENIConfig subnets; existing nodes
    keep handing out addresses from the node subnet until they are cordoned, drained and replaced.
    The change looks applied but does nothing for the running nodes.

    ## How to fix
    Plan the node replacement with the change: roll the node groups (or create new ones and
    delete the old) after the setting and the ENIConfigs are in place.

    ## Example
    ```yaml
    # before (at --diff-base):
    #  apiVersion: eksctl.io/v1alpha5
    #  kind: ClusterConfig
    #  metadata: {name: prod, region: us-west-2}
    #  iam: {withOIDC: true}
    #  addons:
    #    - name: vpc-cni
    #  managedNodeGroups:
    #    - name: ng-1
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    addons:
      - name: vpc-cni
        configurationValues: '{"env": {"AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": "true"}}'
    managedNodeGroups:
      - name: ng-1
    ```
    Use instead (new nodes come up with custom networking; the old group goes):
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    addons:
      - name: vpc-cni
        configurationValues: '{"env": {"AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": "true"}}'
    managedNodeGroups:
      - name: ng-2
    ```

    ## References
    - `reference/vpc-and-eniconfig.md` § b.3 (only nodes started after the change use it; existing
      nodes must be replaced).
    """
    previous = ctx.previous
    if not ctx.is_cluster or previous is None or not ctx.cni.is_true(CUSTOM_NETWORK):
        return
    if previous.cni.is_true(CUSTOM_NETWORK) or not previous.sources:
        return
    now, before = _node_groups(ctx), _node_groups(previous)
    if not now or now != before:
        return
    switch = ctx.cni.get(CUSTOM_NETWORK)
    assert switch is not None
    related = []
    for cc in ctx.cluster_configs:
        related.extend(Related(g.data.loc("name"), f"{g.label} unchanged") for g in cc.node_groups())
    yield Violation(
        f"custom networking is switched on while node groups {', '.join(sorted(now))} stay the same: "
        "their running nodes keep using the node subnet until replaced",
        switch.location,
        "Replace the existing nodes (roll or recreate the node groups) after this change is applied.",
        tuple(related),
    )
