"""NAD objects and the pod annotations that select them: spelling, references, parsing, default routes."""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from eks_net_lint.cni.annotation import default_route_problem
from eks_net_lint.cni.model import nad_matches, nads, pod_networks, references
from eks_net_lint.cni.views import NAD_GROUP, NAD_KIND, NAD_VERSION
from eks_net_lint.context import ClusterContext
from eks_net_lint.findings import Severity, Violation
from eks_net_lint.located import LMap, is_unknown
from eks_net_lint.registry import rule

DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")  # multus-cni.md § 1c.3
DNS1123_MAX = 63


@rule("NAD001", "invalid-nad", Severity.ERROR)
def invalid_nad(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """A NetworkAttachmentDefinition with a misspelt `apiVersion`/`kind`, a non-string `spec.config`, or a bad name.

    ## What it does
    Checks that a NAD says `apiVersion: k8s.cni.cncf.io/v1` and `kind: NetworkAttachmentDefinition`
    (catching the annotation prefix `k8s.v1.cni.cncf.io`, plurals and lower case), that
    `spec.config` is a string holding a JSON object, and that `metadata.name` is a DNS-1123
    label of at most 63 characters.

    ## Why it matters
    The API server rejects unknown kinds and versions; the CRD declares `spec.config` as a
    string, so a YAML mapping there is refused; and the comma form of the networks annotation
    only accepts DNS-1123 names.

    ## How to fix
    Use the CRD's group, version and kind, quote the config as a JSON string, and name the NAD
    with lower-case letters, digits and `-`.

    ## Example
    ```yaml
    apiVersion: k8s.v1.cni.cncf.io/v1
    kind: NetworkAttachmentDefinition
    metadata: {name: bridge-a}
    spec:
      config: '{"cniVersion": "0.4.0", "type": "bridge", "bridge": "br-a", "ipam": {"type": "host-local", "subnet": "10.9.0.0/24"}}'
    ```
    Use instead:
    ```yaml
    apiVersion: k8s.cni.cncf.io/v1
    kind: NetworkAttachmentDefinition
    metadata: {name: bridge-a}
    spec:
      config: '{"cniVersion": "0.4.0", "type": "bridge", "bridge": "br-a", "ipam": {"type": "host-local", "subnet": "10.9.0.0/24"}}'
    ```

    ## References
    - `reference/multus-cni.md` § 1c.1 (the CRD), § 1c.2 (`spec.config` is a string), § 1c.3 (names).
    """
    for nad in nads(ctx):
        view = nad.view
        api = view.data.get("apiVersion")
        if isinstance(api, str) and not is_unknown(api) and api != f"{NAD_GROUP}/{NAD_VERSION}":
            yield Violation(f"NetworkAttachmentDefinition {view.label} has apiVersion {api}, not {NAD_GROUP}/{NAD_VERSION}",
                            view.loc("apiVersion"), f"Set apiVersion to {NAD_GROUP}/{NAD_VERSION}.")
        kind = view.data.get("kind")
        if isinstance(kind, str) and kind != NAD_KIND:
            yield Violation(f"network attachment {view.label} has kind {kind}, not {NAD_KIND}", view.loc("kind"), f"Set kind to {NAD_KIND}.")
        spec = view.spec()
        if spec is not None and "config" in spec and spec["config"] is not None and not isinstance(spec["config"], str):
            what = "a mapping" if isinstance(spec["config"], LMap) else f"a {type(spec['config']).__name__}"
            yield Violation(f"spec.config of NetworkAttachmentDefinition {view.label} is {what}, not a JSON string",
                            spec.loc("config"), "Write spec.config as a quoted JSON string (e.g. a '|' block).")
        config = spec.get("config") if spec is not None else None
        if isinstance(config, str) and config.strip() and not is_unknown(config) and not config.lstrip().startswith("{"):
            yield Violation(f"spec.config of NetworkAttachmentDefinition {view.label} is not a JSON object",
                            spec.loc("config") if spec is not None else view.anchor(),
                            "Write spec.config as a JSON object string, as Multus parses it with a JSON decoder.")
        name = view.data.get("metadata", {}).get("name") if isinstance(view.data.get("metadata"), LMap) else None
        if isinstance(name, str) and not is_unknown(name) and (len(name) > DNS1123_MAX or not DNS1123_LABEL.fullmatch(name)):
            yield Violation(f"NetworkAttachmentDefinition name {name!r} is not a DNS-1123 label (a-z, 0-9, '-', at most 63)",
                            view.loc("metadata", "name"), "Rename the NAD with lower-case letters, digits and '-'.")


@rule("NAD002", "unknown-network-reference", Severity.ERROR)
def unknown_network_reference(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """A pod network annotation naming a NAD that the cluster's files do not define.

    ## What it does
    In a cluster (ctx), resolves every name in `k8s.v1.cni.cncf.io/networks` of Pods and pod
    templates (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob) to a
    NetworkAttachmentDefinition in the given namespace, or the pod's own. A NAD without a
    namespace, or a pod whose namespace is not written, matches by name alone.

    ## Why it matters
    Multus fails the pod's sandbox with "cannot find a network-attachment-definition": the pod
    never starts.

    ## How to fix
    Add the NAD to the cluster's manifests, or fix the name or namespace in the annotation.

    ## Example
    ```yaml
    # .eks-net-lint.yaml: {clusters: {prod: {region: us-west-2}}}
    apiVersion: v1
    kind: Pod
    metadata:
      name: app
      namespace: default
      annotations: {k8s.v1.cni.cncf.io/networks: ipvlan-private-b}
    spec: {containers: [{name: app, image: busybox}]}
    ```
    Use instead:
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: app
      namespace: default
      annotations: {k8s.v1.cni.cncf.io/networks: ipvlan-private-a}
    spec: {containers: [{name: app, image: busybox}]}
    ---
    apiVersion: k8s.cni.cncf.io/v1
    kind: NetworkAttachmentDefinition
    metadata: {name: ipvlan-private-a, namespace: default}
    spec:
      config: '{"cniVersion": "0.4.0", "type": "bridge", "bridge": "br-a", "ipam": {"type": "host-local", "subnet": "10.9.0.0/24"}}'
    ```

    ## References
    - `reference/multus-cni.md` § 1c.3 (namespace of a reference), § 1c.4 (`getKubernetesDelegate`).
    """
    if not ctx.is_cluster:
        return
    defined = [nad.view for nad in nads(ctx)]
    names = sorted({v.label for v in defined})
    for pod, _index, namespace, name in references(ctx):
        if any(nad_matches(nad, namespace, name) for nad in defined):
            continue
        where = f"namespace {namespace}" if namespace else "any namespace"
        found = f"; found: {', '.join(names)}" if names else "; the cluster defines no NetworkAttachmentDefinition"
        yield Violation(f"network {name} requested by {pod.label} has no NetworkAttachmentDefinition in {where}{found}",
                        pod.location, f"Define the NetworkAttachmentDefinition {name} or fix the name in the annotation.")


@rule("NAD003", "invalid-network-annotation", Severity.ERROR)
def invalid_network_annotation(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """A `k8s.v1.cni.cncf.io/networks` annotation Multus cannot parse, or with colliding interface names.

    ## What it does
    Parses the annotation as Multus does: the JSON form (when the value holds `[`, `{` or `"`)
    must be a list of objects with a `name`, valid `ips` (IPs or CIDRs), `mac` and
    `default-route`; the comma form `[namespace/]name[@interface]` allows one `/` and one `@`
    and DNS-1123 names. Interface names must be at most 15 characters without spaces or `/`,
    and must not collide with `eth0`, with each other, or with the `net<N>` name Multus gives
    an attachment without one.

    ## Why it matters
    Multus refuses the whole annotation and the pod cannot start; colliding interface names
    fail the second attachment with "interface name … already exists".

    ## How to fix
    Fix the entry the message names.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: app
      annotations: {k8s.v1.cni.cncf.io/networks: "ipvlan-a@eth0"}
    spec: {containers: [{name: app, image: busybox}]}
    ```
    Use instead:
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: app
      annotations: {k8s.v1.cni.cncf.io/networks: "ipvlan-a@net1"}
    spec: {containers: [{name: app, image: busybox}]}
    ```

    ## References
    - `reference/multus-cni.md` § 1c.4 (`parsePodNetworkAnnotation`, `parsePodNetworkObjectName`, `getIfname`).
    """
    for pod in pod_networks(ctx):
        for problem in pod.parsed.problems:
            yield Violation(f"{problem.message} in the networks annotation of {pod.label}", pod.location,
                            "Fix the annotation entry so Multus can parse it.")


@rule("NAD010", "multiple-default-routes", Severity.ERROR)
def multiple_default_routes(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """More than one attachment of a pod claiming the default route for one address family.

    ## What it does
    Counts the `default-route` gateways in a pod's networks annotation per address family.

    ## Why it matters
    Multus refuses the pod with "multus does not support ECMP for default-route", and the
    network spec allows only one attachment to carry the key.

    ## How to fix
    Keep `default-route` on one attachment per address family.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: app
      annotations:
        k8s.v1.cni.cncf.io/networks: '[{"name": "a", "default-route": ["10.0.4.1"]}, {"name": "b", "default-route": ["10.0.6.1"]}]'
    spec: {containers: [{name: app, image: busybox}]}
    ```
    Use instead:
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: app
      annotations:
        k8s.v1.cni.cncf.io/networks: '[{"name": "a", "default-route": ["10.0.4.1"]}, {"name": "b"}]'
    spec: {containers: [{name: app, image: busybox}]}
    ```

    ## References
    - `reference/multus-cni.md` § 1c.4 (`default-route`, `CheckGatewayConfig`).
    """
    for pod in pod_networks(ctx):
        problem = default_route_problem(pod.parsed.selections)
        if problem:
            yield Violation(f"{problem} in the networks annotation of {pod.label}", pod.location,
                            "Keep default-route on a single attachment per address family.")
