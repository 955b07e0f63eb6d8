"""NAD: NetworkAttachmentDefinitions, their plugins and IPAM, and the pod annotations that select them."""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from eks_net_lint.cni.annotation import default_route_problem
from eks_net_lint.cni.ipam import IpamAnalysis, Pool, analyse_ipam, gateway_in_pool, reserved_in_pool
from eks_net_lint.cni.model import NadDoc, PodNetworks, is_eks, nad_matches, nads, pod_networks, references
from eks_net_lint.cni.plugins import MASTER_PLUGINS, master_problem, plugin_problems
from eks_net_lint.cni.spec import JsonPath
from eks_net_lint.cni.views import NAD_GROUP, NAD_KIND, NAD_VERSION, replicas
from eks_net_lint.context import ClusterContext
from eks_net_lint.findings import Related, Severity, Violation
from eks_net_lint.located import LMap, dig, is_unknown
from eks_net_lint.registry import rule
from eks_net_lint.views import Workload

DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")  # multus-cni.md § 1c.3
DNS1123_MAX = 63


@dataclass(frozen=True, slots=True)
class _Ipam:
    nad: NadDoc
    path: JsonPath  # the plugin's path in spec.config
    plugin: Mapping[str, object]
    analysis: IpamAnalysis


def _ipams(ctx: ClusterContext) -> Iterator[_Ipam]:
    for nad in nads(ctx):
        version = nad.config.get("cniVersion") if nad.config is not None else None
        for path, plugin in nad.plugins():
            ipam = plugin.get("ipam")
            if not isinstance(ipam, Mapping):
                continue
            caps = plugin.get("capabilities")
            runtime = isinstance(caps, Mapping) and caps.get("ipRanges") is True
            analysis = analyse_ipam(ipam, cni_version=version, base=(*path, "ipam"), runtime_ranges=runtime, unknown=is_unknown)
            yield _Ipam(nad, path, plugin, analysis)


