"""CTL004: an IPv6 eksctl cluster missing what eksctl requires (reference/eksctl.md § 3.2, § 3.3)."""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from eks_net_lint.aws.regions import is_china
from eks_net_lint.context import ClusterContext
from eks_net_lint.findings import Location, Severity, Violation
from eks_net_lint.located import LMap, dig, dig_list, is_unknown, text_of
from eks_net_lint.registry import rule
from eks_net_lint.views import ClusterConfig

from .common import addon_names, addons, key_at, flag, is_auto_mode, is_outposts, vpc_map

# hashicorp/go-version shape: up to three numeric segments, an optional pre-release and metadata.
_VERSION = re.compile(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")
MIN_VPC_CNI = (1, 10, 0)  # § 3.2 K7 (eksctl); AWS documents 1.10.1 (§ 2.2)
MIN_KUBERNETES = (1, 21)  # § 3.2 K8


def version_key(text: str) -> tuple[tuple[int, int, int], bool] | None:
    """(segments, is_release) so that a pre-release sorts below its release, as go-version does."""
    m = _VERSION.match(text.strip())
    if m is None:
        return None
    parts = tuple(int(p) if p else 0 for p in m.groups()[:3])
    return (parts[0], parts[1], parts[2]), m.group(4) is None


def _at(cc: ClusterConfig, *keys: Any) -> Location:
    return cc.loc(*keys)


def _ipv6_family_checks(cc: ClusterConfig) -> Iterator[tuple[str, Location, str]]:
    """(what is wrong, where, fix) for every eksctl IPv6 prerequisite the file breaks."""
    family = _at(cc, "kubernetesNetworkConfig", "ipFamily")
    names = addon_names(cc)
    if text_of(dig(cc.data, "kubernetesNetworkConfig", "serviceIPv4CIDR")) is not None:  # K1
        yield ("kubernetesNetworkConfig.serviceIPv4CIDR is not supported with IPv6",
               _at(cc, "kubernetesNetworkConfig", "serviceIPv4CIDR"), "Remove serviceIPv4CIDR.")
    if "coredns" not in names:  # K4
        yield ("the coredns add-on is not listed under addons", family, "Add the coredns add-on to addons.")
    vpc_cni = next((entry for name, entry in addons(cc) if name.lower() == "vpc-cni"), None)
    if vpc_cni is not None:
        pod_identity = "eks-pod-identity-agent" in names
        if not pod_identity and not flag(dig(cc.data, "iam", "withOIDC")):  # K5
            yield ("vpc-cni is listed but neither OIDC (iam.withOIDC) nor the eks-pod-identity-agent add-on is enabled",
                   vpc_cni.loc("name"), "Set iam.withOIDC: true, or add the eks-pod-identity-agent add-on.")
        if pod_identity and not flag(dig(cc.data, "addonsConfig", "autoApplyPodIdentityAssociations")) \
                and not flag(vpc_cni.get("useDefaultPodIdentityAssociations")) \
                and not dig_list(vpc_cni, "podIdentityAssociations"):  # K6
            yield ("eks-pod-identity-agent is listed but vpc-cni gets no pod identity association",
                   vpc_cni.loc("name"),
                   "Set useDefaultPodIdentityAssociations: true on vpc-cni, or "
                   "addonsConfig.autoApplyPodIdentityAssociations: true.")
        version = text_of(vpc_cni.get("version"))
        if version and not is_unknown(version) and version.lower() != "latest":  # K7
            key = version_key(version)
            if key is None:
                yield (f"vpc-cni version {version} does not parse as a version", vpc_cni.loc("version"),
                       "Use a vpc-cni version such as v1.19.0-eksbuild.1, or latest.")
            elif key < (MIN_VPC_CNI, True):
                why = " (a pre-release suffix sorts below 1.10.0)" if key[0] >= MIN_VPC_CNI else ""
                yield (f"vpc-cni version {version} is older than 1.10.0{why}", vpc_cni.loc("version"),
                       "Use vpc-cni 1.10.1 or newer (AWS requires 1.10.1 for IPv6).")
    kube = text_of(dig(cc.data, "metadata", "version"))
    key = version_key(kube) if kube and not is_unknown(kube) else None
    if key is not None and key[0][:2] < MIN_KUBERNETES:  # K8
        yield (f"Kubernetes version {kube} is older than 1.21", _at(cc, "metadata", "version"),
               "Use Kubernetes 1.21 or newer.")
    vpc = vpc_map(cc) or LMap("", (1, 1, 1, 1))
    if flag(vpc.get("autoAllocateIPv6")):  # I1
        yield ("vpc.autoAllocateIPv6 is not supported with IPv6", vpc.loc("autoAllocateIPv6"),
               "Remove vpc.autoAllocateIPv6.")
    has_cidr, has_pool = "ipv6Cidr" in vpc, "ipv6Pool" in vpc
    if has_cidr != has_pool:  # I2
        key_set = "ipv6Cidr" if has_cidr else "ipv6Pool"
        yield ("vpc.ipv6Cidr and vpc.ipv6Pool must be set together", vpc.loc(key_set),
               "Set both vpc.ipv6Cidr and vpc.ipv6Pool, or neither.")
    elif has_cidr and "id" in vpc:  # I3
        yield ("vpc.ipv6Cidr cannot be used with a pre-existing vpc.id", vpc.loc("ipv6Cidr"),
               "Remove vpc.ipv6Cidr and vpc.ipv6Pool, or let eksctl create the VPC.")
    if "nat" in vpc:  # I4
        yield ("vpc.nat is not supported with IPv6", vpc.key_loc("nat"), "Remove vpc.nat.")
    if dig_list(cc.data, "localZones"):  # I5
        yield ("localZones are not supported with IPv6", key_at(cc.data, "localZones"), "Remove localZones.")
    if dig_list(cc.data, "nodeGroups"):  # I8
        yield ("self-managed nodeGroups are not supported with IPv6", cc.data.key_loc("nodeGroups"),
               "Use managedNodeGroups instead of nodeGroups.")
    if "remoteNetworkConfig" in cc.data:  # I11
        yield ("remoteNetworkConfig is not supported with IPv6", cc.data.key_loc("remoteNetworkConfig"),
               "Remove remoteNetworkConfig, or use an IPv4 cluster for hybrid nodes.")
    if is_outposts(cc):  # I12
        yield ("IPv6 is not supported on Outposts", cc.data.key_loc("outpost"), "Use an IPv4 cluster on Outposts.")
    if is_china(cc.region):  # § 2.2 (AWS): not in China Regions
        yield (f"region {cc.region} is a China Region, where EKS offers no IPv6 clusters", _at(cc, "metadata", "region"),
               "Use an IPv4 cluster in China Regions.")


def _ipv4_family_checks(cc: ClusterConfig) -> Iterator[tuple[str, Location, str]]:
    vpc = vpc_map(cc)
    if vpc is None:
        return
    for key in ("ipv6Cidr", "ipv6Pool"):  # I6
        if key in vpc:
            yield (f"vpc.{key} is only supported when ipFamily is IPv6", vpc.loc(key),
                   f"Remove vpc.{key}, or set kubernetesNetworkConfig.ipFamily: IPv6.")
    if dig_list(vpc, "extraIPv6CIDRs"):  # I7
        yield ("vpc.extraIPv6CIDRs cannot be used with an IPv4 cluster", vpc.key_loc("extraIPv6CIDRs"),
               "Remove vpc.extraIPv6CIDRs.")


@rule("CTL004", "ipv6-prerequisites", Severity.ERROR)
def ipv6_prerequisites(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """An IPv6 eksctl cluster missing what eksctl requires, or IPv6-only fields in an IPv4 cluster.

    ## What it does
    For `kubernetesNetworkConfig.ipFamily: IPv6` (any letter case), reports what eksctl
    rejects: `serviceIPv4CIDR` set; no `coredns` add-on; `vpc-cni` listed without OIDC
    (`iam.withOIDC`) or the `eks-pod-identity-agent` add-on, or with that agent but no pod
    identity for vpc-cni; a vpc-cni `version` below 1.10.0 (empty and `latest` pass);
    `metadata.version` below 1.21 (unset means eksctl's current default); `vpc.autoAllocateIPv6`,
    `vpc.nat`, `localZones`, self-managed `nodeGroups`, `remoteNetworkConfig`, Outposts;
    `vpc.ipv6Cidr` without `vpc.ipv6Pool` (or with `vpc.id`); a China Region. For IPv4 it
    reports `vpc.ipv6Cidr`, `vpc.ipv6Pool` and `vpc.extraIPv6CIDRs`; for any cluster an
    `ipFamily` other than IPv4 or IPv6. The rule is skipped under EKS Auto Mode.

    ## Why it matters
    eksctl stops with errors such as `the default core addons must be defined for IPv6; missing
    addon(s): coredns` or `unmanaged nodegroups are not supported with IPv6 clusters` — some
    only after the control plane exists — and AWS offers no IPv6 clusters in China Regions.

    ## How to fix
    Add what is missing (coredns, OIDC or pod identity, a newer vpc-cni or Kubernetes version)
    and remove the fields IPv6 clusters cannot use.

    ## Example
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2, version: "1.31"}
    availabilityZones: [us-west-2a, us-west-2b]
    kubernetesNetworkConfig: {ipFamily: IPv6}
    iam: {withOIDC: true}
    addons:
      - name: vpc-cni
      - name: kube-proxy
    ```
    Use instead:
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2, version: "1.31"}
    availabilityZones: [us-west-2a, us-west-2b]
    kubernetesNetworkConfig: {ipFamily: IPv6}
    iam: {withOIDC: true}
    addons:
      - name: vpc-cni
      - name: kube-proxy
      - name: coredns
    ```

    ## References
    - `reference/eksctl.md` § 3.2 K1, K3–K8 and § 3.3 I1–I8, I11, I12 (eksctl's checks and messages).
    - `reference/eksctl.md` § 2.2 (AWS: IPv6 needs VPC CNI 1.10.1 and is not offered in China Regions).
    """
    for cc in ctx.cluster_configs:
        if is_auto_mode(cc):
            continue
        family = dig(cc.data, "kubernetesNetworkConfig", "ipFamily")
        text = text_of(family)
        if text is None or is_unknown(text):
            checks: Iterator[tuple[str, Location, str]] = _ipv4_family_checks(cc) if family is None else iter(())
        elif text.lower() == "ipv6":
            checks = _ipv6_family_checks(cc)
        elif text.lower() in ("ipv4", ""):
            checks = _ipv4_family_checks(cc)
        else:  # K3
            yield Violation(
                f"ipFamily {text} of cluster {cc.name} is neither IPv4 nor IPv6",
                cc.loc("kubernetesNetworkConfig", "ipFamily"),
                "Set kubernetesNetworkConfig.ipFamily to IPv4 or IPv6.",
            )
            continue
        ipv6 = text is not None and text.lower() == "ipv6"
        for what, loc, fix in checks:
            prefix = f"IPv6 cluster {cc.name}: " if ipv6 else f"IPv4 cluster {cc.name}: "
            yield Violation(prefix + what, loc, fix)
