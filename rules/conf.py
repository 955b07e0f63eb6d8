"""CONF: CNI network configuration files (10-aws.conflist, 00-multus.conf, …), wherever they are written."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eks_net_lint.cni.chain import chain_problems, is_vpc_cni_chain
from eks_net_lint.cni.model import CniDoc, conf_dir_listing, configmap_folder, locate, nads, node_configs
from eks_net_lint.cni.views import CniConfigMap
from eks_net_lint.cni.multus import delegates, is_multus_filename
from eks_net_lint.cni.spec import (
    cni_version_problem,
    conf_dir_order_problem,
    extension_problem,
    is_conf_dir,
    is_plugin_list,
    network_name_problem,
    structure_problems,
)
from eks_net_lint.context import ClusterContext
from eks_net_lint.findings import Location, Related, Severity, Violation
from eks_net_lint.located import LMap, is_unknown
from eks_net_lint.registry import rule

def _all_configs(ctx: ClusterContext) -> Iterator[tuple[LMap, str, Location, str]]:
    """(config, label, anchor, role) for node configs ("file"), NAD configs ("nad") and Multus delegates ("delegate")."""
    for doc in node_configs(ctx):
        yield doc.config, doc.label, doc.anchor, "file"
        if doc.is_multus:
            for path, delegate in delegates(doc.config):
                if isinstance(delegate, LMap):
                    yield delegate, f"delegate {path[-1]} of {doc.label}", doc.loc(path), "delegate"
    for nad in nads(ctx):
        if nad.config is not None:
            yield nad.config, f"spec.config of NetworkAttachmentDefinition {nad.view.label}", nad.loc(()), "nad"


@rule("CONF001", "invalid-cni-version", Severity.ERROR)
def invalid_cni_version(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """A `cniVersion` that is not a string or not exactly one of the CNI spec versions.

    ## What it does
    Checks the top-level `cniVersion` of every CNI config (files, ConfigMap entries, DaemonSet env
    values, Multus delegates and NAD `spec.config`): it must be a JSON string equal to one of
    0.1.0, 0.2.0, 0.3.0, 0.3.1, 0.4.0, 1.0.0 or 1.1.0. A missing one is CONF007's.

    ## Why it matters
    Plugins compare the version as an exact string: `"1.0"`, `"v1.0.0"` or the number `1.0`
    fail every ADD with "incompatible CNI versions", and the pods stay in ContainerCreating.

    ## How to fix
    Write one of the spec versions, quoted, that every plugin of the chain supports.

    ## Example
    ```yaml
    apiVersion: k8s.cni.cncf.io/v1
    kind: NetworkAttachmentDefinition
    metadata: {name: bridge-a}
    spec:
      config: |
        {"cniVersion": "1.0", "type": "bridge", "bridge": "br-a", "ipam": {"type": "host-local", "subnet": "10.9.0.0/24"}}
    ```
    Use instead:
    ```yaml
    apiVersion: k8s.cni.cncf.io/v1
    kind: NetworkAttachmentDefinition
    metadata: {name: bridge-a}
    spec:
      config: |
        {"cniVersion": "0.4.0", "type": "bridge", "bridge": "br-a", "ipam": {"type": "host-local", "subnet": "10.9.0.0/24"}}
    ```

    ## References
    - `reference/multus-cni.md` § 1a.1 (`version.All`, the exact-string `Reconciler.Check`).
    """
    for config, label, _anchor, _role in _all_configs(ctx):
        if "cniVersion" not in config:
            continue
        value = config["cniVersion"]
        if value is None or value == "" or is_unknown(value):
            continue  # absent for libcni: CONF007
        problem = cni_version_problem(value)
        if problem:
            yield Violation(f"{problem} in {label}", config.loc("cniVersion"),
                            'Set cniVersion to a spec version as a string, e.g. "0.4.0".')


@rule("CONF002", "invalid-network-name", Severity.ERROR)
def invalid_network_name(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """A network `name` missing from a config file, or not matching the CNI name pattern.

    ## What it does
    Requires a top-level `name` in every CNI config file or list (also in ConfigMaps and env
    values) and checks every `name` that is present (NAD `spec.config`, Multus delegates)
    against `^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`. In a NAD the name may be left out: Multus injects
    the NAD's own name.

    ## Why it matters
    libcni refuses a list without `name` ("no name"); host-local keeps its address store in a
    directory named after the network and libcni ≥ 1.2 loads extra plugins from
    `<confdir>/<name>/`, so a name with `/` or spaces breaks both.

    ## How to fix
    Give the config a name of letters, digits, `_`, `.` and `-`, starting with a letter or digit.

    ## Example
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: cni, namespace: kube-system}
    data:
      10-aws.conflist: |
        {"cniVersion": "0.4.0", "name": "aws cni", "plugins": [{"type": "aws-cni"}, {"type": "portmap", "snat": true}]}
    ```
    Use instead:
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: cni, namespace: kube-system}
    data:
      10-aws.conflist: |
        {"cniVersion": "0.4.0", "name": "aws-cni", "plugins": [{"type": "aws-cni"}, {"type": "portmap", "snat": true}]}
    ```

    ## References
    - `reference/multus-cni.md` § 1a.2 (libcni "no name"), § 1a.5 (name rules), § 1c.2 (NAD names injected).
    """
    for config, label, anchor, role in _all_configs(ctx):
        if "name" not in config:
            if role == "file":
                yield Violation(f"no network name in {label}", anchor,
                                'Add a "name" of letters, digits, "_", "." or "-" to the config.')
            continue
        value = config["name"]
        if is_unknown(value):
            continue
        problem = network_name_problem(value)
        if problem:
            yield Violation(f"{problem} in {label}", config.loc("name"),
                            "Rename the network with letters, digits, '_', '.' and '-', starting with a letter or digit.")


def _reading(doc: CniDoc) -> bool:
    """How to judge the structure: the file's own reading, or the content's when CONF004 reports a mismatch."""
    if doc.filename is not None and extension_problem(doc.filename, doc.config) is not None:
        return is_plugin_list(doc.config)
    return doc.as_list


@rule("CONF003", "invalid-plugin-list", Severity.ERROR)
def invalid_plugin_list(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """A plugin list without plugins, a plugin without `type`, or a `type` with a path separator.

    ## What it does
    A `.conflist` (or an embedded config without `type`) needs a non-empty `plugins` array of
    objects; every plugin, and a single-plugin config, needs a non-empty string `type`, and no
    `type` (nor `ipam.type`) may contain `/` or `\\`. Applies to files, ConfigMap entries,
    env values, Multus delegates and NAD configs.

    ## Why it matters
    libcni and Multus refuse such configs ("no plugins in list", "missing 'type'", "delegate
    must have the 'type' or 'plugin' field"); `type` is a binary name looked up in
    `/opt/cni/bin`, never a path.

    ## How to fix
    List the plugins under `plugins`, give each its binary name in `type`.

    ## Example
    ```yaml
    apiVersion: k8s.cni.cncf.io/v1
    kind: NetworkAttachmentDefinition
    metadata: {name: bridge-a}
    spec:
      config: |
        {"cniVersion": "0.4.0", "name": "bridge-a", "plugins": []}
    ```
    Use instead:
    ```yaml
    apiVersion: k8s.cni.cncf.io/v1
    kind: NetworkAttachmentDefinition
    metadata: {name: bridge-a}
    spec:
      config: |
        {"cniVersion": "0.4.0", "name": "bridge-a", "plugins": [{"type": "bridge", "bridge": "br-a"}]}
    ```

    ## References
    - `reference/multus-cni.md` § 1a.2, § 1a.3 (libcni list and plugin rules), § 1b.3 (`LoadDelegateNetConf`).
    """
    for doc in node_configs(ctx):
        yield from _structure(doc.config, doc.label, _reading(doc))
        if doc.is_multus:
            for path, delegate in delegates(doc.config):
                if isinstance(delegate, LMap):
                    yield from _structure(delegate, f"delegate {path[-1]} of {doc.label}", is_plugin_list(delegate))
    for nad in nads(ctx):
        if nad.config is not None:
            yield from _structure(nad.config, f"NetworkAttachmentDefinition {nad.view.label}", nad.as_list)


def _structure(config: LMap, label: str, as_list: bool) -> Iterator[Violation]:
    for problem in structure_problems(config, as_list=as_list):
        yield Violation(f"{problem.message} in {label}", locate(config, problem.path, config.loc()),
                        "Give every plugin its binary name in 'type' and list them under a non-empty 'plugins'.")


@rule("CONF004", "extension-mismatch", Severity.ERROR)
def extension_mismatch(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """A plugin list saved as `.conf`/`.json`, or a single plugin saved as `.conflist`.

    ## What it does
    Compares the content of each CNI config file (or ConfigMap key named like one) with its
    extension: `plugins` without `type` belongs in a `.conflist`; a single plugin with `type`
    and no `plugins` belongs in a `.conf`.

    ## Why it matters
    containerd loads every file not ending in `.conflist` as one plugin and fails it without
    `type`; libcni fails a `.conflist` without `plugins`. On an EKS node the first file is
    the only one used, so the node cannot network pods.

    ## How to fix
    Rename the file to match its content (or rewrite the content).

    ## Example
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: cni, namespace: kube-system}
    data:
      05-bridge.conf: |
        {"cniVersion": "0.4.0", "name": "br", "plugins": [{"type": "bridge"}]}
    ```
    Use instead:
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: cni, namespace: kube-system}
    data:
      05-bridge.conflist: |
        {"cniVersion": "0.4.0", "name": "br", "plugins": [{"type": "bridge"}]}
    ```

    ## References
    - `reference/multus-cni.md` § 1a.4 (containerd `loadFromConfDir`, libcni list loading).
    """
    for doc in node_configs(ctx):
        if doc.filename is None:
            continue
        problem = extension_problem(doc.filename, doc.config)
        if problem:
            yield Violation(f"{problem.message} in {doc.label}", doc.loc(problem.path),
                            "Rename the file so its extension matches its content (.conflist for a plugin list).")


@rule("CONF005", "config-file-order", Severity.ERROR)
def config_file_order(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """In a node CNI config directory, the first file is not Multus (or, without Multus, not `10-aws.conflist`).

    ## What it does
    A directory (or a ConfigMap mounted as one) is a node CNI config directory when it holds
    `10-aws.conflist` or `00-multus.conf(list)`. Its `.conf`, `.conflist` and `.json` names are
    sorted byte-wise, as containerd does; the first must be the Multus config when there is
    one, else `10-aws.conflist`. Backups such as `10-aws.conflist.bak` are ignored, as the
    runtime ignores them.

    ## Why it matters
    EKS nodes load only the lexically first config (`max_conf_num = 1`). A stray `05-x.conf`
    replaces the VPC CNI for every new pod; a Multus file sorting after `10-aws.conflist` is
    never called, so every network annotation is silently ignored.

    ## How to fix
    Rename or remove the stray file; name the Multus config `00-multus.conf`.

    ## Example
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: node-cni, namespace: kube-system}
    data:
      10-aws.conflist: |
        {"cniVersion": "0.4.0", "name": "aws-cni", "plugins": [{"type": "aws-cni"}, {"type": "portmap", "snat": true}]}
      05-custom.conf: |
        {"cniVersion": "0.4.0", "name": "custom", "type": "bridge"}
    ```
    Use instead:
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: node-cni, namespace: kube-system}
    data:
      10-aws.conflist: |
        {"cniVersion": "0.4.0", "name": "aws-cni", "plugins": [{"type": "aws-cni"}, {"type": "portmap", "snat": true}]}
      50-custom.conf: |
        {"cniVersion": "0.4.0", "name": "custom", "type": "bridge"}
    ```

    ## References
    - `reference/multus-cni.md` § 1a.6 (go-cni `loadFromConfDir`, EKS `max_conf_num = 1`), § 1a.7.
    """
    docs = node_configs(ctx)
    where: dict[tuple[str, str], Location] = {}
    for source in ctx.sources:
        folder, _, name = source.path.rpartition("/")
        where[(folder, name)] = Location(source.path, 1, 1, 1, 1)
    for cm in ctx.of(CniConfigMap):
        data = cm.data.get("data")
        if isinstance(data, LMap):
            folder = configmap_folder(cm)
            for key in data:
                where[(folder, str(key))] = data.key_loc(key)
    multus = {(d.folder, d.filename) for d in docs if d.is_multus and d.folder is not None and d.filename is not None}
    for doc in docs:
        if doc.folder is not None and doc.filename is not None and doc.view.sig.kind != "ConfigMap":
            where[(doc.folder, doc.filename)] = doc.anchor
    for folder, names in sorted(conf_dir_listing(ctx).items()):
        if not is_conf_dir(names):
            continue
        multus_names = [n for n in names if (folder, n) in multus or is_multus_filename(n)]
        problem = conf_dir_order_problem(names, multus_names)
        if problem is None:
            continue
        other = problem.expected if problem.report_on == problem.first else problem.first
        location = where.get((folder, problem.report_on))
        if location is None:
            continue
        related = tuple(Related(loc, f"{other} is here") for loc in [where.get((folder, other))] if loc is not None)
        shown = folder or "."
        if problem.report_on == problem.first:
            message = (f"config file {problem.first} sorts before {problem.expected} in {shown}: the runtime loads it "
                       f"as the node's network instead of {problem.expected}")
            fix = f"Rename or remove {problem.first} so that {problem.expected} sorts first."
        else:
            message = (f"the Multus config {problem.expected} sorts after {problem.first} in {shown}: the runtime loads "
                       f"{problem.first} and never calls Multus")
            fix = "Name the Multus config 00-multus.conf so it sorts before every other CNI config."
        yield Violation(message, location, fix, related)


def _egress_reason(ctx: ClusterContext) -> str | None:
    """Why the VPC CNI chain needs an egress plugin in this cluster (vpc-cni.md § 3.3, settings table), or None."""
    ipv6 = ctx.cni.is_true("ENABLE_IPv6") or (ctx.cluster_config is not None and ctx.cluster_config.is_ipv6())
    if ipv6:
        v4 = ctx.cni.get("ENABLE_V4_EGRESS")
        if v4 is None:
            return "the cluster is IPv6 (assuming ENABLE_V4_EGRESS is true: no source sets it)"
        return "the cluster is IPv6 and ENABLE_V4_EGRESS is true" if ctx.cni.is_true("ENABLE_V4_EGRESS") else None
    if ctx.cni.is_true("ENABLE_V6_EGRESS"):
        return "ENABLE_V6_EGRESS is true"
    return None


@rule("CONF006", "aws-cni-chain-broken", Severity.ERROR)
def aws_cni_chain_broken(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """A VPC CNI plugin list whose chain lacks what its mode needs, or lists a plugin twice.

    ## What it does
    For every plugin list that runs `aws-cni` (a `10-aws.conflist`, a ConfigMap copy, a
    Multus delegate): `aws-cni` must come first, `portmap` must be there (and not with
    `snat: false`), an egress plugin (`egress-cni`, `egress-v4-cni`, `egress-v6-cni`) must be
    there in an IPv6 cluster with IPv4 egress or with `ENABLE_V6_EGRESS`, and no plugin may
    appear twice.

    ## Why it matters
    The chain is what the VPC CNI writes on every node; a hand-edited copy without the
    egress plugin loses IPv4 egress in IPv6 clusters, without portmap `hostPort` stops
    working, and a plugin listed twice runs twice on every ADD.

    ## How to fix
    Keep the chain the VPC CNI generates: `aws-cni`, the egress plugin, `portmap` with `snat: true`.

    ## Example
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: cni, namespace: kube-system}
    data:
      10-aws.conflist: |
        {"cniVersion": "0.4.0", "name": "aws-cni", "plugins": [{"type": "portmap", "snat": true}, {"type": "aws-cni"}]}
    ```
    Use instead:
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: cni, namespace: kube-system}
    data:
      10-aws.conflist: |
        {"cniVersion": "0.4.0", "name": "aws-cni", "plugins": [{"type": "aws-cni"}, {"type": "portmap", "snat": true}]}
    ```

    ## References
    - `reference/vpc-cni.md` § 3.3 (the generated `10-aws.conflist` chain), `ENABLE_V4_EGRESS`/`ENABLE_V6_EGRESS` rows.
    - `reference/multus-cni.md` § 1a.7 (`misc/10-aws.conflist`).
    """
    reason = _egress_reason(ctx)
    for config, label, _anchor, role in _all_configs(ctx):
        if role == "nad" or not is_plugin_list(config) or not is_vpc_cni_chain(config):
            continue
        for problem in chain_problems(config, egress_needed_because=reason):
            yield Violation(f"{problem.message} in {label}", locate(config, problem.path, config.loc()),
                            "Restore the VPC CNI chain: aws-cni first, the egress plugin, then portmap with snat true.")


@rule("CONF007", "missing-cni-version", Severity.WARNING)
def missing_cni_version(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """A CNI config file, list or NAD `spec.config` without `cniVersion`.

    ## What it does
    Reports CNI configs (files, ConfigMap entries, env values, NAD `spec.config`) whose
    top-level `cniVersion` is missing, `null` or empty.

    ## Why it matters
    libcni then runs the config as spec 0.1.0: no chaining semantics, no CHECK, and results
    newer plugins may refuse. Every spec since 0.4.0 makes the field required.

    ## How to fix
    Add the `cniVersion` the plugins support, e.g. `"0.4.0"`.

    ## Example
    ```yaml
    apiVersion: k8s.cni.cncf.io/v1
    kind: NetworkAttachmentDefinition
    metadata: {name: sriov-net-a}
    spec:
      config: |
        {"type": "host-device", "device": "eth2", "ipam": {"type": "static", "addresses": [{"address": "10.56.217.10/24"}]}}
    ```
    Use instead:
    ```yaml
    apiVersion: k8s.cni.cncf.io/v1
    kind: NetworkAttachmentDefinition
    metadata: {name: sriov-net-a}
    spec:
      config: |
        {"cniVersion": "0.4.0", "type": "host-device", "device": "eth2", "ipam": {"type": "static", "addresses": [{"address": "10.56.217.10/24"}]}}
    ```

    ## References
    - `reference/multus-cni.md` § 1a.1 (`DecodeVersion`: missing means 0.1.0; spec 0.4.0 makes it required).
    """
    for config, label, anchor, role in _all_configs(ctx):
        if role == "delegate":
            continue
        value = config.get("cniVersion")
        if value is None or value == "":
            where = config.loc("cniVersion") if "cniVersion" in config else anchor
            yield Violation(f"no cniVersion in {label}, so libcni runs it as 0.1.0", where,
                            'Add "cniVersion" with the version the plugins support, e.g. "0.4.0".')