def _pool_field(nad: NadDoc, pool: Pool) -> JsonPath:
    """Where a pool is written: its start bound when present, else its subnet or range (or the static address)."""
    keys = {"host-local": ("rangeStart", "subnet"), "whereabouts": ("range",), "static": ("address",)}[pool.kind]
    where = dig(nad.config, *pool.path)
    for key in keys:
        if isinstance(where, Mapping) and key in where:
            return (*pool.path, key)
    return pool.path


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
            yield Violation(f"{view.label} has kind {kind}, not {NAD_KIND}", view.loc("kind"), f"Set kind to {NAD_KIND}.")
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
        yield Violation(f"{pod.label} requests network {name}, but no NetworkAttachmentDefinition {name} exists in {where}{found}",
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


@rule("NAD004", "invalid-ipam-range", Severity.ERROR)
def invalid_ipam_range(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """IPAM ranges the host-local, whereabouts or static plugin refuses.

    ## What it does
    host-local: `subnet` not a CIDR, with host bits set or longer than /30 (/126);
    `rangeStart`/`rangeEnd` outside the subnet or reversed; mixed families in a range set;
    overlapping ranges or range sets; several range sets of one family before cniVersion
    0.3.0. whereabouts: `range` neither a CIDR nor `first-last/prefix` with `first` inside the
    CIDR; unparsable `exclude`, `gateway`, `range_start`, `range_end`. static: an `address`
    not in CIDR notation.

    ## Why it matters
    The IPAM plugin fails every ADD ("Network has host bits set", "RangeStart … not in
    network", "invalid range start for CIDR"), so no pod using the NAD starts.

    ## How to fix
    Correct the range as the message says.

    ## Example
    ```yaml
    apiVersion: k8s.cni.cncf.io/v1
    kind: NetworkAttachmentDefinition
    metadata: {name: bridge-a}
    spec:
      config: |
        {"cniVersion": "0.4.0", "type": "bridge", "bridge": "br-a",
         "ipam": {"type": "host-local", "subnet": "10.0.4.1/24", "rangeStart": "10.0.4.70", "rangeEnd": "10.0.4.80"}}
    ```
    Use instead:
    ```yaml
    apiVersion: k8s.cni.cncf.io/v1
    kind: NetworkAttachmentDefinition
    metadata: {name: bridge-a}
    spec:
      config: |
        {"cniVersion": "0.4.0", "type": "bridge", "bridge": "br-a",
         "ipam": {"type": "host-local", "subnet": "10.0.4.0/24", "rangeStart": "10.0.4.70", "rangeEnd": "10.0.4.80"}}
    ```

    ## References
    - `reference/multus-cni.md` § 1d.5 (host-local), § 1d.6 (whereabouts), § 1d.7 (static).
    """
    for item in _ipams(ctx):
        for problem in item.analysis.invalid:
            yield Violation(f"{problem.message} in NetworkAttachmentDefinition {item.nad.view.label}", item.nad.loc(problem.path),
                            "Correct the IPAM range so the plugin can allocate from it.")


@rule("NAD005", "allocatable-reserved-address", Severity.WARNING)
def allocatable_reserved_address(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """An ipvlan/macvlan IPAM range that hands out addresses AWS reserves, or its own gateway.

    ## What it does
    For ipvlan and macvlan NADs (their addresses live in the master ENI's VPC subnet), lists
    the addresses the IPAM range can hand out that AWS reserves in the subnet: the network
    address, the VPC router (+1), Amazon DNS (+2), +3 and the last address; and a gateway
    the range can hand out (whereabouts never skips it; a static address equal to it). The
    IPAM `subnet` is taken as the ENI's subnet unless the cluster's inventory or config knows
    a larger subnet that contains the range.

    ## Why it matters
    EC2 never assigns those addresses to an ENI, so pods that get them cannot be reached; a
    pod holding the VPC router's address breaks the subnet's routing for itself. host-local
    hands out `.2` and `.3` whenever `rangeStart` is left at its default.

    ## How to fix
    Start the range at the subnet's fifth address (or later) and end it before the last one.

    ## Example
    ```yaml
    apiVersion: k8s.cni.cncf.io/v1
    kind: NetworkAttachmentDefinition
    metadata:
      name: ipvlan-a
      annotations: {eks-net-lint.io/ignore: NAD011}  # addresses registered on the ENI
    spec:
      config: |
        {"cniVersion": "0.4.0", "type": "ipvlan", "master": "eth1",
         "ipam": {"type": "host-local", "subnet": "192.168.96.0/19", "rangeStart": "192.168.96.0", "rangeEnd": "192.168.96.40", "gateway": "192.168.96.1"}}
    ```
    Use instead:
    ```yaml
    apiVersion: k8s.cni.cncf.io/v1
    kind: NetworkAttachmentDefinition
    metadata:
      name: ipvlan-a
      annotations: {eks-net-lint.io/ignore: NAD011}  # addresses registered on the ENI
    spec:
      config: |
        {"cniVersion": "0.4.0", "type": "ipvlan", "master": "eth1",
         "ipam": {"type": "host-local", "subnet": "192.168.96.0/19", "rangeStart": "192.168.96.20", "rangeEnd": "192.168.96.40", "gateway": "192.168.96.1"}}
    ```

    ## References
    - `reference/vpc-and-eniconfig.md` § a.4 (the five reserved addresses).
    - `reference/multus-cni.md` § 1d.5 (host-local defaults), § 1d.6 (whereabouts gateway), § 1e pitfalls 1 and 8.
    """
    known = [fact.cidr for fact in ctx.subnets.values() if fact.cidr is not None]
    for item in _ipams(ctx):
        if item.plugin.get("type") not in MASTER_PLUGINS:
            continue
        for pool in item.analysis.pools:
            subnet = next((net for net in known if net.version == pool.first.version
                           and pool.first in net and pool.last in net and net.prefixlen < pool.network.prefixlen), None)
            reserved = reserved_in_pool(pool, subnet)
            network = subnet or pool.network
            parts = []
            if reserved:
                listed = ", ".join(f"{r.address} ({r.role})" for r in reserved)
                parts.append(f"addresses AWS reserves in {network}: {listed}")
            if gateway_in_pool(pool) and all(r.address != pool.gateway for r in reserved):
                parts.append(f"its own gateway {pool.gateway}")
            if not parts:
                continue
            yield Violation(
                f"{pool.kind} IPAM of NetworkAttachmentDefinition {item.nad.view.label} allocates {pool.text} and so "
                f"hands out {' and '.join(parts)}",
                item.nad.loc(_pool_field(item.nad, pool)),
                f"Allocate from the fifth to the second-to-last address of {network}, excluding the gateway.",
            )


def _same_store(a: _Ipam, b: _Ipam) -> bool:
    """Two NADs whose allocations cannot collide: one host-local store, or one whereabouts scope (§ 1e pitfall 3)."""
    if a.analysis.kind == b.analysis.kind == "host-local":
        return a.nad.cni_name == b.nad.cni_name
    if a.analysis.kind == b.analysis.kind == "whereabouts":
        return a.analysis.overlap_guard and b.analysis.overlap_guard and a.analysis.network_name == b.analysis.network_name
    return False


@rule("NAD006", "overlapping-ipam-ranges", Severity.WARNING)
def overlapping_ipam_ranges(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """Two NADs allocating overlapping addresses on the same master interface or subnet.

    ## What it does
    In a cluster (ctx), compares the IPAM ranges of ipvlan/macvlan NADs that share a `master`
    or an IPAM subnet. Overlaps are reported unless the two allocate from one store (host-local
    with the same network name, or whereabouts with `enable_overlapping_ranges` and the same
    `network_name`).

    ## Why it matters
    Each NAD allocates on its own, so two pods get the same address on the same segment:
    traffic goes to whichever answered ARP last.

    ## How to fix
    Give each NAD its own slice of the subnet, or share one whereabouts range.

    ## Example
    ```yaml
    # .eks-net-lint.yaml: {clusters: {prod: {region: us-west-2}}}
    apiVersion: k8s.cni.cncf.io/v1
    kind: NetworkAttachmentDefinition
    metadata: {name: ipvlan-a, annotations: {eks-net-lint.io/ignore: NAD011}}
    spec:
      config: '{"cniVersion": "0.4.0", "type": "ipvlan", "master": "eth1", "ipam": {"type": "host-local", "subnet": "10.0.4.0/24", "rangeStart": "10.0.4.70", "rangeEnd": "10.0.4.80"}}'
    ---
    apiVersion: k8s.cni.cncf.io/v1
    kind: NetworkAttachmentDefinition
    metadata: {name: ipvlan-b, annotations: {eks-net-lint.io/ignore: NAD011}}
    spec:
      config: '{"cniVersion": "0.4.0", "type": "ipvlan", "master": "eth1", "ipam": {"type": "host-local", "subnet": "10.0.4.0/24", "rangeStart": "10.0.4.75", "rangeEnd": "10.0.4.90"}}'
    ```
    Use instead:
    ```yaml
    apiVersion: k8s.cni.cncf.io/v1
    kind: NetworkAttachmentDefinition
    metadata: {name: ipvlan-a, annotations: {eks-net-lint.io/ignore: NAD011}}
    spec:
      config: '{"cniVersion": "0.4.0", "type": "ipvlan", "master": "eth1", "ipam": {"type": "host-local", "subnet": "10.0.4.0/24", "rangeStart": "10.0.4.70", "rangeEnd": "10.0.4.80"}}'
    ---
    apiVersion: k8s.cni.cncf.io/v1
    kind: NetworkAttachmentDefinition
    metadata: {name: ipvlan-b, annotations: {eks-net-lint.io/ignore: NAD011}}
    spec:
      config: '{"cniVersion": "0.4.0", "type": "ipvlan", "master": "eth1", "ipam": {"type": "host-local", "subnet": "10.0.4.0/24", "rangeStart": "10.0.4.81", "rangeEnd": "10.0.4.90"}}'
    ```

    ## References
    - `reference/multus-cni.md` § 1e pitfall 3, § 1d.5 (host-local store per network name), § 1d.6 (whereabouts scope).
    """
    if not ctx.is_cluster:
        return
    items = [i for i in _ipams(ctx) if i.plugin.get("type") in MASTER_PLUGINS and i.analysis.pools]
    for index, later in enumerate(items):
        for earlier in items[:index]:
            if earlier.nad.view is later.nad.view or _same_store(earlier, later):
                continue
            master_a, master_b = earlier.plugin.get("master"), later.plugin.get("master")
            same_master = isinstance(master_a, str) and master_a and master_a == master_b
            for pool_b in later.analysis.pools:
                for pool_a in earlier.analysis.pools:
                    span = pool_a.overlap(pool_b)
                    if span is None or not (same_master or pool_a.network == pool_b.network):
                        continue
                    on = f"master {master_b}" if same_master else f"subnet {pool_b.network}"
                    yield Violation(
                        f"range {pool_b.text} of NetworkAttachmentDefinition {later.nad.view.label} overlaps {pool_a.text} "
                        f"of {earlier.nad.view.label} on {on} ({span[0]}-{span[1]})",
                        later.nad.loc(_pool_field(later.nad, pool_b)),
                        "Give each NAD a range of its own, or let both use one whereabouts range.",
                        (Related(earlier.nad.loc(_pool_field(earlier.nad, pool_a)), f"range of {earlier.nad.view.label}"),),
                    )


def _users(ctx: ClusterContext, nad: NadDoc) -> list[tuple[PodNetworks, Workload]]:
    return [(pod, pod.workload) for pod, _i, ns, name in references(ctx) if nad_matches(nad.view, ns, name)]


@rule("NAD007", "host-local-across-nodes", Severity.WARNING)
def host_local_across_nodes(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """A host-local NAD used by a multi-replica Deployment/StatefulSet/ReplicaSet or a DaemonSet.

    ## What it does
    In a cluster (ctx), finds NADs with host-local IPAM that a DaemonSet, or a Deployment,
    StatefulSet or ReplicaSet with more than one replica, selects in its networks annotation.

    ## Why it matters
    host-local keeps its allocations in a file on each node, so every node hands out the same
    first addresses: pods on different nodes get the same IP, and on EKS the second
    `AssignPrivateIpAddresses` for it fails.

    ## How to fix
    Use a cluster-wide IPAM such as whereabouts, or give every node its own range.

    ## Example
    ```yaml
    # .eks-net-lint.yaml: {clusters: {prod: {region: us-west-2}}}
    apiVersion: k8s.cni.cncf.io/v1
    kind: NetworkAttachmentDefinition
    metadata: {name: bridge-a}
    spec:
      config: '{"cniVersion": "0.4.0", "type": "bridge", "bridge": "br-a", "ipam": {"type": "host-local", "subnet": "10.0.4.0/24", "rangeStart": "10.0.4.70", "rangeEnd": "10.0.4.80"}}'
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: app}
    spec:
      replicas: 3
      template:
        metadata: {annotations: {k8s.v1.cni.cncf.io/networks: bridge-a}}
        spec: {containers: [{name: app, image: busybox}]}
    ```
    Use instead:
    ```yaml
    apiVersion: k8s.cni.cncf.io/v1
    kind: NetworkAttachmentDefinition
    metadata: {name: bridge-a}
    spec:
      config: '{"cniVersion": "0.4.0", "type": "bridge", "bridge": "br-a", "ipam": {"type": "whereabouts", "range": "10.0.4.70-10.0.4.80/24"}}'
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: app}
    spec:
      replicas: 3
      template:
        metadata: {annotations: {k8s.v1.cni.cncf.io/networks: bridge-a}}
        spec: {containers: [{name: app, image: busybox}]}
    ```

    ## References
    - `reference/multus-cni.md` § 1d.5 step 8 (state per node), § 1e pitfall 2.
    """
    if not ctx.is_cluster:
        return
    for item in _ipams(ctx):
        if item.analysis.kind != "host-local":
            continue
        spread: list[tuple[PodNetworks, str]] = []
        for pod, workload in _users(ctx, item.nad):
            kind = workload.sig.kind
            if kind == "DaemonSet":
                spread.append((pod, f"DaemonSet {workload.sig.name}"))
            elif kind in ("Deployment", "StatefulSet", "ReplicaSet"):
                count = replicas(workload)
                if count is not None and count > 1:
                    spread.append((pod, f"{kind} {workload.sig.name} ({count} replicas)"))
        if not spread:
            continue
        yield Violation(
            f"host-local NetworkAttachmentDefinition {item.nad.view.label} is used by {', '.join(w for _, w in spread)}: "
            "every node hands out the same addresses",
            item.nad.loc((*item.path, "ipam", "type")),
            "Switch the NAD to a cluster-wide IPAM such as whereabouts, or give each node its own range.",
            tuple(Related(pod.location, f"used by {what}") for pod, what in spread),
        )


@rule("NAD008", "invalid-plugin-config", Severity.ERROR)
def invalid_plugin_config(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """Plugin fields the ipvlan, macvlan, host-device or sriov plugin rejects.

    ## What it does
    ipvlan `mode` other than l2/l3/l3s, macvlan `mode` other than bridge/private/vepa/passthru,
    an `mtu` that is not an integer (or negative for macvlan), ipvlan without `ipam` as the
    first plugin, static IPAM without addresses and without the `ips` capability,
    host-device naming no device, sriov without `deviceID` or a `resourceName` annotation,
    and sriov `vlan`, `vlanQoS`, `vlanProto`, `link_state`, `spoofchk`, `trust`, tx-rate
    values out of range.

    ## Why it matters
    The plugin fails every ADD ("unknown ipvlan mode", "IPAM plugin returned missing IP
    config", "VF pci addr is required"), so no pod using the NAD starts.

    ## How to fix
    Set the field to a value the plugin accepts.

    ## Example
    ```yaml
    apiVersion: k8s.cni.cncf.io/v1
    kind: NetworkAttachmentDefinition
    metadata: {name: host-a}
    spec:
      config: |
        {"cniVersion": "0.4.0", "type": "host-device", "ipam": {"type": "static", "addresses": [{"address": "10.0.8.9/24"}]}}
    ```
    Use instead:
    ```yaml
    apiVersion: k8s.cni.cncf.io/v1
    kind: NetworkAttachmentDefinition
    metadata: {name: host-a}
    spec:
      config: |
        {"cniVersion": "0.4.0", "type": "host-device", "device": "eth2", "ipam": {"type": "static", "addresses": [{"address": "10.0.8.9/24"}]}}
    ```

    ## References
    - `reference/multus-cni.md` § 1d.1–1d.4 (plugin fields), § 1d.7 (static IPAM), § 1c.2 (`resourceName`).
    """
    for nad in nads(ctx):
        for index, (path, plugin) in enumerate(nad.plugins()):
            for problem in plugin_problems(plugin, path, first_in_chain=index == 0, resource_name=nad.view.resource_name):
                yield Violation(f"{problem.message} in NetworkAttachmentDefinition {nad.view.label}", nad.loc(problem.path),
                                "Set the field to a value the plugin accepts.")


@rule("NAD009", "master-is-primary-eni", Severity.WARNING)
def master_is_primary_eni(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """An ipvlan/macvlan `master` that is absent, empty or `eth0` in a cluster known to be EKS.

    ## What it does
    In a cluster known to be EKS (an eksctl ClusterConfig, an aws-node DaemonSet, VPC CNI Helm
    values, or a `clusters:` entry), reports ipvlan and macvlan NADs whose `master` is missing,
    empty or `eth0`.

    ## Why it matters
    Without `master` the plugin uses the default-route interface, which on an EKS node is the
    primary ENI the VPC CNI manages, as `eth0` is. Multus interfaces belong on separate ENIs
    tagged `node.k8s.amazonaws.com/no_manage=true`.

    ## How to fix
    Set `master` to the Multus ENI (`eth1`, `eth2`, … in attach order).

    ## Example
    ```yaml
    # .eks-net-lint.yaml: {clusters: {prod: {region: us-west-2}}}
    apiVersion: k8s.cni.cncf.io/v1
    kind: NetworkAttachmentDefinition
    metadata: {name: ipvlan-a, annotations: {eks-net-lint.io/ignore: NAD011}}
    spec:
      config: '{"cniVersion": "0.4.0", "type": "ipvlan", "master": "eth0", "ipam": {"type": "static", "addresses": [{"address": "10.0.4.70/24"}]}}'
    ```
    Use instead:
    ```yaml
    apiVersion: k8s.cni.cncf.io/v1
    kind: NetworkAttachmentDefinition
    metadata: {name: ipvlan-a, annotations: {eks-net-lint.io/ignore: NAD011}}
    spec:
      config: '{"cniVersion": "0.4.0", "type": "ipvlan", "master": "eth1", "ipam": {"type": "static", "addresses": [{"address": "10.0.4.70/24"}]}}'
    ```

    ## References
    - `reference/multus-cni.md` § 1d.1, § 1d.2 (`master` default), § 1e (no_manage ENIs, pitfall 5).
    """
    if not is_eks(ctx):
        return
    for nad in nads(ctx):
        for path, plugin in nad.plugins():
            problem = master_problem(plugin)
            if problem and not is_unknown(plugin.get("master")):
                where = (*path, "master") if "master" in plugin else (*path, "type")
                yield Violation(f"{problem} in NetworkAttachmentDefinition {nad.view.label}", nad.loc(where),
                                "Set master to the Multus ENI (eth1, eth2, ...) that the VPC CNI does not manage.")


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


@dataclass(frozen=True, slots=True)
class VpcUnawareOptions:
    """Options of NAD011."""

    ip_registration_images: tuple[str, ...] = field(
        default=("aws-ip-manager",),
        metadata={"doc": "Image name parts of containers that assign pod IPs to the Multus ENI; a NAD whose every user runs one is not reported."},
    )


@rule("NAD011", "vpc-unaware-ipam", Severity.INFO, options=VpcUnawareOptions)
def vpc_unaware_ipam(ctx: ClusterContext, opts: VpcUnawareOptions) -> Iterator[Violation]:
    """An ipvlan/macvlan NAD whose addresses the VPC does not know unless they are assigned to the ENI.

    ## What it does
    Reports ipvlan and macvlan NADs that give pods addresses through host-local, whereabouts
    or static IPAM, naming the range. A NAD is not reported when every workload that selects
    it runs an IP-registration container (init container or sidecar) from one of the
    configured images.

    ## Why it matters
    EKS does not manage the addresses of extra interfaces: the VPC only delivers traffic for
    addresses assigned to an ENI. Unless something calls EC2 `AssignPrivateIpAddresses` for
    every pod address on the master ENI, the traffic is dropped.

    ## How to fix
    Register the pod addresses on the Multus ENI (an init container or sidecar calling
    `AssignPrivateIpAddresses`, as in aws-samples/eks-automated-ipmgmt-multus-pods), or
    reserve the range on the subnet and assign it when the node starts.

    ## Example
    ```yaml
    apiVersion: k8s.cni.cncf.io/v1
    kind: NetworkAttachmentDefinition
    metadata: {name: ipvlan-a}
    spec:
      config: |
        {"cniVersion": "0.4.0", "type": "ipvlan", "master": "eth1", "ipam": {"type": "host-local", "subnet": "192.168.96.0/19", "rangeStart": "192.168.96.20", "rangeEnd": "192.168.96.40", "gateway": "192.168.96.1"}}
    ```
    Use instead:
    ```yaml
    apiVersion: k8s.cni.cncf.io/v1
    kind: NetworkAttachmentDefinition
    metadata: {name: host-a}
    spec:
      config: |
        {"cniVersion": "0.4.0", "type": "host-device", "device": "eth2", "ipam": {"type": "dhcp"}}
    ```

    ## Options
    - `ip-registration-images` (list of strings, default `["aws-ip-manager"]`): image name parts
      of containers that assign pod IPs to the Multus ENI (the aws-samples image is
      `aws-ip-manager`).

    ## References
    - `reference/multus-cni.md` § 1e (the VPC does not know Multus IPAM addresses; `AssignPrivateIpAddresses`), pitfall 1.
    """
    images = tuple(opts.ip_registration_images) if opts is not None else ()
    for item in _ipams(ctx):
        kind = item.plugin.get("type")
        if kind not in MASTER_PLUGINS or item.analysis.kind not in ("host-local", "whereabouts", "static"):
            continue
        users = _users(ctx, item.nad)
        if users and images and all(_registers(workload, images) for _, workload in users):
            continue
        pools = ", ".join(pool.text for pool in item.analysis.pools) or "the addresses they request"
        master = item.plugin.get("master")
        on = f" on master {master}" if isinstance(master, str) and master else ""
        yield Violation(
            f"{kind} NetworkAttachmentDefinition {item.nad.view.label} gives pods {pools}{on}; the VPC drops their "
            "traffic unless these addresses are assigned to the master ENI",
            item.nad.loc((*item.path, "ipam")),
            "Assign the pod addresses to the Multus ENI with AssignPrivateIpAddresses (an init container or sidecar).",
        )


def _registers(workload: Workload, images: tuple[str, ...]) -> bool:
    return any(any(part in (c.image or "") for part in images) for c in workload.containers())


@rule("NAD012", "ipam-range-suspicious", Severity.WARNING)
def ipam_range_suspicious(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """IPAM settings that load but do not do what they say.

    ## What it does
    A `gateway` outside the range's subnet or of the other address family; host bits in a
    whereabouts `range` (silently dropped); a whereabouts `range_start`/`range_end` outside the
    usable range (silently ignored); host-local with both a top-level `subnet` and `ranges`
    (both are used).

    ## Why it matters
    The plugin accepts the config and allocates from somewhere else than intended, or pods get
    a gateway they cannot reach.

    ## How to fix
    Write the range as the plugin reads it: the network address with its prefix, bounds inside it, a gateway inside it.

    ## Example
    ```yaml
    apiVersion: k8s.cni.cncf.io/v1
    kind: NetworkAttachmentDefinition
    metadata: {name: bridge-a}
    spec:
      config: |
        {"cniVersion": "0.4.0", "type": "bridge", "bridge": "br-a", "ipam": {"type": "whereabouts", "range": "192.168.2.225/28"}}
    ```
    Use instead:
    ```yaml
    apiVersion: k8s.cni.cncf.io/v1
    kind: NetworkAttachmentDefinition
    metadata: {name: bridge-a}
    spec:
      config: |
        {"cniVersion": "0.4.0", "type": "bridge", "bridge": "br-a", "ipam": {"type": "whereabouts", "range": "192.168.2.224/28"}}
    ```

    ## References
    - `reference/multus-cni.md` § 1d.5 (host-local gateway, subnet and ranges), § 1d.6 (whereabouts `GetIPRange`).
    """
    for item in _ipams(ctx):
        for problem in item.analysis.suspicious:
            yield Violation(f"{problem.message} in NetworkAttachmentDefinition {item.nad.view.label}", item.nad.loc(problem.path),
                            "Write the range as the plugin reads it, with its bounds and gateway inside it.")
