"""NAD plugin rules: fields the plugin rejects, the master interface, addresses the VPC does not know."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from eks_net_lint.cni.model import is_eks, nads
from eks_net_lint.cni.plugins import MASTER_PLUGINS, master_problem, plugin_problems
from eks_net_lint.context import ClusterContext
from eks_net_lint.findings import Severity, Violation
from eks_net_lint.located import is_unknown
from eks_net_lint.registry import rule
from eks_net_lint.views import Workload

from .ipam import ipam_uses, users_of


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
    for item in ipam_uses(ctx):
        kind = item.plugin.get("type")
        if kind not in MASTER_PLUGINS or item.analysis.kind not in ("host-local", "whereabouts", "static"):
            continue
        users = users_of(ctx, item.nad)
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
