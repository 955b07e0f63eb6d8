"""The CNI configs, Multus pieces, NADs and network annotations of one cluster context, located for the rules."""
from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from ..context import ClusterContext
from ..findings import Location
from ..cni_sources import HelmValues
from ..located import LList, LMap, dig_map, is_unknown, text_of
from ..views import Container, View, Workload
from .annotation import NETWORKS_ANNOTATION, NetworksAnnotation, parse_networks
from .embedded import config_of
from .multus import image_version, is_daemon_config, is_multus_config, max_cni_version
from .spec import AWS_FILENAME, CONFIG_EXTENSIONS, JsonPath, extension, has_type, is_conf_dir, is_plugin_list, plugins_of
from .views import CniConfigFile, CniConfigMap, CniDaemonSet, MultusDaemonConfig, NetworkAttachment, pod_metadata


def locate(container: object, path: JsonPath, fallback: Location) -> Location:
    """The location of the deepest node of ``path`` that exists in a located value."""
    best = fallback
    node: object = container
    if isinstance(node, (LMap, LList)) and not path:
        return node.loc()
    for key in path:
        if isinstance(node, LMap) and key in node:
            best = node.loc(key)
            node = node[key]
        elif isinstance(node, LList) and isinstance(key, int) and 0 <= key < len(node):
            best = node.loc(key)
            node = node[key]
        else:
            break
    return best


def is_cni_config(config: Mapping[str, object]) -> bool:
    """A parsed JSON object that is a CNI config: it names a plugin, a plugin list or a cniVersion."""
    return "cniVersion" in config or has_type(config) or "plugins" in config


@dataclass(frozen=True, slots=True)
class CniDoc:
    """One CNI network config as the node runtime (or Multus) would read it, wherever it is written."""

    view: View
    config: LMap
    label: str
    filename: str | None  # the name it has on disk (file name, ConfigMap key); None for an env value
    folder: str | None  # the directory it lies in (a ConfigMap counts as one), for CONF005

    @property
    def as_list(self) -> bool:
        """go-cni loads ``.conflist`` as a list and every other file as one plugin (§ 1a.4)."""
        if self.filename is not None and extension(self.filename) in CONFIG_EXTENSIONS:
            return extension(self.filename) == ".conflist"
        return is_plugin_list(self.config)

    @property
    def anchor(self) -> Location:
        return self.config.loc("name") if "name" in self.config else self.config.loc()

    def loc(self, path: JsonPath) -> Location:
        return locate(self.config, path, self.anchor) if path else self.anchor

    @property
    def is_multus(self) -> bool:
        return is_multus_config(self.config, self.filename)


def folder_names(ctx: ClusterContext) -> dict[str, list[str]]:
    """Base names of every file the context read (parsed or skipped), per directory."""
    names: dict[str, list[str]] = defaultdict(list)
    for source in ctx.sources:
        names[posixpath.dirname(source.path)].append(posixpath.basename(source.path))
    return names


def node_configs(ctx: ClusterContext) -> list[CniDoc]:
    """CNI configs of files, ConfigMap entries, DaemonSet env values and the VPC CNI chart's ``cniConfig`` (no NADs, no delegates)."""
    return ctx.memo("cni.node_configs", lambda: _node_configs(ctx))


def _node_configs(ctx: ClusterContext) -> list[CniDoc]:
    dirs = folder_names(ctx)
    found: list[CniDoc] = []
    for view in ctx.of(CniConfigFile):
        if view.strong or is_conf_dir(dirs.get(view.folder, ())):
            found.append(CniDoc(view, view.data, view.filename, view.filename, view.folder))
    for cm in ctx.of(CniConfigMap):
        folder = configmap_folder(cm)
        for data, key in cm.entries():
            config = config_of(ctx, cm, data, key)
            if isinstance(config, LMap) and is_cni_config(config) and not is_daemon_config(config):
                found.append(CniDoc(cm, config, f"{key} of {folder}", key, folder))
    for ds in ctx.of(CniDaemonSet):
        for env in ds.env_configs():
            config = config_of(ctx, ds, env.entry, "value")
            if isinstance(config, LMap) and is_cni_config(config):
                found.append(CniDoc(ds, config, f"env {env.name} of DaemonSet {ds.sig.name}", None, None))
    for values in ctx.of(HelmValues):
        # vpc-cni.md § 5: with cniConfig.enabled the chart mounts fileContents as the node's 10-aws.conflist template.
        block = dig_map(values.data, "cniConfig")
        if block is None or text_of(block.get("enabled")) != "true" or not isinstance(block.get("fileContents"), str):
            continue
        config = config_of(ctx, values, block, "fileContents")
        if isinstance(config, LMap) and is_cni_config(config):
            found.append(CniDoc(values, config, f"cniConfig.fileContents of {posixpath.basename(values.path)}", AWS_FILENAME, None))
    return found


