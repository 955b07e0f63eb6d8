"""CNI versions: settings newer than the image, outdated or mismatched images, registries, components."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from eks_net_lint.cni_settings import catalogue
from eks_net_lint.cni_version import (
    TAG_EKSBUILD,
    TAG_NONE,
    TAG_RELEASE,
    CniVersion,
    parse_image,
    parse_version,
    region_partition,
    registry_partition,
)
from eks_net_lint.context import ClusterContext
from eks_net_lint.cni_sources import HelmValues
from eks_net_lint.findings import Location, Related, Severity, Violation
from eks_net_lint.registry import rule
from eks_net_lint.settings import FieldValue, Scope

from .common import eksctl_version, stated_values

MAIN, INIT_IMAGE, AGENT = "containers[aws-node].image", "initContainers[aws-vpc-cni-init].image", "containers[aws-eks-nodeagent].image"
UNIX_SOCKET_SINCE = CniVersion(1, 23, 0)
AGENT_FOR_UNIX_SOCKET = CniVersion(1, 4, 1)
# reference/vpc-cni.md § 6.2 "Recommended Version": oldest recommended CNI per Kubernetes version.
RECOMMENDED = {(1, 33): CniVersion(1, 17, 1), (1, 32): CniVersion(1, 17, 1), (1, 31): CniVersion(1, 16, 4),
               (1, 30): CniVersion(1, 16, 0), (1, 29): CniVersion(1, 14, 1), (1, 28): CniVersion(1, 13, 4)}


@rule("CNI008", "setting-needs-newer-cni", Severity.WARNING)
def setting_needs_newer_cni(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """A setting written for an aws-node image older than the first version that reads it.

    ## What it does
    Compares every stated aws-node and aws-vpc-cni-init setting with the first VPC CNI version
    that reads it (settings catalogue, `reference/vpc-cni.md` § 1.2, § 6.1) and the version that
    runs: the managed add-on's version, else the aws-node image tag (DaemonSet, patch or Helm
    `image.tag`), else `clusters.<name>.cni-version`. It reports at the image (or add-on version)
    line, with the setting as a related location.

    ## Why it matters
    The old binary never reads the variable, so the feature silently stays off: prefix
    delegation on v1.8, `NETWORK_POLICY_ENFORCING_MODE` on v1.16.

    ## How to fix
    Upgrade the VPC CNI to at least the version named, or remove the setting.

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
              image: 602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.16.4
              env:
                - {name: NETWORK_POLICY_ENFORCING_MODE, value: "standard"}
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
              image: 602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.17.1
              env:
                - {name: NETWORK_POLICY_ENFORCING_MODE, value: "standard"}
    ```

    ## References
    - `reference/vpc-cni.md` § 1.2 ("since" column), § 1.3, § 6.1.
    """
    cat = catalogue()
    for scope in ctx.cni.scopes:
        fact = scope.version
        if fact is None or fact.version is None:
            if scope.values:
                where = "" if ctx.is_cluster else f"{scope.label}: "
                ctx.note_skip("CNI008", f"{where}the CNI version is unknown (no image tag, add-on version "
                                        "or clusters.<name>.cni-version)")
            continue
        for value in stated_values(scope):
            spec = cat.get(value.container, value.name)
            if spec is None or fact.version >= spec.since:
                continue
            where = fact.location or value.location
            yield Violation(f"{value.name} needs VPC CNI {spec.since} or later but the {fact.origin} is "
                            f"{fact.version}: the setting is silently ignored", where,
                            f"Upgrade the VPC CNI to {spec.since} or later, or remove {value.name}.",
                            (Related(value.location, f"{value.name} set here"),))


@dataclass(frozen=True, slots=True)
class OutdatedOptions:
    """Options of CNI009."""

    minimum_version: str = field(default="v1.13.4", metadata={
        "doc": "oldest acceptable aws-node image; a stricter per-Kubernetes-version minimum applies when known"})


def _minimum(ctx: ClusterContext, opts: OutdatedOptions) -> tuple[CniVersion, str]:
    floor = parse_version(opts.minimum_version) or CniVersion(1, 13, 4)
    k8s, _ = eksctl_version(ctx)
    recommended = RECOMMENDED.get(k8s) if k8s is not None else None
    if k8s is not None and recommended is not None and recommended > floor:
        return recommended, f"the oldest recommended for Kubernetes {k8s[0]}.{k8s[1]}"
    return floor, "the configured minimum"


def _images(scope: Scope, path: str) -> list[FieldValue]:
    return [f for f in scope.fields_at(path) if isinstance(f.value, str)]


@rule("CNI009", "outdated-cni", Severity.WARNING, options=OutdatedOptions)
def outdated_cni(ctx: ClusterContext, opts: OutdatedOptions) -> Iterator[Violation]:
    """An aws-node image older than the minimum, CNI images that disagree, or a tag that is no release.

    ## What it does
    Reports an aws-node image older than `minimum-version` (default v1.13.4, the oldest in the
    upstream recommendation table; with eksctl `metadata.version` 1.28–1.33 that version's
    recommended minimum when it is stricter); an aws-vpc-cni-init image whose version differs from
    the aws-node image of the same definition; in a cluster, aws-node images of different
    versions in different definitions (DaemonSets, Helm values); and an aws-node or init image
    tag that is not `vX.Y.Z` or `vX.Y.Z-eksbuild.N` (`latest`, `master`, release candidates).
    Digest-pinned images and eksctl add-on `version` values do not fire; the network policy agent
    is CNI020's.

    ## Why it matters
    Old releases lack fixes and features the rest of the configuration assumes; mixed versions
    mean the init container prepares the node for another release; a moving tag changes the CNI
    on the next node start without a review.

    ## How to fix
    Apply the whole manifest (or chart) of a current release, with the same tag on both images.

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
              image: 602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:latest
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
              image: 602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.23.1
    ```

    ## Options
    - `minimum-version` (str, default "v1.13.4"): oldest acceptable aws-node image; a stricter
      per-Kubernetes-version minimum applies when known.

    ## References
    - `reference/vpc-cni.md` § 3.2 (tags, init/aws-node pairing), § 6.2 (recommended versions).
    """
    floor, why = _minimum(ctx, opts)
    seen: list[tuple[CniVersion, FieldValue]] = []
    for scope in ctx.cni.scopes:
        for path, role in ((MAIN, "aws-node"), (INIT_IMAGE, "aws-vpc-cni-init")):
            for image in _images(scope, path):
                ref = parse_image(image.value)
                if ref is None or ref.tag_kind == TAG_NONE:
                    continue
                if ref.tag_kind not in (TAG_RELEASE, TAG_EKSBUILD):
                    yield Violation(f"{role} image tag {ref.tag} is not a release version (vX.Y.Z or vX.Y.Z-eksbuild.N)",
                                    image.location, "Pin the image to a release tag such as v1.23.1.")
                elif path == MAIN and ref.version is not None and ref.version < floor:
                    yield Violation(f"aws-node image {ref.version} is older than {floor}, {why}", image.location,
                                    f"Upgrade the VPC CNI to {floor} or later (apply the whole release manifest).")
        main, init = scope.field(MAIN), scope.field(INIT_IMAGE)
        main_ref = parse_image(main.value) if main else None
        init_ref = parse_image(init.value) if init else None
        if main and init and main_ref and init_ref and main_ref.version and init_ref.version \
                and main_ref.version != init_ref.version:
            yield Violation(f"aws-vpc-cni-init image {init_ref.version} differs from the aws-node image "
                            f"{main_ref.version}", init.location, "Use the same release tag on both images.",
                            (Related(main.location, "aws-node image"),))
        if ctx.is_cluster:
            for image in _images(scope, MAIN):
                ref = parse_image(image.value)
                if ref is not None and ref.version is not None and image.source != "daemonset-patch":
                    seen.append((ref.version, image))
    if seen:
        first_version, first = seen[0]
        for version, image in seen[1:]:
            if version != first_version:
                yield Violation(f"aws-node image {version} differs from {first_version} elsewhere in the cluster",
                                image.location, "Run one VPC CNI release per cluster.",
                                (Related(first.location, f"aws-node image {first_version}"),))


@rule("CNI019", "cni-image-partition-mismatch", Severity.WARNING)
def cni_image_partition_mismatch(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """A VPC CNI image from an ECR registry of another AWS partition than the cluster's region.

    ## What it does
    In a cluster whose region is known (eksctl `metadata.region` or `clusters.<name>.region`),
    reports an `amazon-k8s-cni` or `amazon-k8s-cni-init` image whose ECR domain
    (`amazonaws.com.cn` vs `amazonaws.com`), registry account or registry region belongs to
    another partition (commercial, China, GovCloud). Any commercial region may pull from any
    commercial registry.

    ## Why it matters
    Partitions are separate: the image cannot be pulled, so aws-node never starts on new nodes.

    ## How to fix
    Use the registry of the cluster's partition (for example `961992271922.dkr.ecr.cn-northwest-1.amazonaws.com.cn`
    in China, `013241004608.dkr.ecr.us-gov-west-1.amazonaws.com` in GovCloud West).

    ## Example
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: cn-north-1}
    iam: {withOIDC: true}
    ---
    apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: aws-node, namespace: kube-system}
    spec:
      template:
        spec:
          containers:
            - name: aws-node
              image: 602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.23.1
    ```
    Use instead:
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: cn-north-1}
    iam: {withOIDC: true}
    ---
    apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: aws-node, namespace: kube-system}
    spec:
      template:
        spec:
          containers:
            - name: aws-node
              image: 918309763551.dkr.ecr.cn-north-1.amazonaws.com.cn/amazon-k8s-cni:v1.23.1
    ```

    ## References
    - `reference/vpc-cni.md` § 3.2 (registry per region); `reference/vpc-and-eniconfig.md` § c.1 (partitions).
    """
    region = ctx.region if ctx.is_cluster else None
    partition = region_partition(region.value) if region is not None else None
    if region is None or partition is None:
        if ctx.is_cluster and ctx.cni.scopes and any(s.fields for s in ctx.cni.scopes):
            ctx.note_skip("CNI019", "the cluster's region (or its partition) is unknown")
        return
    for scope in ctx.cni.scopes:
        for path in (MAIN, INIT_IMAGE, MAIN + "-registry", INIT_IMAGE + "-registry"):
            for image in _images(scope, path):
                ref = parse_image(image.value)
                evidence = registry_partition(ref) if ref is not None and ref.component else None
                if ref is None or evidence is None or ref.ecr is None:
                    continue
                wrong = evidence.conflicts_with(partition)
                if wrong:
                    yield Violation(f"image registry {ref.registry} is not in the {partition} partition of region "
                                    f"{region.value} ({', '.join(wrong)} of another partition): it cannot be pulled",
                                    _registry_key(image, path, wrong), f"Use the VPC CNI registry of a {partition} region.",
                                    (Related(region.location, "cluster region"),) if region.location else ())


def _registry_key(image: FieldValue, path: str, wrong: tuple[str, ...]) -> Location:
    """For Helm values, the image key that names the wrong partition (they build the reference)."""
    if isinstance(image.view, HelmValues):
        block = image.view.image_block("image" if path.startswith(MAIN) else "init")
        for piece in wrong:
            if block is not None and piece in block:
                return block.loc(piece)
    return image.location


def _probe_addrs(scope: Scope) -> Iterator[tuple[str, FieldValue]]:
    for probe in ("livenessProbe", "readinessProbe"):
        command = scope.field(f"containers[aws-node].{probe}.exec.command")
        if command is not None and isinstance(command.value, list):
            for arg in command.value:
                if isinstance(arg, str) and arg.startswith("-addr="):
                    yield arg, command


@rule("CNI020", "cni-component-incompatible", Severity.ERROR)
def cni_component_incompatible(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """aws-node, its probes and the network policy agent from releases that cannot work together.

    ## What it does
    Within one aws-node DaemonSet (with its patches) or Helm values, reports an aws-node image
    v1.23.0 or later with an `aws-eks-nodeagent` image older than v1.4.1 or with probes using
    `-addr=:50051`, and an aws-node image before v1.23.0 with `-addr=unix://` probes; in an
    eksctl cluster, aws-node v1.16.0 or v1.16.1 with `metadata.version` 1.23 or earlier. It
    reports at the aws-node image line.

    ## Why it matters
    v1.23.0 moved ipamd's gRPC server to a Unix socket: older agents cannot reach it and the old
    TCP probe address fails, so aws-node restarts forever. v1.16.0–v1.16.1 write CNI spec 1.0.0,
    which Kubernetes 1.23 and earlier cannot use.

    ## How to fix
    Apply the whole manifest of one release so the image, probes and agent match.

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
              image: 602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.23.1
              livenessProbe:
                exec: {command: [/app/grpc-health-probe, "-addr=:50051"]}
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
              image: 602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.23.1
              livenessProbe:
                exec: {command: [/app/grpc-health-probe, "-addr=unix:///var/run/aws-node/ipamd.sock"]}
    ```

    ## References
    - `reference/vpc-cni.md` § 2 X38, § 3.1 (probes), § 3.2 (agent pairing), § 6.1.
    """
    k8s, k8s_loc = eksctl_version(ctx) if ctx.is_cluster else (None, None)
    for scope in ctx.cni.scopes:
        main = scope.field(MAIN)
        ref = parse_image(main.value) if main is not None and isinstance(main.value, str) else None
        if main is None or ref is None or ref.version is None:
            continue
        version = ref.version
        agent = scope.field(AGENT)
        agent_ref = parse_image(agent.value) if agent is not None and isinstance(agent.value, str) else None
        if version >= UNIX_SOCKET_SINCE and agent and agent_ref and agent_ref.version \
                and agent_ref.version < AGENT_FOR_UNIX_SOCKET:
            yield Violation(f"aws-node {version} needs aws-network-policy-agent {AGENT_FOR_UNIX_SOCKET} or later but the "
                            f"aws-eks-nodeagent image is {agent_ref.version}", main.location,
                            f"Use the network policy agent of the {version} release.", (Related(agent.location, "agent image"),))
        for addr, command in _probe_addrs(scope):
            unix = addr.startswith("-addr=unix://")
            if version >= UNIX_SOCKET_SINCE and not unix:
                yield Violation(f"aws-node {version} serves gRPC on unix:///var/run/aws-node/ipamd.sock but the probes "
                                f"use {addr}: they always fail", main.location,
                                "Use -addr=unix:///var/run/aws-node/ipamd.sock in both probes.",
                                (Related(command.location, "probe command"),))
            elif version < UNIX_SOCKET_SINCE and unix:
                yield Violation(f"aws-node {version} serves gRPC on :50051 but the probes use {addr}: they always fail",
                                main.location, "Use -addr=:50051 in both probes before v1.23.0.",
                                (Related(command.location, "probe command"),))
        if k8s is not None and k8s <= (1, 23) and CniVersion(1, 16, 0) <= version <= CniVersion(1, 16, 1):
            yield Violation(f"aws-node {version} writes CNI spec 1.0.0, which Kubernetes {k8s[0]}.{k8s[1]} cannot use",
                            main.location, "Use VPC CNI v1.16.2 or later.",
                            (Related(k8s_loc, "Kubernetes version"),) if k8s_loc else ())
