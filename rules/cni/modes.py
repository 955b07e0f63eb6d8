"""CNI modes: IP family, prefix delegation and security groups for pods against each other and the nodes."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eks_net_lint.cni_settings import INIT, catalogue, quote, reads_true
from eks_net_lint.cni_version import CniVersion
from eks_net_lint.context import ClusterContext
from eks_net_lint.findings import Location, Related, Severity, Violation
from eks_net_lint.instances import lookup
from eks_net_lint.nodepods import NodePool
from eks_net_lint.registry import rule
from eks_net_lint.settings import Effective, Scope

from .common import eksctl_ipv6, env_anchor, ipv6_source, literal, shown, version_of

IPV6_SINCE = CniVersion(1, 10, 0)
SGP_IPV6_SINCE = CniVersion(1, 16, 0)
STANDARD_MODE_SINCE = CniVersion(1, 11, 0)


def _stated_true(eff: Effective) -> bool:
    return eff.stated and eff.value is not None and literal(eff.value) is not None and eff.is_true()


def _loc(eff: Effective, fallback: Location | None) -> Location | None:
    return eff.value.location if eff.stated and eff.value is not None else fallback


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
        if not _stated_true(pd) or ipv6_source(ctx, scope)[0] or pd.value is None:
            continue
        for itype, where, group in _instance_types(ctx):
            data = lookup(itype)
            if data is None or data.hypervisor is None or data.nitro or data.bare_metal is not False:
                continue
            yield Violation(f"prefix delegation is on but {group} uses {itype} ({data.hypervisor}, not Nitro): "
                            "those nodes silently stay in secondary-IP mode", pd.value.location,
                            f"Use a Nitro instance type instead of {itype}, or turn prefix delegation off.",
                            (Related(where, f"{itype} in {group}"),))


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
        if _stated_true(custom) and ipv6 and custom.value is not None:
            yield Violation(f"custom networking is on in {what}: ipamd exits (custom networking is not supported "
                            "with IPv6)", custom.value.location, "Turn AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG off.",
                            (Related(where, "IPv6 set here"),) if where else ())


@rule("CNI012", "pod-sg-probe-breakage", Severity.WARNING)
def pod_sg_probe_breakage(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """Security groups for pods in strict mode without `DISABLE_TCP_EARLY_DEMUX` on the init container.

    ## What it does
    Reports `ENABLE_POD_ENI` true when `POD_SECURITY_GROUP_ENFORCING_MODE` is unset or `strict`
    (always strict before v1.11.0) and the aws-vpc-cni-init container's `DISABLE_TCP_EARLY_DEMUX`
    is not true (before v1.12.1 only the exact string `"true"` counts). A setting no source states
    takes the CNI default, and the message says so.

    ## Why it matters
    With TCP early demux on, kubelet's TCP liveness and readiness probes do not reach pods that
    have their own security groups: those pods fail their probes and restart.

    ## How to fix
    Set `DISABLE_TCP_EARLY_DEMUX: "true"` on the init container (Helm `init.env`, add-on
    `init.env`), or use `POD_SECURITY_GROUP_ENFORCING_MODE: standard`.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: aws-node, namespace: kube-system}
    spec:
      template:
        spec:
          initContainers:
            - name: aws-vpc-cni-init
              env:
                - {name: DISABLE_TCP_EARLY_DEMUX, value: "false"}
          containers:
            - name: aws-node
              env:
                - {name: ENABLE_POD_ENI, value: "true"}
    ```
    Use instead:
    ```yaml
    apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: aws-node, namespace: kube-system}
    spec:
      template:
        spec:
          initContainers:
            - name: aws-vpc-cni-init
              env:
                - {name: DISABLE_TCP_EARLY_DEMUX, value: "true"}
          containers:
            - name: aws-node
              env:
                - {name: ENABLE_POD_ENI, value: "true"}
    ```

    ## References
    - `reference/vpc-cni.md` § 1.3 (`DISABLE_TCP_EARLY_DEMUX`), § 2 X19, X20.
    """
    demux_spec = catalogue().get(INIT, "DISABLE_TCP_EARLY_DEMUX")
    for scope in ctx.cni.scopes:
        pod_eni = scope.effective("ENABLE_POD_ENI")
        if demux_spec is None or not _stated_true(pod_eni) or pod_eni.value is None:
            continue
        version = version_of(scope)
        mode = scope.effective("POD_SECURITY_GROUP_ENFORCING_MODE")
        old = version is not None and version < STANDARD_MODE_SINCE
        if not old and mode.text is not None and mode.text != "strict":
            continue
        demux = scope.effective("DISABLE_TCP_EARLY_DEMUX", INIT)
        if demux.text is None or reads_true(demux_spec, demux.text, version) is not False:
            continue
        why = f"strict mode (always before v1.11.0, this is {version})" if old else f"strict mode ({shown(mode)})"
        rel = tuple(Related(e.value.location, f"{e.name} set here") for e in (mode, demux) if e.stated and e.value)
        yield Violation(f"ENABLE_POD_ENI is true in {why} while the init container's {shown(demux)}: kubelet TCP "
                        "probes to pods with security groups fail", pod_eni.value.location,
                        'Set DISABLE_TCP_EARLY_DEMUX "true" on the aws-vpc-cni-init container.', rel)


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
        if not _stated_true(pod_eni) or pod_eni.value is None:
            continue
        for itype, where, group in _instance_types(ctx):
            data = lookup(itype)
            if data is not None and data.trunking_compatible is False:
                yield Violation(f"{group} uses {itype}, which cannot take a trunk ENI, while ENABLE_POD_ENI is true: "
                                "pods with security groups cannot run there", where,
                                f"Use a trunking-compatible instance type instead of {itype} for pods with security groups.",
                                (Related(pod_eni.value.location, "ENABLE_POD_ENI set here"),))


def _network_policy(ctx: ClusterContext, scope: Scope) -> tuple[Location, str] | None:
    """Where network policy is enabled for this scope, if anywhere."""
    if scope.addon is not None:
        config = ctx.embedded(scope.addon_view, scope.addon, "configurationValues") if scope.addon_view else None
        if hasattr(config, "get") and config.get("enableNetworkPolicy") == "true":
            return config.loc("enableNetworkPolicy"), 'configurationValues enableNetworkPolicy "true"'
    for view in scope.helm:
        if str(view.data.get("enableNetworkPolicy")).lower() == "true":
            return view.data.loc("enableNetworkPolicy"), "Helm enableNetworkPolicy true"
    for field in scope.fields_at("containers[aws-eks-nodeagent].args"):
        if isinstance(field.value, list) and "--enable-network-policy=true" in field.value:
            return field.location, "node agent --enable-network-policy=true"
    from eks_net_lint.cni_sources import VpcCniConfigMap

    for cm in ctx.of(VpcCniConfigMap):
        data = cm.data_map()
        if data is not None and data.get("enable-network-policy-controller") == "true":
            return data.loc("enable-network-policy-controller"), 'ConfigMap enable-network-policy-controller "true"'
    return None


@rule("CNI021", "network-policy-conflict", Severity.WARNING)
def network_policy_conflict(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """The bandwidth plugin with VPC CNI network policy, or an enforcing mode without the policy agent.

    ## What it does
    Reports `ENABLE_BANDWIDTH_PLUGIN` true while network policy is enabled (`enableNetworkPolicy:
    "true"` in `configurationValues` or Helm values, the `amazon-vpc-cni` ConfigMap's
    `enable-network-policy-controller: "true"`, or the node agent's `--enable-network-policy=true`),
    and `NETWORK_POLICY_ENFORCING_MODE` set in a complete aws-node DaemonSet that has no
    `aws-eks-nodeagent` container.

    ## Why it matters
    The bandwidth plugin conflicts with the network policy agent's traffic control, so policies
    are not enforced. An enforcing mode without the agent makes pod creation fail.

    ## How to fix
    Drop `ENABLE_BANDWIDTH_PLUGIN` where network policy runs; remove
    `NETWORK_POLICY_ENFORCING_MODE` when the node agent container is removed.

    ## Example
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: amazon-vpc-cni, namespace: kube-system}
    data:
      enable-network-policy-controller: "true"
    ---
    apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: aws-node, namespace: kube-system}
    spec:
      template:
        spec:
          containers:
            - name: aws-node
              env:
                - {name: ENABLE_BANDWIDTH_PLUGIN, value: "true"}
    ```
    Use instead:
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: amazon-vpc-cni, namespace: kube-system}
    data:
      enable-network-policy-controller: "true"
    ---
    apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: aws-node, namespace: kube-system}
    spec:
      template:
        spec:
          containers:
            - name: aws-node
              env:
                - {name: ENABLE_BANDWIDTH_PLUGIN, value: "false"}
    ```

    ## References
    - `reference/vpc-cni.md` § 1.6, § 2 X34, X35, X36.
    """
    for scope in ctx.cni.scopes:
        bandwidth = scope.effective("ENABLE_BANDWIDTH_PLUGIN")
        policy = _network_policy(ctx, scope) if _stated_true(bandwidth) else None
        if policy is not None and bandwidth.value is not None:
            yield Violation(f"ENABLE_BANDWIDTH_PLUGIN is true while network policy is enabled ({policy[1]}): "
                            "policies are not enforced", bandwidth.value.location,
                            "Turn ENABLE_BANDWIDTH_PLUGIN off where VPC CNI network policy runs.",
                            (Related(policy[0], "network policy enabled here"),))
        for node in scope.daemonsets:
            if node.container("aws-eks-nodeagent") is not None:
                continue
            main = node.main()
            for env in main.env() if main else ():
                if env.name == "NETWORK_POLICY_ENFORCING_MODE" and not env.from_ref:
                    yield Violation(f"NETWORK_POLICY_ENFORCING_MODE {quote(str(env.value))} is set but the DaemonSet "
                                    "has no aws-eks-nodeagent container: pod creation can fail", env.value_loc(),
                                    "Remove NETWORK_POLICY_ENFORCING_MODE, or add the aws-eks-nodeagent container back.")
