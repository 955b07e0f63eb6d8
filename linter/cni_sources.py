"""Where VPC CNI settings live, read with their origins: DaemonSet, Helm values, configurationValues.

The located records of one stated value, views for the aws-vpc-cni chart's values files
(recognised by content) and the ``amazon-vpc-cni`` ConfigMap, the readers of each source, the
chart's image reference as Helm builds it (reference/vpc-cni.md § 3.2, § 5), and the field paths
that a ``metadata.managedFields`` entry of manager ``eks`` owns (§ 4.1).
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from .cni_settings import AWS_NODE, INIT, catalogue
from .cni_version import chart_release, load_data, parse_version
from .findings import Location
from .load import Document
from .located import LMap, dig, dig_map, is_unknown, iter_maps, text_of
from .views import AwsNode, ClusterConfig, Signature, View

if TYPE_CHECKING:
    from .context import ClusterContext

@dataclass(frozen=True, slots=True)
class SettingValue:
    """One place that sets one CNI setting."""

    name: str
    value: Any  # as written; None when it comes from valueFrom
    location: Location
    source: str  # a PRIORITY key
    container: str  # aws-node, aws-vpc-cni-init, ...
    view: View | None = None
    name_location: Location | None = None
    from_ref: bool = False
    field_ref: Any = None  # valueFrom.fieldRef.fieldPath when from_ref

    @property
    def text(self) -> str | None:
        """The value as the container sees it (None when unknown)."""
        return None if self.from_ref else text_of(self.value)

    def describe(self) -> str:
        return f"{self.source} {self.location.path}:{self.location.line}"


@dataclass(frozen=True, slots=True)
class FieldValue:
    """A non-env field of aws-node (an image, a probe timeout, the CPU request, node-agent args)."""

    path: str  # containers[aws-node].image, containers[aws-node].livenessProbe.timeoutSeconds, ...
    value: Any
    location: Location
    source: str
    view: View
    key_location: Location | None = None


# Chart keys that only the aws-vpc-cni chart has next to a top-level `env:` map (reference/vpc-cni.md § 5).
_CHART_ONLY_KEYS = frozenset({
    "init", "nodeAgent", "eniConfig", "originalMatchLabels", "cniConfig", "livenessProbeTimeoutSeconds",
    "readinessProbeTimeoutSeconds", "enableNetworkPolicy", "enableWindowsIpam", "enableWindowsPrefixDelegation",
})
IMAGE_REPOSITORIES = {"image": "amazon-k8s-cni", "init": "amazon-k8s-cni-init", "nodeAgent": "amazon/aws-network-policy-agent"}


@cache
def chart_keys() -> frozenset[str]:
    """Every top-level key of the bundled aws-vpc-cni chart values (all versions)."""
    helm = load_data("vpc_cni_managed.json")["helm"]
    return frozenset(key for entry in helm.values() for key in entry["keys"])


@dataclass(frozen=True, slots=True, eq=False)
class HelmValues(View):
    """A values file of the ``aws-vpc-cni`` chart (top-level ``env:`` plus chart keys)."""

    kind_name = "aws-vpc-cni Helm values"

    def anchor(self) -> Location:
        for key in ("env", "image", "init", "nodeAgent"):
            if key in self.data:
                return self.data.key_loc(key)
        return self.data.loc()

    def env(self) -> LMap | None:
        return dig_map(self.data, "env")

    def init_env(self) -> LMap | None:
        return dig_map(self.data, "init", "env")

    def extra_env(self) -> Iterator[LMap]:
        return iter_maps(self.data.get("extraEnv"))

    def image_block(self, key: str) -> LMap | None:
        """``image``, ``init.image`` or ``nodeAgent.image``."""
        return dig_map(self.data, "image") if key == "image" else dig_map(self.data, key, "image")

    def node_agent_enabled(self) -> bool:
        enabled = dig(self.data, "nodeAgent", "enabled")
        return enabled is not False and text_of(enabled) != "false"


def recognise_helm_values(doc: Document, data: LMap, sig: Signature) -> View | None:
    """Content test: no ``kind``, an ``env`` map, and a chart-only key or a known CNI setting in it."""
    if sig.kind or "apiVersion" in data or not isinstance(data.get("env"), LMap):
        return None
    if _CHART_ONLY_KEYS & set(data):
        return HelmValues(doc, data, sig)
    known = catalogue().names(AWS_NODE)
    if set(data) <= chart_keys() and any(name in known for name in data["env"]):
        return HelmValues(doc, data, sig)
    return None


@dataclass(frozen=True, slots=True)
class ImageField:
    """A container image as a Helm values file builds it, and the key that matters most for it."""

    text: str
    location: Location
    stated: bool  # False when every part comes from the chart's defaults
    tag_stated: bool = True  # False when the tag is the chart's (its version is then unknown)


def helm_image(values: HelmValues, key: str, chart_tag: str | None) -> ImageField | None:
    """The image Helm renders for ``image`` / ``init`` / ``nodeAgent`` (``_helpers.tpl``, § 3.2).

    Parts the file does not state come from the chart defaults of ``chart_tag`` (else the
    newest bundled chart); ``override`` wins, then ``overrideRepository`` + tag.
    """
    block = values.image_block(key)
    release = chart_release(parse_version(chart_tag)) if chart_tag else None
    defaults = _chart_images(release.data if release else None)
    default = defaults.get({"image": "aws-node", "init": "aws-vpc-cni-init", "nodeAgent": "aws-eks-nodeagent"}[key], {})
    stated = block if block is not None else LMap(values.path, values.data.pos)
    if any(is_unknown(v) for v in stated.values()):
        return None  # a templated part (``${region}``) makes the whole reference unknown
    override = text_of(stated.get("override"))
    if override:
        return ImageField(override, stated.loc("override"), True)
    tag = text_of(stated.get("tag")) or text_of(default.get("tag"))
    if not tag:
        return None
    where = stated.loc("tag") if "tag" in stated else (values.data.key_loc(key) if key in values.data else values.anchor())
    repository = text_of(stated.get("overrideRepository"))
    if repository:
        return ImageField(f"{repository}:{tag}", stated.loc("overrideRepository"), True, "tag" in stated)
    parts = {}
    for part in ("account", "endpoint", "region", "domain"):
        parts[part] = text_of(stated.get(part)) or text_of(default.get(part)) or {"endpoint": "ecr"}.get(part, "")
    registry = f"{parts['account']}.dkr.{parts['endpoint']}.{parts['region']}.{parts['domain']}"
    text = f"{registry}/{IMAGE_REPOSITORIES[key]}:{tag}"
    return ImageField(text, where, any(p in stated for p in ("tag", "account", "region", "domain", "endpoint")),
                      "tag" in stated)


def _chart_images(data: Any) -> dict[str, Any]:
    if data is None:
        newest = load_data("vpc_cni_managed.json")["helm"]
        data = newest[max(newest, key=lambda tag: tuple(int(x) for x in tag.lstrip("v").split(".")))]
    return dict(data["images"])


@dataclass(frozen=True, slots=True, eq=False)
class VpcCniConfigMap(View):
    """The ``amazon-vpc-cni`` ConfigMap (reference/vpc-cni.md § 1.6)."""

    kind_name = "amazon-vpc-cni ConfigMap"

    def data_map(self) -> LMap | None:
        return dig_map(self.data, "data")


def recognise_vpc_cni_configmap(doc: Document, data: LMap, sig: Signature) -> View | None:
    if sig.kind == "ConfigMap" and sig.group == "" and sig.name == "amazon-vpc-cni":
        return VpcCniConfigMap(doc, data, sig)
    return None


# --- managedFields (reference/vpc-cni.md § 4.1: fieldsV1 of manager `eks`) ----------------------


def _step(key: str) -> str | None:
    """One fieldsV1 key as a path step: ``f:image`` → ``image``, ``k:{"name":"x"}`` → ``[x]``."""
    if key.startswith("f:"):
        return key[2:]
    if key.startswith("k:"):
        try:
            item = json.loads(key[2:])
        except ValueError:
            return None
        if isinstance(item, dict) and item:
            return f"[{item.get('name', next(iter(item.values())))}]"
    return None


def _walk(fields: Any, prefix: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    if not isinstance(fields, dict):
        return
    leaf = True
    for key, sub in fields.items():
        step = _step(str(key)) if key != "." else None
        if step is None:
            continue
        leaf = False
        yield from _walk(sub, (*prefix, step))
    if leaf and prefix:
        yield prefix


def eks_managed_paths(data: LMap) -> dict[tuple[str, ...], Location]:
    """Paths (``("spec", …, "containers", "[aws-node]", "image")``) that manager ``eks`` owns."""
    owned: dict[tuple[str, ...], Location] = {}
    for entry in iter_maps(dig(data, "metadata", "managedFields")):
        if entry.get("manager") != "eks":
            continue
        for path in _walk(entry.get("fieldsV1"), ()):
            owned.setdefault(path, entry.loc("manager"))
    return owned


# --- reading each source ---------------------------------------------------------------------

_CONTAINER_FIELDS = ("image", "livenessProbe", "readinessProbe", "resources", "livenessProbe.timeoutSeconds",
                     "readinessProbe.timeoutSeconds", "livenessProbe.exec.command", "readinessProbe.exec.command",
                     "resources.requests.cpu", "args")


def read_daemonset(node: AwsNode) -> tuple[list[SettingValue], list[FieldValue]]:
    """Env values (all containers) and the fields rules read, of a full DaemonSet or a patch."""
    source = "daemonset" if node.is_complete else "daemonset-patch"
    values: list[SettingValue] = []
    fields: list[FieldValue] = []
    for container in node.containers():
        for env in container.env():
            field_ref = dig(env.entry, "valueFrom", "fieldRef", "fieldPath") if env.from_ref else None
            ref_map = dig_map(env.entry, "valueFrom", "fieldRef")
            where = ref_map.loc("fieldPath") if ref_map is not None and "fieldPath" in ref_map else env.value_loc()
            values.append(SettingValue(env.name, None if env.from_ref else env.value, where, source,
                                       container.name, node, env.name_loc(), env.from_ref, field_ref))
        prefix = f"{'initContainers' if container.init else 'containers'}[{container.name}]"
        for sub in _CONTAINER_FIELDS:
            keys = sub.split(".")
            parent = dig_map(container.data, *keys[:-1]) if len(keys) > 1 else container.data
            if parent is not None and keys[-1] in parent:
                fields.append(FieldValue(f"{prefix}.{sub}", parent[keys[-1]], parent.loc(keys[-1]), source, node,
                                         parent.key_loc(keys[-1])))
    spec = node.pod_spec()
    if spec is not None and "serviceAccountName" in spec:
        fields.append(FieldValue("serviceAccountName", spec["serviceAccountName"], spec.loc("serviceAccountName"),
                                 source, node))
    return values, fields


def _env_map(env: Any, container: str, source: str, view: View) -> Iterator[SettingValue]:
    if isinstance(env, LMap):
        for name, value in env.items():
            if isinstance(name, str) and value is not None and (source != "configurationValues" or isinstance(value, str)):
                yield SettingValue(name, value, env.loc(name), source, container, view, env.key_loc(name))


def read_helm(view: HelmValues) -> tuple[list[SettingValue], list[FieldValue]]:
    """What a chart values file states: `env`, `init.env`, `extraEnv`, images, probe timeouts, CPU."""
    values = [*_env_map(view.env(), AWS_NODE, "helm-values", view), *_env_map(view.init_env(), INIT, "helm-values", view)]
    for entry in view.extra_env():
        name = entry.get("name")
        if isinstance(name, str):
            ref = dig(entry, "valueFrom", "fieldRef", "fieldPath")
            values.append(SettingValue(name, entry.get("value"), entry.loc("value") if "value" in entry else entry.loc("name"),
                                       "helm-values", AWS_NODE, view, entry.loc("name"), "valueFrom" in entry, ref))
    tag = text_of(dig(view.data, "image", "tag"))
    fields: list[FieldValue] = []
    for key, path in (("image", "containers[aws-node].image"), ("init", "initContainers[aws-vpc-cni-init].image"),
                      ("nodeAgent", "containers[aws-eks-nodeagent].image")):
        image = helm_image(view, key, tag)
        if image is not None and image.stated:
            # without a stated tag the chart's version (unknown here) decides it: only the registry is known
            where = path if image.tag_stated else path + "-registry"
            fields.append(FieldValue(where, image.text, image.location, "helm-values", view))
    for probe in ("livenessProbe", "readinessProbe"):
        timeout = f"{probe}TimeoutSeconds"
        if timeout in view.data:
            fields.append(FieldValue(f"containers[aws-node].{probe}.timeoutSeconds", view.data[timeout],
                                     view.data.loc(timeout), "helm-values", view))
        command = dig(view.data, probe, "exec")
        if isinstance(command, LMap) and "command" in command:
            fields.append(FieldValue(f"containers[aws-node].{probe}.exec.command", command["command"],
                                     command.loc("command"), "helm-values", view))
    requests = dig_map(view.data, "resources", "requests")
    if requests is not None and "cpu" in requests:
        fields.append(FieldValue("containers[aws-node].resources.requests.cpu", requests["cpu"], requests.loc("cpu"),
                                 "helm-values", view))
    return values, fields


def read_configuration_values(ctx: ClusterContext, cc: ClusterConfig, addon: LMap) -> tuple[list[SettingValue], list[FieldValue]]:
    config = configuration_values(ctx, cc, addon)
    if not isinstance(config, LMap):
        return [], []
    source = "configurationValues"
    values = [*_env_map(config.get("env"), AWS_NODE, source, cc), *_env_map(dig(config, "init", "env"), INIT, source, cc)]
    fields = []
    for probe in ("livenessProbe", "readinessProbe"):
        key = f"{probe}TimeoutSeconds"
        if key in config:
            fields.append(FieldValue(f"containers[aws-node].{probe}.timeoutSeconds", config[key], config.loc(key), source, cc))
    requests = dig_map(config, "resources", "requests")
    if requests is not None and "cpu" in requests:
        fields.append(FieldValue("containers[aws-node].resources.requests.cpu", requests["cpu"], requests.loc("cpu"), source, cc))
    return values, fields


def configuration_values(ctx: ClusterContext, cc: ClusterConfig, addon: LMap) -> Any:
    """The parsed ``configurationValues`` of an add-on entry, located exactly where the file allows.

    Literal blocks (``|``) map exactly in the engine; quoted one-line JSON is mapped character by
    character by ``cni.embedded.config_of``; folded and plain scalars point at the scalar's start.
    """
    if "configurationValues" not in addon:
        return None
    from .cni.embedded import config_of

    return config_of(ctx, cc, addon, "configurationValues")
