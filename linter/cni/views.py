"""Typed views for CNI config files, Multus configs and DaemonSets, NADs, and the recognisers that make them.

What counts as what (DESIGN.md § Inputs; reference/multus-cni.md § 1a.6, § 1b, § 1c):
``*.conf``/``*.conflist`` JSON files are CNI configs; a ``*.json`` file is one when it has
``cniVersion`` (or, weakly, ``type``/``plugins`` with a ``name``: rules count those only inside a
node CNI config directory); a ConfigMap or DaemonSet env value holding such JSON is one too.
The thick Multus ``daemon-config.json`` is a daemon config, not a CNI config.
"""
from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..load import Document
from ..located import LMap, dig, dig_map
from ..views import Container, EnvVar, Signature, View, Workload
from .multus import is_daemon_config, is_multus_image
from .spec import CONFIG_EXTENSIONS, extension

NAD_GROUP = "k8s.cni.cncf.io"
NAD_VERSION = "v1"
NAD_KIND = "NetworkAttachmentDefinition"
RESOURCE_NAME_ANNOTATION = "k8s.v1.cni.cncf.io/resourceName"  # § 1c.2
# Groups and kinds a NAD is written with by mistake (the annotation prefix, a plural, lower case).
_NAD_GROUPS = frozenset({NAD_GROUP, "k8s.v1.cni.cncf.io", "cni.cncf.io"})
_NAD_KIND_RE = re.compile(r"networkattachmentdefinitions?|net-attach-def", re.I)
_CNI_JSON_HINT = re.compile(r'"(cniVersion|plugins|type)"\s*:')


def looks_like_cni_json(text: object, *, named_like_file: bool) -> bool:
    """A string worth parsing as a CNI config: a JSON object naming ``cniVersion`` (or any CNI key in a file-named entry)."""
    if not isinstance(text, str) or not text.lstrip().startswith("{"):
        return False
    if '"cniVersion"' in text:
        return True
    return named_like_file and bool(_CNI_JSON_HINT.search(text))


@dataclass(frozen=True, slots=True, eq=False)
class CniConfigFile(View):
    """A ``.conf``/``.conflist``/``.json`` CNI network config file."""

    kind_name = "CNI config file"

    @property
    def filename(self) -> str:
        return posixpath.basename(self.path)

    @property
    def folder(self) -> str:
        return posixpath.dirname(self.path)

    @property
    def strong(self) -> bool:
        """False for a ``.json`` file recognised only by ``type``/``plugins`` (needs a CNI config dir)."""
        return extension(self.path) != ".json" or "cniVersion" in self.data

    def anchor(self) -> Any:
        return self.data.loc("name") if "name" in self.data else self.data.loc()


@dataclass(frozen=True, slots=True, eq=False)
class MultusDaemonConfig(View):
    """The thick Multus daemon's ``daemon-config.json`` as a file (§ 1b.2)."""

    kind_name = "Multus daemon config"

    def anchor(self) -> Any:
        return self.data.loc()


@dataclass(frozen=True, slots=True, eq=False)
class CniConfigMap(View):
    """A ConfigMap whose data holds CNI configs (e.g. ``cni-conf.json``) or a Multus daemon config."""

    kind_name = "ConfigMap"

    def entries(self) -> Iterator[tuple[LMap, str]]:
        """(the ``data`` mapping, key) of every value that holds a CNI-looking JSON object."""
        data = dig_map(self.data, "data")
        if data is None:
            return
        for key, value in data.items():
            if isinstance(key, str) and looks_like_cni_json(value, named_like_file=extension(key) in CONFIG_EXTENSIONS):
                yield data, key

    def embedded_fields(self) -> Iterator[tuple[LMap, Any, str]]:
        for data, key in self.entries():
            yield data, key, f"{key} of ConfigMap {self.sig.namespace + '/' if self.sig.namespace else ''}{self.sig.name}"


@dataclass(frozen=True, slots=True, eq=False)
class CniDaemonSet(Workload):
    """A DaemonSet that runs Multus or carries a CNI config in a container's env."""

    kind_name = "DaemonSet"

    def multus_containers(self) -> list[Container]:
        return [c for c in self.containers() if is_multus_image(c.image)]

    def env_configs(self) -> Iterator[EnvVar]:
        for container in self.containers():
            for env in container.env():
                if looks_like_cni_json(env.value, named_like_file=False):
                    yield env

    def embedded_fields(self) -> Iterator[tuple[LMap, Any, str]]:
        for env in self.env_configs():
            yield env.entry, "value", f"env {env.name} of container {env.container} in DaemonSet {self.sig.name}"


