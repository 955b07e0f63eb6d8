"""MUL: Multus configs, their master network, their version and their Kubernetes access."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eks_net_lint.cni.model import CniDoc, MultusImage, daemon_configs, locate, multus_images, nads, node_configs, pod_networks
from eks_net_lint.cni.multus import (
    above,
    cluster_network_file,
    config_problems,
    delegates,
    drift,
    flavour,
    is_thick_image,
    master_delegate,
    parse_args,
    thin_arg_problem,
    version_compat_problem,
)
from eks_net_lint.cni.chain import is_vpc_cni_chain
from eks_net_lint.cni.spec import AWS_FILENAME, is_plugin_list, version_tuple
from eks_net_lint.context import ClusterContext
from eks_net_lint.findings import Location, Related, Severity, Violation
from eks_net_lint.located import LList, LMap, is_unknown
from eks_net_lint.registry import rule


def _multus_docs(ctx: ClusterContext, *, running: bool = False) -> list[CniDoc]:
    """Multus configs; with ``running``, without ConfigMap copies when Multus generates its own config."""
    docs = [doc for doc in node_configs(ctx) if doc.is_multus]
    if running and _generates_config(ctx):
        docs = [doc for doc in docs if doc.view.sig.kind != "ConfigMap"]
    return docs


def _generates_config(ctx: ClusterContext) -> bool:
    """``--multus-conf-file=auto`` (thin) or ``multusConfigFile: auto`` (thick): a ConfigMap copy is not what runs.

    The EKS manifests mount their ConfigMap only for a manual ``--multus-conf-file`` (reference/multus-cni.md § 1a.7).
    """
    for image in multus_images(ctx):
        args = image.container.data.get("args")
        if isinstance(args, LList) and parse_args(args).get("multus-conf-file", (0, ""))[1] == "auto":
            return True
    return any(config.get("multusConfigFile") == "auto" for _label, config in daemon_configs(ctx))


@rule("MUL001", "multus-no-delegate", Severity.ERROR)
def multus_no_delegate(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """A Multus CNI config with neither `delegates` nor `clusterNetwork`, or with another `type`.

    ## What it does
    A Multus config is a CNI config whose `type` is `multus` or `multus-shim`, or a file (or
    ConfigMap key) named `*multus*.conf(list)`. It must name its cluster network in
    `delegates` (a non-empty list) or `clusterNetwork`, and its `type` must be `multus`
    (thin) or `multus-shim` (thick). The thick daemon's `daemon-config.json` (keys
    `multusConfigFile`, `multusMasterCNI`, `cniConfigDir`) is not a CNI config.

    ## Why it matters
    Multus fails every pod ADD with "at least one delegate/clusterNetwork must be specified",
    and a Multus file whose `type` names another plugin never runs Multus at all.

    ## How to fix
    Add the VPC CNI as first delegate (or set `clusterNetwork`), and set `type` to `multus`.

    ## Example
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: multus-cni-config, namespace: kube-system}
    data:
      cni-conf.json: |
        {"cniVersion": "0.3.1", "name": "multus-cni-network", "type": "multus",
         "kubeconfig": "/etc/cni/net.d/multus.d/multus.kubeconfig"}
    ```
    Use instead:
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: multus-cni-config, namespace: kube-system}
    data:
      cni-conf.json: |
        {"cniVersion": "0.3.1", "name": "multus-cni-network", "type": "multus",
         "kubeconfig": "/etc/cni/net.d/multus.d/multus.kubeconfig",
         "delegates": [{"cniVersion": "0.3.1", "name": "aws-cni",
                        "plugins": [{"type": "aws-cni"}, {"type": "portmap", "snat": true}]}]}
    ```

    ## References
    - `reference/multus-cni.md` § 1b.1 (thin and thick configs), § 1b.3 (`LoadNetConf`).
    """
    for doc in _multus_docs(ctx):
        for problem in config_problems(doc.config):
            yield Violation(f"{problem.message} in {doc.label}", doc.loc(problem.path),
                            "List the cluster network in 'delegates' (or set 'clusterNetwork') and use type multus.")


def _master_files(ctx: ClusterContext) -> dict[str, CniDoc]:
    return {doc.filename: doc for doc in node_configs(ctx) if doc.filename is not None and not doc.is_multus}


def _lowest_limit(images: list[MultusImage]) -> MultusImage | None:
    known = [image for image in images if image.limit is not None]
    return min(known, key=lambda image: version_tuple(image.limit) or (0, 0, 0)) if known else None


def _version_loc(config: LMap, fallback: Location) -> Location:
    return config.loc("cniVersion") if "cniVersion" in config else fallback


@rule("MUL002", "multus-version-mismatch", Severity.ERROR)
def multus_version_mismatch(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """A Multus `cniVersion` its master refuses, or a version above what the cluster's Multus image accepts.

    ## What it does
    - Multus `cniVersion` 0.4.0 or later over a master (first delegate, or the
      `clusterNetwork` / `multusMasterCNI` file) below 0.4.0 or without `cniVersion`.
    - A thin Multus v4 DaemonSet whose `--cni-version` differs from the master file's
      `cniVersion` (v3: the same 0.4.0 rule).
    - In a cluster (ctx): a Multus, delegate, master or NAD `cniVersion` above what the
      Multus image accepts: v3.x up to 0.4.0, v4.0 up to 1.0.0, v4.1+ up to 1.1.0.
    A lower Multus version over a higher delegate is compatible. A Multus config held in a
    ConfigMap is not checked when the cluster's Multus generates its own (`--multus-conf-file=auto`
    or `multusConfigFile: auto`): the copy is then not what runs.

    ## Why it matters
    The Multus generators refuse to write the config ("delegate cni version is … while top
    level cni version is …"), and a v3.x Multus (libcni 0.8.1) rejects 1.0.0 configs with
    "incompatible CNI versions": every pod with an extra network fails to start.

    ## How to fix
    Keep Multus at or below its master's version, and keep every NAD at a version the Multus image accepts.

    ## Example
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: multus-cni-config, namespace: kube-system}
    data:
      00-multus.conf: |
        {"cniVersion": "0.4.0", "name": "multus-cni-network", "type": "multus",
         "kubeconfig": "/etc/cni/net.d/multus.d/multus.kubeconfig",
         "delegates": [{"cniVersion": "0.3.1", "name": "aws-cni",
                        "plugins": [{"type": "aws-cni"}, {"type": "portmap", "snat": true}]}]}
    ```
    Use instead:
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: multus-cni-config, namespace: kube-system}
    data:
      00-multus.conf: |
        {"cniVersion": "0.3.1", "name": "multus-cni-network", "type": "multus",
         "kubeconfig": "/etc/cni/net.d/multus.d/multus.kubeconfig",
         "delegates": [{"cniVersion": "0.3.1", "name": "aws-cni",
                        "plugins": [{"type": "aws-cni"}, {"type": "portmap", "snat": true}]}]}
    ```

    ## References
    - `reference/multus-cni.md` § 1a.1 (Multus release → libcni → accepted versions), § 1b.3
      (`CheckVersionCompatibility`, the v4 thin entrypoint's `--cni-version` rule).
    """
    masters = _master_files(ctx) if ctx.is_cluster else {}
    hint = "Set the Multus cniVersion to one its master config (and Multus image) supports."
    for doc in _multus_docs(ctx, running=True):
        found = master_delegate(doc.config)
        if found is not None:
            path, master = found
            problem = version_compat_problem(doc.config.get("cniVersion"), master.get("cniVersion"), f"delegate {path[-1]}")
            if problem:
                yield Violation(f"{problem} in {doc.label}", _version_loc(doc.config, doc.anchor), hint,
                                (Related(locate(doc.config, (*path, "cniVersion"), doc.loc(path)), "the master delegate"),))
        name = cluster_network_file(doc.config)
        if name in masters:
            yield from _compat_with_file(doc.config, doc.label, doc.anchor, masters[name], hint)
    for label, config in daemon_configs(ctx):
        name = cluster_network_file(config)
        if name in masters:
            yield from _compat_with_file(config, f"Multus daemon config {label}", config.loc(), masters[name], hint)
    if not ctx.is_cluster:
        return
    images = multus_images(ctx)
    for image in images:
        yield from _thin_args(image, masters)
    lowest = _lowest_limit(images)
    if lowest is None or lowest.limit is None:
        return
    version_text = ".".join(map(str, lowest.version or ()))
    for config, label in _versioned(ctx, masters):
        value = config.get("cniVersion")
        if not is_unknown(value) and above(value, lowest.limit):
            yield Violation(
                f"cniVersion {value} of {label} is above {lowest.limit}, the highest the cluster's Multus {version_text} accepts",
                config.loc("cniVersion"),
                f"Lower the cniVersion to {lowest.limit} or upgrade Multus to a release that accepts {value}.",
                (Related(lowest.location, f"Multus image {lowest.text}"),),
            )


def _compat_with_file(config: LMap, label: str, where: Location, master: CniDoc, hint: str) -> Iterator[Violation]:
    problem = version_compat_problem(config.get("cniVersion"), master.config.get("cniVersion"), master.label)
    if problem:
        yield Violation(f"{problem} in {label}", _version_loc(config, where), hint,
                        (Related(_version_loc(master.config, master.anchor), "the master config"),))


def _thin_args(image: MultusImage, masters: dict[str, CniDoc]) -> Iterator[Violation]:
    if is_thick_image(image.text):
        return
    args = image.container.data.get("args")
    if not isinstance(args, LList):
        return
    flags = parse_args(args)
    version = flags.get("cni-version")
    master_name = flags.get("multus-master-cni-file-name")
    if version is None or master_name is None or master_name[1] not in masters:
        return
    master = masters[master_name[1]]
    arg = version[1]
    if image.version is not None and image.version[0] >= 4:
        problem = thin_arg_problem(arg, master.config.get("cniVersion"), master.label)
    else:
        problem = version_compat_problem(arg, master.config.get("cniVersion"), master.label)
    if problem:
        yield Violation(f"{problem} in DaemonSet {image.view.sig.name}", args.loc(version[0]),
                        "Set --cni-version to the cniVersion of the master config.",
                        (Related(_version_loc(master.config, master.anchor), "the master config"),))


def _versioned(ctx: ClusterContext, masters: dict[str, CniDoc]) -> Iterator[tuple[LMap, str]]:
    """Every config the cluster's Multus runs: its own configs, their delegates, master files and NADs."""
    for doc in _multus_docs(ctx, running=True):
        yield doc.config, doc.label
        for path, delegate in delegates(doc.config):
            if isinstance(delegate, LMap):
                yield delegate, f"delegate {path[-1]} of {doc.label}"
        name = cluster_network_file(doc.config)
        if name in masters:
            yield masters[name].config, masters[name].label
    for _label, config in daemon_configs(ctx):
        name = cluster_network_file(config)
        if name in masters:
            yield masters[name].config, masters[name].label
    for nad in nads(ctx):
        if nad.config is not None:
            yield nad.config, f"NetworkAttachmentDefinition {nad.view.label}"


@rule("MUL003", "multus-missing-kubeconfig", Severity.WARNING)
def multus_missing_kubeconfig(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """A thin Multus config without `kubeconfig` in a cluster that has NADs or network annotations.

    ## What it does
    In a cluster (ctx) that defines NetworkAttachmentDefinitions or pods with
    `k8s.v1.cni.cncf.io/networks`, reports a thin Multus config (`type: multus`) that has no
    `kubeconfig`. A ConfigMap copy is skipped when Multus generates its own config
    (`--multus-conf-file=auto`).

    ## Why it matters
    The thin plugin runs as a binary on the host: without `kubeconfig` it has no Kubernetes
    client, never reads the pod's annotation, and only runs its `delegates`. Extra networks
    are silently not attached.

    ## How to fix
    Set `kubeconfig` to the file the Multus DaemonSet writes
    (`/etc/cni/net.d/multus.d/multus.kubeconfig`).

    ## Example
    ```yaml
    # .eks-net-lint.yaml: {clusters: {prod: {region: us-west-2}}}
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: multus-cni-config, namespace: kube-system}
    data:
      00-multus.conf: |
        {"cniVersion": "0.3.1", "name": "multus-cni-network", "type": "multus",
         "delegates": [{"cniVersion": "0.3.1", "name": "aws-cni",
                        "plugins": [{"type": "aws-cni"}, {"type": "portmap", "snat": true}]}]}
    ---
    apiVersion: v1
    kind: Pod
    metadata:
      name: app
      annotations: {k8s.v1.cni.cncf.io/networks: bridge-a}
    spec: {containers: [{name: app, image: busybox}]}
    ---
    apiVersion: k8s.cni.cncf.io/v1
    kind: NetworkAttachmentDefinition
    metadata: {name: bridge-a}
    spec:
      config: |
        {"cniVersion": "0.3.1", "type": "bridge", "bridge": "br-a", "ipam": {"type": "host-local", "subnet": "10.9.0.0/24"}}
    ```
    Use instead:
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: multus-cni-config, namespace: kube-system}
    data:
      00-multus.conf: |
        {"cniVersion": "0.3.1", "name": "multus-cni-network", "type": "multus",
         "kubeconfig": "/etc/cni/net.d/multus.d/multus.kubeconfig",
         "delegates": [{"cniVersion": "0.3.1", "name": "aws-cni",
                        "plugins": [{"type": "aws-cni"}, {"type": "portmap", "snat": true}]}]}
    ---
    apiVersion: v1
    kind: Pod
    metadata:
      name: app
      annotations: {k8s.v1.cni.cncf.io/networks: bridge-a}
    spec: {containers: [{name: app, image: busybox}]}
    ---
    apiVersion: k8s.cni.cncf.io/v1
    kind: NetworkAttachmentDefinition
    metadata: {name: bridge-a}
    spec:
      config: |
        {"cniVersion": "0.3.1", "type": "bridge", "bridge": "br-a", "ipam": {"type": "host-local", "subnet": "10.9.0.0/24"}}
    ```

    ## References
    - `reference/multus-cni.md` § 1b.4 (`GetK8sClient`: no kubeconfig, no client; annotations ignored).
    """
    if not ctx.is_cluster:
        return
    users: list[Related] = [Related(nad.view.anchor(), f"NetworkAttachmentDefinition {nad.view.label}") for nad in nads(ctx)]
    users += [Related(pod.location, f"networks annotation of {pod.label}") for pod in pod_networks(ctx)]
    if not users:
        return
    for doc in _multus_docs(ctx, running=True):
        if flavour(doc.config) != "thin":
            continue
        kubeconfig = doc.config.get("kubeconfig")
        if isinstance(kubeconfig, str) and kubeconfig:
            continue
        yield Violation(
            f"thin Multus config {doc.label} has no kubeconfig, so it never reads the cluster's "
            f"{len(users)} NADs and network annotations",
            doc.config.loc("type"),
            'Set "kubeconfig" to /etc/cni/net.d/multus.d/multus.kubeconfig.',
            tuple(users[:3]),
        )


@rule("MUL004", "multus-delegate-drift", Severity.WARNING)
def multus_delegate_drift(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """The VPC CNI delegate copied into a Multus config differs from the cluster's real `10-aws.conflist`.

    ## What it does
    In a cluster (ctx) that holds a `10-aws.conflist` (a file or a ConfigMap key), compares each
    Multus delegate that runs `aws-cni` with it: `cniVersion`, `name`, the plugin chain, and
    every plugin field. Template placeholders (`__MTU__`) are not compared. One finding per
    differing field. A ConfigMap copy is skipped when Multus generates its own config
    (`--multus-conf-file=auto`, as the EKS manifests do): that copy never runs.

    ## Why it matters
    The thin generators copy `10-aws.conflist` into `00-multus.conf` once; when the VPC CNI
    rewrites its file (MTU, veth prefix, `cniVersion`, egress plugin, capabilities) Multus
    keeps running the stale copy.

    ## How to fix
    Regenerate the Multus config from the current `10-aws.conflist`, or point Multus at the
    file (`clusterNetwork` / `multusMasterCNI`) instead of embedding a copy.

    ## Example
    ```yaml
    # .eks-net-lint.yaml: {clusters: {prod: {region: us-west-2}}}
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: node-cni, namespace: kube-system}
    data:
      10-aws.conflist: |
        {"cniVersion": "0.4.0", "name": "aws-cni", "plugins": [{"type": "aws-cni", "mtu": "9001"}, {"type": "portmap", "snat": true}]}
      00-multus.conf: |
        {"cniVersion": "0.3.1", "name": "multus-cni-network", "type": "multus",
         "kubeconfig": "/etc/cni/net.d/multus.d/multus.kubeconfig",
         "delegates": [{"cniVersion": "0.4.0", "name": "aws-cni",
                        "plugins": [{"type": "aws-cni", "mtu": "1500"}, {"type": "portmap", "snat": true}]}]}
    ```
    Use instead:
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: node-cni, namespace: kube-system}
    data:
      10-aws.conflist: |
        {"cniVersion": "0.4.0", "name": "aws-cni", "plugins": [{"type": "aws-cni", "mtu": "9001"}, {"type": "portmap", "snat": true}]}
      00-multus.conf: |
        {"cniVersion": "0.3.1", "name": "multus-cni-network", "type": "multus",
         "kubeconfig": "/etc/cni/net.d/multus.d/multus.kubeconfig",
         "delegates": [{"cniVersion": "0.4.0", "name": "aws-cni",
                        "plugins": [{"type": "aws-cni", "mtu": "9001"}, {"type": "portmap", "snat": true}]}]}
    ```

    ## References
    - `reference/multus-cni.md` § 1a.7 (the embedded copy drifts; thin generators copy once).
    """
    if not ctx.is_cluster:
        return
    docs = node_configs(ctx)
    reals = [doc for doc in docs if doc.filename == AWS_FILENAME and is_plugin_list(doc.config)]
    if not reals:
        return
    for doc in _multus_docs(ctx, running=True):
        real = next((r for r in reals if r.folder == doc.folder), reals[0])
        for path, delegate in delegates(doc.config):
            if not isinstance(delegate, LMap) or not is_vpc_cni_chain(delegate):
                continue
            for where, what in drift(delegate, real.config, is_unknown):
                yield Violation(
                    f"delegate {path[-1]} of {doc.label} differs from {real.label}: {what}",
                    locate(doc.config, (*path, *where), doc.loc(path)),
                    f"Regenerate the Multus delegate from the current {AWS_FILENAME}.",
                    (Related(real.anchor, f"the real {AWS_FILENAME}"),),
                )
