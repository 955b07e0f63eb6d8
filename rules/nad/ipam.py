"""NAD IPAM rules: ranges the plugin refuses, reserved or overlapping addresses, host-local across nodes."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from eks_net_lint.cni.ipam import IpamAnalysis, Pool, analyse_ipam, gateway_in_pool, reserved_in_pool
from eks_net_lint.cni.model import NadDoc, PodNetworks, nad_matches, nads, references
from eks_net_lint.cni.plugins import MASTER_PLUGINS
from eks_net_lint.cni.spec import JsonPath
from eks_net_lint.cni.views import replicas
from eks_net_lint.context import ClusterContext
from eks_net_lint.findings import Related, Severity, Violation
from eks_net_lint.located import dig, is_unknown
from eks_net_lint.registry import rule
from eks_net_lint.views import Workload


@dataclass(frozen=True, slots=True)
class IpamUse:
    nad: NadDoc
    path: JsonPath  # the plugin's path in spec.config
    plugin: Mapping[str, object]
    analysis: IpamAnalysis


def ipam_uses(ctx: ClusterContext) -> Iterator[IpamUse]:
    """Every IPAM block of the cluster's NADs with its analysis, computed once per context."""
    return iter(ctx.memo("nad.ipam_uses", lambda: list(_ipam_uses(ctx))))


def _ipam_uses(ctx: ClusterContext) -> Iterator[IpamUse]:
    for nad in nads(ctx):
        version = nad.config.get("cniVersion") if nad.config is not None else None
        for path, plugin in nad.plugins():
            ipam = plugin.get("ipam")
            if not isinstance(ipam, Mapping):
                continue
            caps = plugin.get("capabilities")
            runtime = isinstance(caps, Mapping) and caps.get("ipRanges") is True
            analysis = analyse_ipam(ipam, cni_version=version, base=(*path, "ipam"), runtime_ranges=runtime, unknown=is_unknown)
            yield IpamUse(nad, path, plugin, analysis)


def _pool_field(nad: NadDoc, pool: Pool) -> JsonPath:
    """Where a pool is written: its start bound when present, else its subnet or range (or the static address)."""
    keys = {"host-local": ("rangeStart", "subnet"), "whereabouts": ("range",), "static": ("address",)}[pool.kind]
    where = dig(nad.config, *pool.path)
    for key in keys:
        if isinstance(where, Mapping) and key in where:
            return (*pool.path, key)
    return pool.path


def users_of(ctx: ClusterContext, nad: NadDoc) -> list[tuple[PodNetworks, Workload]]:
    return [(pod, pod.workload) for pod, _i, ns, name in references(ctx) if nad_matches(nad.view, ns, name)]


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
    for item in ipam_uses(ctx):
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
    for item in ipam_uses(ctx):
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


def _same_store(a: IpamUse, b: IpamUse) -> bool:
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
    items = [i for i in ipam_uses(ctx) if i.plugin.get("type") in MASTER_PLUGINS and i.analysis.pools]
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
    for item in ipam_uses(ctx):
        if item.analysis.kind != "host-local":
            continue
        spread: list[tuple[PodNetworks, str]] = []
        for pod, workload in users_of(ctx, item.nad):
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
    for item in ipam_uses(ctx):
        for problem in item.analysis.suspicious:
            yield Violation(f"{problem.message} in NetworkAttachmentDefinition {item.nad.view.label}", item.nad.loc(problem.path),
                            "Write the range as the plugin reads it, with its bounds and gateway inside it.")
