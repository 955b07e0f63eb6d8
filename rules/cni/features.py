"""CNI features: security groups for pods with TCP probes, and network policy with the bandwidth plugin."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eks_net_lint.cni_settings import INIT, catalogue, quote, reads_true
from eks_net_lint.cni_sources import VpcCniConfigMap
from eks_net_lint.cni_version import CniVersion
from eks_net_lint.context import ClusterContext
from eks_net_lint.findings import Location, Related, Severity, Violation
from eks_net_lint.located import LMap
from eks_net_lint.registry import rule
from eks_net_lint.settings import Scope, configuration_values
from eks_net_lint.views import ClusterConfig

from .common import shown, stated_true, version_of

STANDARD_MODE_SINCE = CniVersion(1, 11, 0)


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
        if demux_spec is None or not stated_true(pod_eni) or pod_eni.value is None:
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


def _network_policy(ctx: ClusterContext, scope: Scope) -> tuple[Location, str] | None:
    """Where network policy is enabled for this scope, if anywhere."""
    if scope.addon is not None:
        view = scope.addon_view
        config = configuration_values(ctx, view, scope.addon) if isinstance(view, ClusterConfig) else None
        if isinstance(config, LMap) and config.get("enableNetworkPolicy") == "true":
            return config.loc("enableNetworkPolicy"), 'configurationValues enableNetworkPolicy "true"'
    for view in scope.helm:
        if str(view.data.get("enableNetworkPolicy")).lower() == "true":
            return view.data.loc("enableNetworkPolicy"), "Helm enableNetworkPolicy true"
    for field in scope.fields_at("containers[aws-eks-nodeagent].args"):
        if isinstance(field.value, list) and "--enable-network-policy=true" in field.value:
            return field.location, "node agent --enable-network-policy=true"
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
        policy = _network_policy(ctx, scope) if stated_true(bandwidth) else None
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
