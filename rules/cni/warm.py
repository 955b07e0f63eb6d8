"""CNI warm pool: warm targets that are ignored, too small, too big, or missing with prefix delegation."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from eks_net_lint.cni_settings import AWS_NODE, catalogue, go_atoi, quote, reads_true
from eks_net_lint.cni_version import CniVersion, newest_release, shipped_release
from eks_net_lint.context import ClusterContext
from eks_net_lint.findings import Related, Severity, Violation
from eks_net_lint.maxpods import HOST_NETWORK_PODS, CniMode, MaxPods, calculate
from eks_net_lint.registry import rule
from eks_net_lint.settings import ASSUMED, Scope, SettingValue

from .common import effective_int, ipv6_source, literal, version_of

WARM_NAMES = ("WARM_ENI_TARGET", "WARM_IP_TARGET", "MINIMUM_IP_TARGET", "WARM_PREFIX_TARGET")
PREFIX_DELEGATION_SINCE = CniVersion(1, 9, 0)


def _written(scope: Scope, name: str) -> tuple[SettingValue, int] | None:
    """A warm setting the user wrote (not a chart default), parsed, when it differs from what that version ships."""
    value = scope.get(name)
    text = literal(value) if value is not None else None
    number = go_atoi(text) if text is not None else None
    if value is None or number is None:
        return None
    release = shipped_release(version_of(scope)) or newest_release()
    shipped = release.env(AWS_NODE).get(name)
    if shipped is not None and go_atoi(shipped) == number:
        return None
    return value, number


def _pd_on(scope: Scope) -> bool:
    return bool(scope.effective("ENABLE_PREFIX_DELEGATION").is_true())


def _assuming(scope: Scope, name: str, what: str) -> str:
    eff = scope.effective(name)
    return "" if eff.stated else f" (assuming {what}: {eff.because()})"


@rule("CNI003", "ignored-warm-target", Severity.WARNING)
def ignored_warm_target(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """A warm-pool setting that has no effect, or backfires, given the other settings.

    ## What it does
    Looks at warm settings the user wrote with a value other than the one that CNI version ships
    (chart defaults merged from `values.yaml` are never reported) and reports:
    `WARM_ENI_TARGET` ≠ 1 while `WARM_IP_TARGET` or `MINIMUM_IP_TARGET` is > 0 (ignored);
    `WARM_PREFIX_TARGET` ≠ 1 while prefix delegation is off (ignored); `MINIMUM_IP_TARGET` > 0
    with `WARM_IP_TARGET` unset or ≤ 0 (the pool never grows past the minimum);
    `WARM_ENI_TARGET` 0 with no IP target in secondary-IP mode (no warm IPs at all); and any warm
    target in IPv6 mode (no-ops there). A setting no source states takes the CNI default, and the
    message says so.

    ## Why it matters
    The pool does not behave as written: either the value is silently ignored, or the node stops
    adding ENIs and IPs and pods wait in ContainerCreating.

    ## How to fix
    Delete the ignored setting, or add the one it depends on (`WARM_IP_TARGET` with
    `MINIMUM_IP_TARGET`, prefix delegation with `WARM_PREFIX_TARGET`).

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
                - name: WARM_ENI_TARGET
                  value: "2"
                - name: WARM_IP_TARGET
                  value: "5"
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
                - name: WARM_IP_TARGET
                  value: "5"
    ```

    ## References
    - `reference/vpc-cni.md` § 2 X05, X08, X09, X10, X13.
    """
    for scope in ctx.cni.scopes:
        ipv6, ipv6_loc, ipv6_what = ipv6_source(ctx, scope)
        if ipv6:
            for name in WARM_NAMES:
                found = _written(scope, name)
                if found is not None:
                    value, number = found
                    rel = (Related(ipv6_loc, ipv6_what),) if ipv6_loc else ()
                    yield Violation(f"{name} {number} has no effect in IPv6 mode ({ipv6_what})", value.location,
                                    f"Delete {name}: IPv6 clusters allocate /80 prefixes without warm targets.", rel)
            continue
        warm_ip, minimum = effective_int(scope, "WARM_IP_TARGET"), effective_int(scope, "MINIMUM_IP_TARGET")
        eni = _written(scope, "WARM_ENI_TARGET")
        if eni is not None and (warm_ip > 0 or minimum > 0):
            winner = "WARM_IP_TARGET" if warm_ip > 0 else "MINIMUM_IP_TARGET"
            other = scope.get(winner)
            yield Violation(f"WARM_ENI_TARGET {eni[1]} is ignored: {winner} {warm_ip if warm_ip > 0 else minimum} "
                            "takes precedence", eni[0].location, "Delete WARM_ENI_TARGET, or unset the IP targets.",
                            (Related(other.location, f"{winner} set here"),) if other else ())
        elif eni is not None and eni[1] == 0 and not _pd_on(scope):
            yield Violation("WARM_ENI_TARGET 0 with no WARM_IP_TARGET or MINIMUM_IP_TARGET keeps no spare IPs"
                            + _assuming(scope, "ENABLE_PREFIX_DELEGATION", "prefix delegation is off")
                            + ": ipamd allocates only when the pool is empty and pods start slowly",
                            eni[0].location, "Set WARM_ENI_TARGET to 1, or set WARM_IP_TARGET and MINIMUM_IP_TARGET.")
        prefix = _written(scope, "WARM_PREFIX_TARGET")
        if prefix is not None and not _pd_on(scope):
            yield Violation(f"WARM_PREFIX_TARGET {prefix[1]} has no effect: prefix delegation is off"
                            + _assuming(scope, "ENABLE_PREFIX_DELEGATION", "it is off"),
                            prefix[0].location, "Delete WARM_PREFIX_TARGET, or enable ENABLE_PREFIX_DELEGATION.")
        low = _written(scope, "MINIMUM_IP_TARGET")
        if low is not None and low[1] > 0 and warm_ip <= 0:
            yield Violation(f"MINIMUM_IP_TARGET {low[1]} without a positive WARM_IP_TARGET"
                            + _assuming(scope, "WARM_IP_TARGET", "it is 0")
                            + f": the node keeps {low[1]} IPs and stops adding ENIs or IPs",
                            low[0].location, "Set WARM_IP_TARGET to a positive number next to MINIMUM_IP_TARGET.")


@dataclass(frozen=True, slots=True)
class WarmIpOptions:
    """Options of CNI004."""

    threshold: int = field(default=2, metadata={"doc": "WARM_IP_TARGET values above 0 and below this are reported"})


def _capacity(figure: MaxPods) -> int:
    host: int = HOST_NETWORK_PODS
    return int(figure.eni_limited) - host


@rule("CNI004", "warm-ip-target-too-low", Severity.INFO, options=WarmIpOptions)
def warm_ip_target_too_low(ctx: ClusterContext, opts: WarmIpOptions) -> Iterator[Violation]:
    """`WARM_IP_TARGET` small enough to throttle EC2, or `MINIMUM_IP_TARGET` above what the nodes hold.

    ## What it does
    Reports a `WARM_IP_TARGET` above 0 and below the threshold (default 2), and, in a cluster
    whose eksctl node groups name their instance types, a `MINIMUM_IP_TARGET` above the pod
    addresses an instance type can hold in the CNI mode in force (bundled instance data).

    ## Why it matters
    A tiny warm target makes ipamd call EC2 for almost every pod: on busy nodes or large clusters
    that throttles the EC2 API, and then no node can attach ENIs or IPs. A minimum the node cannot
    reach keeps ipamd trying to allocate what does not exist.

    ## How to fix
    Raise `WARM_IP_TARGET` (and set `MINIMUM_IP_TARGET` for the expected pod count), or lower
    `MINIMUM_IP_TARGET` to what the smallest instance type holds.

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
                - name: WARM_IP_TARGET
                  value: "1"
                - name: MINIMUM_IP_TARGET
                  value: "10"
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
                - name: WARM_IP_TARGET
                  value: "5"
                - name: MINIMUM_IP_TARGET
                  value: "10"
    ```

    ## Options
    - `threshold` (int, default 2): `WARM_IP_TARGET` values above 0 and below this are reported.

    ## References
    - `reference/vpc-cni.md` § 2 X10, X14; `reference/max-pods.md` § 2 (the capacity formula).
    """
    for scope in ctx.cni.scopes:
        if ipv6_source(ctx, scope)[0]:
            continue
        value = scope.get("WARM_IP_TARGET")
        text = literal(value) if value is not None else None
        number = go_atoi(text) if text is not None else None
        if value is not None and number is not None and 0 < number < opts.threshold:
            yield Violation(f"WARM_IP_TARGET {number} is below {opts.threshold}: ipamd calls EC2 for almost every "
                            "pod, which can throttle the EC2 API on busy nodes", value.location,
                            "Raise WARM_IP_TARGET and set MINIMUM_IP_TARGET to the pods a node usually runs.")
        yield from _minimum_above_capacity(ctx, scope)


def _minimum_above_capacity(ctx: ClusterContext, scope: Scope) -> Iterator[Violation]:
    value = scope.get("MINIMUM_IP_TARGET")
    text = literal(value) if value is not None else None
    minimum = go_atoi(text) if text is not None else None
    if not ctx.is_cluster or value is None or minimum is None or minimum <= 0:
        return
    version = version_of(scope)
    max_eni = go_atoi(scope.effective("MAX_ENI").text or "")
    mode = CniMode(custom_networking=scope.effective("AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG").is_true(),
                   prefix_delegation=_pd_on(scope), cni_version=str(version) if version else None, max_enis=max_eni)
    for cc in ctx.cluster_configs:
        for group in cc.node_groups():
            for itype, where in group.instance_types():
                figure = calculate(itype, mode)
                if isinstance(figure, MaxPods) and minimum > _capacity(figure):
                    yield Violation(f"MINIMUM_IP_TARGET {minimum} is more than {group.label} instance type {itype} "
                                    f"can hold ({_capacity(figure)} pod addresses)", value.location,
                                    f"Lower MINIMUM_IP_TARGET to at most {_capacity(figure)}.",
                                    (Related(where, f"{itype} used here"),))


def _raw_at_most_zero(scope: Scope, name: str) -> tuple[bool, str] | None:
    """The entrypoint's string test `value <= "0"` (unset reads as "0"); None when unknown."""
    eff = scope.effective(name)
    if eff.origin == ASSUMED:
        return None
    if eff.stated and eff.value is not None and literal(eff.value) is None:
        return None
    raw = eff.text if eff.stated or eff.origin == "chart-default" else ""
    if raw is None:
        return None
    shown = f"{name} {quote(raw)}" if eff.stated or raw else f"{name} unset"
    return raw.encode("utf-8") <= b"0", shown