@dataclass(frozen=True, slots=True, eq=False)
class NetworkAttachment(View):
    """A NetworkAttachmentDefinition (also one with a misspelt ``apiVersion``/``kind``, for NAD001)."""

    kind_name = NAD_KIND

    @property
    def name(self) -> str:
        return self.sig.name

    @property
    def namespace(self) -> str:
        return self.sig.namespace

    @property
    def label(self) -> str:
        return f"{self.namespace}/{self.name}" if self.namespace else self.name

    @property
    def resource_name(self) -> bool:
        annotations = dig_map(self.data, "metadata", "annotations")
        return annotations is not None and bool(annotations.get(RESOURCE_NAME_ANNOTATION))

    def spec(self) -> LMap | None:
        return dig_map(self.data, "spec")

    def embedded_fields(self) -> Iterator[tuple[LMap, Any, str]]:
        spec = self.spec()
        if spec is not None and isinstance(spec.get("config"), str) and spec["config"].strip():
            yield spec, "config", f"spec.config of NetworkAttachmentDefinition {self.label}"


# --- recognisers (registered in linter/classify.py) -------------------------------------------------


def nad_factory(doc: Document, data: LMap, sig: Signature) -> View | None:
    """KIND_TABLE entry for ``k8s.cni.cncf.io`` NetworkAttachmentDefinition."""
    return NetworkAttachment(doc, data, sig)


def recognise_nad(doc: Document, data: LMap, sig: Signature) -> View | None:
    """A NAD written with a wrong group or kind spelling (NAD001 reports it)."""
    if sig.kind == "CustomResourceDefinition":
        return None
    if _NAD_KIND_RE.fullmatch(sig.kind) or (sig.group in _NAD_GROUPS and "attach" in sig.kind.lower()):
        return NetworkAttachment(doc, data, sig)
    return None


def recognise_cni_file(doc: Document, data: LMap, sig: Signature) -> View | None:
    """A JSON CNI config file, or the Multus daemon config file."""
    if doc.source.format != "json" or not isinstance(data, LMap):
        return None
    ext = extension(doc.path)
    if ext not in CONFIG_EXTENSIONS:
        return None
    if is_daemon_config(data):
        return MultusDaemonConfig(doc, data, sig)
    if ext != ".json" or "cniVersion" in data:
        return CniConfigFile(doc, data, sig)
    named = isinstance(data.get("name"), str)
    if named and (isinstance(data.get("type"), str) or isinstance(data.get("plugins"), list)):
        return CniConfigFile(doc, data, sig)
    return None


def recognise_configmap(doc: Document, data: LMap, sig: Signature) -> View | None:
    if sig.kind != "ConfigMap":
        return None
    view = CniConfigMap(doc, data, sig)
    return view if next(view.entries(), None) is not None else None


def recognise_daemonset(doc: Document, data: LMap, sig: Signature) -> View | None:
    if sig.kind != "DaemonSet":
        return None
    view = CniDaemonSet(doc, data, sig)
    if view.multus_containers() or next(view.env_configs(), None) is not None:
        return view
    return None


# --- pod templates ----------------------------------------------------------------------------------


def pod_metadata(workload: Workload) -> LMap | None:
    """The metadata pods of a workload get: the Pod's own, or its template's."""
    if workload.sig.kind == "Pod":
        return dig_map(workload.data, "metadata")
    if workload.sig.kind == "CronJob":
        return dig_map(workload.data, "spec", "jobTemplate", "spec", "template", "metadata")
    return dig_map(workload.data, "spec", "template", "metadata")


def replicas(workload: Workload) -> int | None:
    """How many pods a Deployment/StatefulSet/ReplicaSet asks for (1 when unset); None when unknown."""
    value = dig(workload.data, "spec", "replicas")
    if value is None and isinstance(dig(workload.data, "spec"), LMap):
        return 1
    return value if isinstance(value, int) and not isinstance(value, bool) else None