def daemon_configs(ctx: ClusterContext) -> list[tuple[str, LMap]]:
    """Thick Multus daemon configs with a label: ``daemon-config.json`` files and ConfigMap entries (§ 1b.2)."""
    found: list[tuple[str, LMap]] = [(posixpath.basename(v.path), v.data) for v in ctx.of(MultusDaemonConfig)]
    for cm in ctx.of(CniConfigMap):
        for data, key in cm.entries():
            config = config_of(ctx, cm, data, key)
            if isinstance(config, LMap) and is_daemon_config(config):
                found.append((f"{key} of {configmap_folder(cm)}", config))
    return found


def conf_dir_listing(ctx: ClusterContext) -> dict[str, list[str]]:
    """File names per directory, and data keys per CNI ConfigMap (mounted, they are a directory), for CONF005."""
    listing = {folder: list(names) for folder, names in folder_names(ctx).items()}
    for cm in ctx.of(CniConfigMap):
        data = dig_map(cm.data, "data")
        if data is not None:
            listing[configmap_folder(cm)] = [k for k in data if isinstance(k, str)]
    return listing


def configmap_folder(cm: View) -> str:
    """The directory name a ConfigMap stands for in messages and CONF005."""
    return f"ConfigMap {cm.sig.namespace}/{cm.sig.name}" if cm.sig.namespace else f"ConfigMap {cm.sig.name}"


# --- NADs ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NadDoc:
    """A NAD and its parsed ``spec.config`` (None when absent, not a string or not parseable)."""

    view: NetworkAttachment
    config: LMap | None

    @property
    def as_list(self) -> bool:
        return self.config is not None and is_plugin_list(self.config)

    def plugins(self) -> list[tuple[JsonPath, Mapping[str, object]]]:
        if self.config is None:
            return []
        return list(plugins_of(self.config, as_list=self.as_list))

    def loc(self, path: JsonPath) -> Location:
        spec = self.view.spec()
        fallback = spec.loc("config") if spec is not None and "config" in spec else self.view.anchor()
        if self.config is None:
            return fallback
        return locate(self.config, path, fallback) if path else self.config.loc()

    @property
    def cni_name(self) -> str:
        """The CNI network name: the config's, or the NAD's name Multus injects (§ 1c.2)."""
        name = self.config.get("name") if self.config is not None else None
        return name if isinstance(name, str) and name else self.view.name


def nads(ctx: ClusterContext) -> list[NadDoc]:
    found = []
    for view in ctx.of(NetworkAttachment):
        spec = view.spec()
        config = None
        if spec is not None and isinstance(spec.get("config"), str) and spec["config"].lstrip().startswith("{"):
            parsed = config_of(ctx, view, spec, "config")
            config = parsed if isinstance(parsed, LMap) else None
        found.append(NadDoc(view, config))
    return found


# --- pods and their network annotations -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PodNetworks:
    """A Pod or pod template that asks for extra networks."""

    workload: Workload
    annotations: LMap
    value: str
    parsed: NetworksAnnotation

    @property
    def location(self) -> Location:
        return self.annotations.loc(NETWORKS_ANNOTATION)

    @property
    def namespace(self) -> str:
        return self.workload.sig.namespace

    @property
    def label(self) -> str:
        return str(self.workload.sig)


def pod_networks(ctx: ClusterContext) -> list[PodNetworks]:
    found = []
    for workload in ctx.of(Workload):
        meta = pod_metadata(workload)
        annotations = dig_map(meta, "annotations") if meta is not None else None
        if annotations is None:
            continue
        value = annotations.get(NETWORKS_ANNOTATION)
        if isinstance(value, str) and not is_unknown(value):
            found.append(PodNetworks(workload, annotations, value, parse_networks(value)))
    return found


def nad_matches(nad: NetworkAttachment, namespace: str | None, name: str) -> bool:
    """Whether a reference (namespace None = unknown) can mean this NAD; an unnamespaced NAD fits any namespace."""
    if nad.name != name:
        return False
    return namespace is None or not nad.namespace or nad.namespace == namespace


def references(ctx: ClusterContext) -> Iterator[tuple[PodNetworks, int, str | None, str]]:
    """(pod, selection index, namespace or None when unknown, NAD name) for every requested network."""
    for pod in pod_networks(ctx):
        for sel in pod.parsed.selections:
            namespace = sel.namespace or pod.namespace or None
            yield pod, sel.index, namespace, sel.name


# --- Multus images -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MultusImage:
    """A Multus container image in the cluster and the highest cniVersion it accepts."""

    view: CniDaemonSet
    container: Container
    version: tuple[int, int, int] | None
    limit: str | None

    @property
    def location(self) -> Location:
        return self.container.data.loc("image")

    @property
    def text(self) -> str:
        return self.container.image or ""


def multus_images(ctx: ClusterContext) -> list[MultusImage]:
    found = []
    for ds in ctx.of(CniDaemonSet):
        for container in ds.multus_containers():
            version = image_version(container.image)
            found.append(MultusImage(ds, container, version, max_cni_version(version)))
    return found


def is_eks(ctx: ClusterContext) -> bool:
    """RULES NAD009: a cluster known to be EKS (eksctl config, aws-node, VPC CNI Helm values or a ``clusters:`` entry)."""
    if ctx.is_cluster or ctx.cluster_configs or ctx.aws_nodes:
        return True
    return any(value.source == "helm-values" for value in ctx.cni.values)
