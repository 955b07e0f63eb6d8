"""CNI IP family: the IPv4/IPv6 settings against each other, prefix delegation, custom networking."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eks_net_lint.cni_settings import INIT
from eks_net_lint.cni_version import CniVersion
from eks_net_lint.context import ClusterContext
from eks_net_lint.findings import Location, Related, Severity, Violation
from eks_net_lint.registry import rule
from eks_net_lint.settings import Effective, Scope

from .common import eksctl_ipv6, env_anchor, ipv6_source, shown, stated_true, version_of

IPV6_SINCE = CniVersion(1, 10, 0)
SGP_IPV6_SINCE = CniVersion(1, 16, 0)


def _loc(eff: Effective, fallback: Location | None) -> Location | None:
    return eff.value.location if eff.stated and eff.value is not None else fallback


def _self_managed(scope: Scope) -> bool:
    return not scope.managed and scope.complete


def _family_problem(scope: Scope, v4: Effective, v6: Effective) -> str | None:
    both = v4.is_true() and v6.is_true()
    neither = not v4.is_true() and not v6.is_true()
    if both:
        return f"ENABLE_IPv4 and ENABLE_IPv6 are both true ({shown(v4)}, {shown(v6)}): ipamd exits (dual stack is unsupported)"
    if neither:
        return f"ENABLE_IPv4 and ENABLE_IPv6 are both false ({shown(v4)}, {shown(v6)}): ipamd exits"
    return None


@rule("CNI006", "ip-family-mismatch", Severity.ERROR)
def ip_family_mismatch(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """IP-family settings of a self-managed aws-node that make ipamd exit.

    ## What it does
    Judges the effective settings of a self-managed aws-node (no managed vpc-cni add-on: a
    complete DaemonSet after patches, or Helm values over the chart defaults). It reports
    `ENABLE_IPv4` and `ENABLE_IPv6` both true or both false (an absent `ENABLE_IPv4` counts as
    false in a complete DaemonSet on v1.10.0 or later: the code default is false);
    `ENABLE_IPv6` true without prefix delegation; `ENABLE_IPv6` with `ENABLE_POD_ENI` on
    v1.10.0–v1.15.x; `ENABLE_IPv6` differing between aws-node and aws-vpc-cni-init; and, in an
    eksctl cluster, `ipFamily: IPv6` while `ENABLE_IPv6` is false, or IPv4 while it is true. The
    managed add-on is skipped: EKS sets its IP-family env from the cluster.

    ## Why it matters
    ipamd validates the family at start and exits; aws-node crash-loops and no pod on the node
    gets an address. Applying a new image over an old env list (which lacks `ENABLE_IPv4`) is the
    classic way to hit it.

    ## How to fix
    Set exactly one of `ENABLE_IPv4` and `ENABLE_IPv6` to "true", matching the cluster; with
    IPv6 also set `ENABLE_PREFIX_DELEGATION: "true"` and the init container's `ENABLE_IPv6`.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: aws-node, namespace: kube-system}
    spec:
      selector: {matchLabels: {k8s-app: aws-node}}
      template:
        spec:
          containers:
            - name: aws-node
              image: 602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.23.1
              livenessProbe: {timeoutSeconds: 10, exec: {command: [/app/grpc-health-probe, "-addr=unix:///var/run/aws-node/ipamd.sock"]}}
              readinessProbe: {timeoutSeconds: 10, exec: {command: [/app/grpc-health-probe, "-addr=unix:///var/run/aws-node/ipamd.sock"]}}
              resources: {requests: {cpu: 25m}}
              env:
                - {name: WARM_ENI_TARGET, value: "1"}
    ```
    Use instead:
    ```yaml
    apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: aws-node, namespace: kube-system}
    spec:
      selector: {matchLabels: {k8s-app: aws-node}}
      template:
        spec:
          containers:
            - name: aws-node
              image: 602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.23.1
              livenessProbe: {timeoutSeconds: 10, exec: {command: [/app/grpc-health-probe, "-addr=unix:///var/run/aws-node/ipamd.sock"]}}
              readinessProbe: {timeoutSeconds: 10, exec: {command: [/app/grpc-health-probe, "-addr=unix:///var/run/aws-node/ipamd.sock"]}}
              resources: {requests: {cpu: 25m}}
              env:
                - {name: ENABLE_IPv4, value: "true"}
                - {name: WARM_ENI_TARGET, value: "1"}
    ```

    ## References
    - `reference/vpc-cni.md` § 1.2 (`ENABLE_IPv4` code default false), § 2 X01–X04, § 6.1.
    """
    for scope in ctx.cni.scopes:
        if not _self_managed(scope):
            if scope.managed and scope.values:
                ctx.note_skip("CNI006", "the managed add-on sets the IP-family env from the cluster")
            continue
        version = version_of(scope)
        if version is not None and version < IPV6_SINCE:
            continue
        v4, v6 = scope.effective("ENABLE_IPv4"), scope.effective("ENABLE_IPv6")
        anchor = _loc(v6, _loc(v4, env_anchor(scope)))
        if anchor is None:
            continue
        if not v4.stated and version is None and scope.daemonsets and not scope.helm:
            v4 = Effective(v4.name, None, v4.origin)  # code default false applies only from v1.10.0
        problem = _family_problem(scope, v4, v6) if v4.text is not None else None
        if problem:
            yield Violation(problem, anchor, 'Set ENABLE_IPv4 "true" and ENABLE_IPv6 "false" (or the reverse for IPv6).',
                            tuple(Related(e.value.location, f"{e.name} set here") for e in (v4, v6) if e.stated and e.value))
        if v6.is_true():
            yield from _ipv6_needs(scope, v6, anchor, version)
        yield from _cluster_family(ctx, scope, v6, anchor)


def _ipv6_needs(scope: Scope, v6: Effective, anchor: Location, version: CniVersion | None) -> Iterator[Violation]:
    pd, pod_eni = scope.effective("ENABLE_PREFIX_DELEGATION"), scope.effective("ENABLE_POD_ENI")
    if not pd.is_true():
        yield Violation(f"ENABLE_IPv6 is true without prefix delegation ({shown(pd)}): ipamd exits",
                        anchor, 'Set ENABLE_PREFIX_DELEGATION to "true" with ENABLE_IPv6.')
    if pod_eni.is_true() and version is not None and IPV6_SINCE <= version < SGP_IPV6_SINCE:
        yield Violation(f"ENABLE_IPv6 with ENABLE_POD_ENI=true on {version}: ipamd exits (security groups for pods "
                        "in IPv6 need v1.16.0)", anchor, "Upgrade the VPC CNI to v1.16.0 or later, or turn ENABLE_POD_ENI off.")
    has_init = any(n.container(INIT) for n in scope.daemonsets) or bool(scope.helm)
    init = scope.effective("ENABLE_IPv6", INIT)
    if has_init and init.text is not None and not init.is_true():
        yield Violation(f"ENABLE_IPv6 is true on aws-node but {shown(init)} on aws-vpc-cni-init: both must match",
                        anchor, 'Set ENABLE_IPv6 to "true" on the aws-vpc-cni-init container too.',
                        (Related(init.value.location, "init container value"),) if init.stated and init.value else ())


def _cluster_family(ctx: ClusterContext, scope: Scope, v6: Effective, anchor: Location) -> Iterator[Violation]:
    if not ctx.is_cluster or not ctx.cluster_configs:
        return
    cc = eksctl_ipv6(ctx)
    if cc is not None and not v6.is_true():
        yield Violation(f"the cluster is IPv6 (ipFamily IPv6) but the self-managed aws-node has {shown(v6)}", anchor,
                        'Set ENABLE_IPv6 "true", ENABLE_IPv4 "false" and ENABLE_PREFIX_DELEGATION "true".',
                        (Related(cc.loc("kubernetesNetworkConfig", "ipFamily"), "ipFamily set here"),))
    elif cc is None and v6.is_true():
        first = ctx.cluster_configs[0]
        yield Violation("the cluster is IPv4 but the self-managed aws-node has ENABLE_IPv6=true", anchor,
                        'Set ENABLE_IPv6 "false" and ENABLE_IPv4 "true" to match the cluster.',
                        (Related(first.anchor(), "IPv4 cluster (no ipFamily IPv6)"),))


@rule("CNI007", "custom-networking-with-ipv6", Severity.ERROR)
def custom_networking_with_ipv6(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """Custom networking enabled in an IPv6 cluster.

    ## What it does
    Reports `AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG` true where `ENABLE_IPv6` is true or the eksctl
    cluster's `ipFamily` is IPv6.

    ## Why it matters
    Custom networking is not supported with IPv6: ipamd exits at start ("Custom Networking is
    not supported in IPv6 mode") and the nodes get no pod networking.

    ## How to fix
    Turn custom networking off in IPv6 clusters; IPv6 pods use the node's subnet prefixes.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: aws-node, namespace: kube-system}
    spec:
      template:
        spec:
          containers:
            - name: aws-node
              env:
                - {name: ENABLE_IPv6, value: "true"}
                - {name: AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG, value: "true"}
    ```
    Use instead:
    ```yaml
    apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: aws-node, namespace: kube-system}
    spec:
      template:
        spec:
          containers:
            - name: aws-node
              env:
                - {name: ENABLE_IPv6, value: "true"}
                - {name: AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG, value: "false"}
    ```

    ## References
    - `reference/vpc-cni.md` § 2 X02, X28.
    """
    for scope in ctx.cni.scopes:
        custom = scope.effective("AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG")
        ipv6, where, what = ipv6_source(ctx, scope)
        if stated_true(custom) and ipv6 and custom.value is not None:
            yield Violation(f"custom networking is on in {what}: ipamd exits (custom networking is not supported "
                            "with IPv6)", custom.value.location, "Turn AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG off.",
                            (Related(where, "IPv6 set here"),) if where else ())