@rule("CNI017", "prefix-delegation-without-warm-target", Severity.ERROR)
def prefix_delegation_without_warm_target(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """Prefix delegation on while every warm target is unset or 0: aws-node exits.

    ## What it does
    With `ENABLE_PREFIX_DELEGATION` true, reports when `WARM_PREFIX_TARGET`, `WARM_IP_TARGET` and
    `MINIMUM_IP_TARGET` are each unset or compare `<= "0"` as raw strings, byte-wise, as the
    aws-node entrypoint does (empty, `"0"`, or a first byte below `'0'` such as `"-1"` or `" 5"`).
    The effective settings are a complete DaemonSet after patches, or Helm values merged over
    the chart's `values.yaml`; for the managed add-on, keys absent from `configurationValues`
    are unknown and the rule stays silent.

    ## Why it matters
    The entrypoint refuses the combination ("Setting WARM_PREFIX_TARGET = 0 is not supported
    while WARM_IP_TARGET/MINIMUM_IP_TARGET is not set") and aws-node exits: no pod on the node
    gets an address. Dropping `WARM_PREFIX_TARGET` (shipped as "1") while enabling prefix
    delegation is the usual cause.

    ## How to fix
    Set `WARM_PREFIX_TARGET: "1"` (or a positive `WARM_IP_TARGET` / `MINIMUM_IP_TARGET`).

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
                - {name: ENABLE_IPv4, value: "true"}
                - {name: ENABLE_PREFIX_DELEGATION, value: "true"}
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
                - {name: ENABLE_PREFIX_DELEGATION, value: "true"}
                - {name: WARM_PREFIX_TARGET, value: "1"}
    ```

    ## References
    - `reference/vpc-cni.md` § 1.1 (entrypoint validators), § 2 X12.
    """
    spec = catalogue().get(AWS_NODE, "ENABLE_PREFIX_DELEGATION")
    for scope in ctx.cni.scopes:
        pd = scope.get("ENABLE_PREFIX_DELEGATION")
        text = literal(pd) if pd is not None else None
        version = version_of(scope)
        if spec is None or pd is None or text is None or (version is not None and version < PREFIX_DELEGATION_SINCE):
            continue
        if not reads_true(spec, text, version, entrypoint=True):
            continue
        checks = [_raw_at_most_zero(scope, name) for name in ("WARM_PREFIX_TARGET", "WARM_IP_TARGET", "MINIMUM_IP_TARGET")]
        if any(c is None for c in checks):
            where = "" if ctx.is_cluster else f"{scope.label}: "
            ctx.note_skip("CNI017", f"{where}warm targets no source states are unknown (managed add-on, "
                                    "or a patch over a base not linted here)")
        if any(c is None or not c[0] for c in checks):
            continue
        names = ", ".join(c[1] for c in checks if c is not None)
        rel = tuple(Related(v.location, f"{v.name} set here") for n in ("WARM_PREFIX_TARGET", "WARM_IP_TARGET",
                    "MINIMUM_IP_TARGET") if (v := scope.get(n)) is not None)
        yield Violation(f"prefix delegation is on while {names}: aws-node exits (the entrypoint requires a warm target)",
                        pd.location, 'Set WARM_PREFIX_TARGET to "1", or a positive WARM_IP_TARGET or MINIMUM_IP_TARGET.',
                        rel)
