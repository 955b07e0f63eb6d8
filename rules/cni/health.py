"""CNI health: the aws-node probe timeouts and CPU request that keep it alive on busy nodes."""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from eks_net_lint.cni_version import CniVersion
from eks_net_lint.context import ClusterContext
from eks_net_lint.findings import Location, Severity, Violation
from eks_net_lint.located import is_unknown, text_of
from eks_net_lint.registry import rule
from eks_net_lint.settings import Scope

from .common import version_of

# reference/vpc-cni.md § 3.1: probe timeoutSeconds 10 since v1.10.0; the 25m CPU request only from
# the later v1.10.x/v1.11.x patch releases on (the v1.10.4 and v1.11.5 manifests), 10m before.
BASELINE_SINCE = CniVersion(1, 10, 0)
CPU_SINCE = ((CniVersion(1, 10, 4), CniVersion(1, 11, 0)), (CniVersion(1, 11, 5), CniVersion(99, 0, 0)))
MIN_TIMEOUT = 10
MIN_CPU_MILLI = 25
_QUANTITY = re.compile(r"^(\d+(?:\.\d+)?)(m?)$")


def cpu_millis(value: object) -> float | None:
    """A Kubernetes CPU quantity in millicores (`25m` → 25, `0.5` → 500); None when not plain."""
    text = text_of(value)
    match = _QUANTITY.match(text.strip()) if text else None
    if match is None:
        return None
    number = float(match[1])
    return number if match[2] else number * 1000


def _cpu_baseline(version: CniVersion | None) -> bool:
    """Whether that release shipped the 25m request (unknown versions are judged)."""
    return version is None or any(low <= version < high for low, high in CPU_SINCE)


def _timeout(value: object) -> int | None:
    text = text_of(value)
    return int(text) if text is not None and text.isdigit() else None


def _probe_findings(scope: Scope, from_daemonset: bool) -> Iterator[tuple[str, Location, str]]:
    for probe in ("livenessProbe", "readinessProbe"):
        timeout = scope.field(f"containers[aws-node].{probe}.timeoutSeconds")
        if timeout is not None and not is_unknown(timeout.value):
            seconds = _timeout(timeout.value)
            if seconds is not None and seconds < MIN_TIMEOUT:
                yield probe, timeout.location, f"aws-node {probe} timeoutSeconds is {seconds} (below {MIN_TIMEOUT})"
            continue
        present = next((f for f in scope.fields_at(f"containers[aws-node].{probe}") if f.source == "daemonset"), None)
        if from_daemonset and present is not None:
            where = present.key_location or present.location
            yield probe, where, f"aws-node {probe} has no timeoutSeconds: Kubernetes uses 1 second"


def _cpu_finding(scope: Scope, from_daemonset: bool) -> tuple[Location, str] | None:
    cpu = scope.field("containers[aws-node].resources.requests.cpu")
    if cpu is not None:
        millis = cpu_millis(cpu.value)
        if millis is not None and millis < MIN_CPU_MILLI:
            return cpu.location, f"aws-node resources.requests.cpu is {text_of(cpu.value)} (below {MIN_CPU_MILLI}m)"
        return None
    if not from_daemonset:
        return None
    for node in scope.daemonsets:
        main = node.main()
        if main is not None:
            where = main.data.key_loc("resources") if "resources" in main.data else main.data.loc("name")
            return where, "aws-node has no resources.requests.cpu"
    return None


@rule("CNI013", "probe-timeout-too-low", Severity.WARNING)
def probe_timeout_too_low(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """aws-node probe timeouts under 10 s or a CPU request under 25m, on images that ship both.

    ## What it does
    Judges the effective aws-node container on images v1.10.0 or later (or of unknown version):
    a complete DaemonSet after patches, Helm values (`livenessProbeTimeoutSeconds`,
    `readinessProbeTimeoutSeconds`, `resources`), `configurationValues` probe timeouts and
    resources, or a patch that sets them. It reports each probe whose `timeoutSeconds` is below
    10 (or absent in a complete DaemonSet, where Kubernetes uses 1 s), and a
    `resources.requests.cpu` below 25m (or absent in a complete DaemonSet) on releases that ship
    25m (v1.10.4 and later, v1.11.5 and later in the 1.11 line). A patch that touches neither
    probes nor resources is not judged on its own; older images are CNI009's.

    ## Why it matters
    On busy nodes the gRPC health probe needs time and CPU; when it times out, kubelet restarts
    aws-node and new pods stay in ContainerCreating (seed guidance).

    ## How to fix
    Set `timeoutSeconds: 10` (or more) on both probes and request at least `cpu: 25m`.

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
              livenessProbe:
                timeoutSeconds: 5
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
              livenessProbe:
                timeoutSeconds: 10
    ```

    ## References
    - `reference/vpc-cni.md` § 3.1 (probes, `timeoutSeconds: 10`, `cpu: 25m`, `[bp]` probe failures).
    """
    for scope in ctx.cni.scopes:
        version = version_of(scope)
        if version is not None and version < BASELINE_SINCE:
            continue
        from_daemonset = bool(scope.daemonsets)
        for probe, where, message in _probe_findings(scope, from_daemonset):
            yield Violation(f"{message}: on busy nodes the probe fails and aws-node restarts", where,
                            f"Set {probe} timeoutSeconds to {MIN_TIMEOUT} or more.")
        cpu = _cpu_finding(scope, from_daemonset) if _cpu_baseline(version) else None
        if cpu is not None:
            yield Violation(f"{cpu[1]}: aws-node starves on busy nodes and its probes fail", cpu[0],
                            f"Request at least cpu: {MIN_CPU_MILLI}m for the aws-node container.")
