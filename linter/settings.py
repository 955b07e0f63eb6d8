"""The effective VPC CNI settings of a cluster, merged from every source with each value's origin.

Sources (RULES.md § CNI, DESIGN.md § Inputs): the aws-node DaemonSet env of the ``aws-node`` and
``aws-vpc-cni-init`` containers (a full manifest, in a ``List`` or a multi-document file, or a
Kustomize strategic-merge patch of it), values files of the ``aws-vpc-cni`` Helm chart (merged
over that chart version's ``values.yaml``), and eksctl ``vpc-cni`` ``configurationValues``
(``env`` and ``init.env``). When the managed add-on sets a value, EKS applies it over the
DaemonSet (reference/vpc-cni.md § 4), so it wins; a patch wins over its base; a DaemonSet over
Helm values. A ``Scope`` is one effective aws-node: the whole cluster in a real cluster, else
each definition on its own (files of an unassigned directory are never merged).
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .cni_settings import AWS_NODE, INIT, catalogue, go_parse_bool
from .cni_sources import HelmValues, helm_image
from .cni_version import CniVersion, chart_release, newest_release, parse_addon_version, parse_image, shipped_release
from .findings import Location
from .located import LMap, dig, dig_map, text_of
from .views import AwsNode, ClusterConfig, View

if TYPE_CHECKING:
    from .context import ClusterContext

# Higher wins when two sources state the same setting.
PRIORITY = {"helm-values": 10, "daemonset": 20, "daemonset-patch": 30, "configurationValues": 40}
STATED, CHART, DEFAULT, ASSUMED = "stated", "chart-default", "default", "assumed"


def parse_go_bool(text: str) -> bool | None:
    """True/False as Go's ParseBool reads ``text``; None when Go would return an error."""
    return go_parse_bool(text)


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


@dataclass(frozen=True, slots=True)
class Effective:
    """The value of a setting in one scope, and where it comes from."""

    name: str
    text: str | None
    origin: str  # STATED, CHART (the Helm chart's values.yaml), DEFAULT (code default), ASSUMED
    value: SettingValue | None = None

    @property
    def stated(self) -> bool:
        return self.origin == STATED

    @property
    def certain(self) -> bool:
        """Known for sure: stated, a chart default, or the code default of a complete definition."""
        return self.origin != ASSUMED

    def is_true(self) -> bool:
        return self.text is not None and go_parse_bool(self.text) is True

    def because(self) -> str:
        """Why the value holds when nobody wrote it, for messages ("no source sets X")."""
        if self.origin == CHART:
            return f"the chart default {self.name}={self.text}"
        return f"no source sets {self.name}"


@dataclass(frozen=True, slots=True)
class VersionFact:
    """The CNI version a scope runs, and where the files say so."""

    version: CniVersion | None
    text: str
    location: Location | None
    origin: str


class Scope:
    """One effective aws-node configuration: its sources merged, and what they leave to defaults."""

    def __init__(self, label: str, values: list[SettingValue], fields: list[FieldValue], views: list[View],
                 *, managed: bool, addon: LMap | None, addon_view: View | None, config_version: str | None) -> None:
        self.label = label
        self.values = values
        self.fields = fields
        self.views = views
        self.managed = managed
        self.addon = addon
        self.addon_view = addon_view
        self.helm = [v for v in views if isinstance(v, HelmValues)]
        self.daemonsets = [v for v in views if isinstance(v, AwsNode) and v.is_complete]
        self.patches = [v for v in views if isinstance(v, AwsNode) and not v.is_complete]
        # a complete definition: absent env means the code default (a Helm chart's defaults first)
        self.complete = bool(self.daemonsets or self.helm)
        self._config_version = config_version

    def __repr__(self) -> str:
        return f"Scope({self.label!r}, {len(self.values)} values)"

    def all(self, name: str, container: str = AWS_NODE) -> list[SettingValue]:
        return [v for v in self.values if v.name == name and v.container == container]

    def get(self, name: str, container: str = AWS_NODE) -> SettingValue | None:
        """The stated value that runs: the highest-priority source, the last in path order on a tie."""
        best: SettingValue | None = None
        for value in self.all(name, container):
            if best is None or PRIORITY[value.source] >= PRIORITY[best.source]:
                best = value
        return best

    def effective(self, name: str, container: str = AWS_NODE) -> Effective:
        """What runs for ``name``: stated, else the chart's default, else the code default."""
        stated = self.get(name, container)
        if stated is not None:
            return Effective(name, stated.text, STATED, stated)
        for view in self.helm:
            chart = self.chart_env(view, container)
            if name in chart:
                return Effective(name, chart[name], CHART)
        if not self.complete:
            release = shipped_release(self.version.version if self.version else None) or newest_release()
            shipped = release.env(container).get(name)
            if shipped is not None:
                return Effective(name, shipped, ASSUMED)
        spec = catalogue().get(container, name)
        text = spec.default_text() if spec is not None and spec.default is not None else None
        return Effective(name, text, DEFAULT if self.complete else ASSUMED)

    def chart_env(self, view: HelmValues, container: str) -> dict[str, str]:
        """The env a Helm values file inherits from its chart's values.yaml (keys it sets to null removed)."""
        release = chart_release(self.version.version if self.version else None) or chart_release(newest_release().version)
        if release is None:
            return {}
        env = dict(release.env(container))
        own = view.init_env() if container == INIT else view.env()
        if isinstance(own, LMap):
            for key, value in own.items():
                if value is None:
                    env.pop(str(key), None)
        return env

    def field(self, path: str) -> FieldValue | None:
        """The highest-priority source's value of a field."""
        best: FieldValue | None = None
        for value in self.fields:
            if value.path == path and (best is None or PRIORITY[value.source] >= PRIORITY[best.source]):
                best = value
        return best

    def fields_at(self, path: str) -> list[FieldValue]:
        return [f for f in self.fields if f.path == path]

    @property
    def version(self) -> VersionFact | None:
        """The CNI version that runs: the managed add-on's, else the aws-node image's, else config."""
        if self.managed and self.addon is not None:
            parsed = parse_addon_version(self.addon.get("version"))
            if parsed is not None and parsed.version is not None:
                return VersionFact(parsed.version, parsed.raw, self.addon.loc("version"), "vpc-cni add-on version")
        image = self.field("containers[aws-node].image")
        if image is not None and isinstance(image.value, str):
            ref = parse_image(image.value)
            return VersionFact(ref.version if ref else None, image.value, image.location, f"{image.source} image")
        if self._config_version:
            parsed = parse_addon_version(self._config_version)
            if parsed is not None and parsed.version is not None:
                return VersionFact(parsed.version, self._config_version, None, "config cni-version")
        return None


class CniSettings:
    """All stated values per setting, the effective one, and the scopes rules judge."""

    def __init__(self, values: list[SettingValue], aws_nodes: list[AwsNode], addon: LMap | None,
                 addon_view: View | None, scopes: list[Scope] | None = None, managed: bool = False) -> None:
        self.values = values
        self.aws_nodes = aws_nodes
        self.addon = addon  # the eksctl vpc-cni add-on entry: the cluster runs the managed add-on
        self.addon_view = addon_view
        self.scopes = scopes or []
        self.managed = managed

    def all(self, name: str, container: str = AWS_NODE) -> list[SettingValue]:
        return [v for v in self.values if v.name == name and v.container == container]

    def get(self, name: str, container: str = AWS_NODE) -> SettingValue | None:
        """The value that runs: the highest-priority source, the last one in path order on a tie."""
        best: SettingValue | None = None
        for value in self.all(name, container):
            if best is None or PRIORITY[value.source] >= PRIORITY[best.source]:
                best = value
        return best

    def text(self, name: str, container: str = AWS_NODE) -> str | None:
        value = self.get(name, container)
        return value.text if value is not None else None

    def is_true(self, name: str, container: str = AWS_NODE) -> bool:
        """The setting is stated and Go reads it as true."""
        text = self.text(name, container)
        return text is not None and go_parse_bool(text) is True

    def names(self) -> Iterator[str]:
        seen: set[str] = set()
        for value in self.values:
            if value.name not in seen:
                seen.add(value.name)
                yield value.name

    @property
    def defines_aws_node(self) -> bool:
        """Some source of the cluster defines aws-node settings (ENI002's precondition)."""
        if any(n.is_complete for n in self.aws_nodes):
            return True
        if self.addon is not None and "configurationValues" in self.addon:
            return True
        return any(v.source in ("helm-values", "configurationValues") for v in self.values)


# --- reading each source --------------------------------------------------------------------------

_CONTAINER_FIELDS = ("image", "livenessProbe", "readinessProbe", "resources", "livenessProbe.timeoutSeconds",
                     "readinessProbe.timeoutSeconds", "livenessProbe.exec.command", "readinessProbe.exec.command",
                     "resources.requests.cpu", "args")


def _daemonset(node: AwsNode) -> tuple[list[SettingValue], list[FieldValue]]:
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


def _helm(view: HelmValues) -> tuple[list[SettingValue], list[FieldValue]]:
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
            fields.append(FieldValue(path, image.text, image.location, "helm-values", view))
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


def _configuration_values(ctx: ClusterContext, cc: ClusterConfig, addon: LMap) -> tuple[list[SettingValue], list[FieldValue]]:
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


def addon_state(ctx: ClusterContext) -> tuple[LMap | None, ClusterConfig | None, bool]:
    """The listed eksctl ``vpc-cni`` add-on, its ClusterConfig, and whether the managed add-on runs.

    It runs when eksctl lists it, when eksctl installs it by default (``disableDefaultAddons`` not
    true and Auto Mode off: reference/eksctl.md § 4.1, EKS add-ons since v0.184.0), or when an
    aws-node DaemonSet carries ``managedFields`` of manager ``eks`` (reference/vpc-cni.md § 4.1).
    """
    managed = any(node.managed_by_eks() for node in ctx.aws_nodes)
    for cc in ctx.cluster_configs:
        addon = cc.addon("vpc-cni")
        if addon is not None:
            return addon, cc, True
        disabled = text_of(dig(cc.data, "addonsConfig", "disableDefaultAddons")) == "true"
        auto = text_of(dig(cc.data, "autoModeConfig", "enabled")) == "true"
        managed = managed or not (disabled or auto)
    return None, ctx.cluster_configs[0] if ctx.cluster_configs else None, managed


def _read(view: View) -> tuple[list[SettingValue], list[FieldValue]]:
    if isinstance(view, AwsNode):
        return _daemonset(view)
    if isinstance(view, HelmValues):
        return _helm(view)
    return [], []


def cni_settings(ctx: ClusterContext) -> CniSettings:
    addon, cc, managed = addon_state(ctx)
    views = [v for v in ctx.views if isinstance(v, (AwsNode, HelmValues))]
    per_view = {id(v): _read(v) for v in views}
    values = [sv for v in views for sv in per_view[id(v)][0]]
    fields = [fv for v in views for fv in per_view[id(v)][1]]
    if addon is not None and cc is not None:
        addon_values, addon_fields = _configuration_values(ctx, cc, addon)
        values.extend(addon_values)
        fields.extend(addon_fields)
    config_version = text_of(ctx.setting("cni-version"))

    def scope(label: str, members: list[View], with_addon: bool) -> Scope:
        own_values = [sv for sv in values if sv.view in members or (with_addon and sv.source == "configurationValues")]
        own_fields = [fv for fv in fields if fv.view in members or (with_addon and fv.source == "configurationValues")]
        member_managed = managed or any(isinstance(m, AwsNode) and m.managed_by_eks() for m in members)
        return Scope(label, own_values, own_fields, members, managed=member_managed,
                     addon=addon if with_addon else None, addon_view=cc if with_addon else None,
                     config_version=config_version)

    scopes: list[Scope] = []
    if ctx.is_cluster:
        scopes.append(scope(f"cluster {ctx.name}", list(views), True))
    else:
        complete = [v for v in views if isinstance(v, AwsNode) and v.is_complete]
        patches = [v for v in views if isinstance(v, AwsNode) and not v.is_complete]
        if len(complete) == 1:
            scopes.append(scope(str(complete[0].sig), [complete[0], *patches], False))
        else:
            scopes.extend(scope(str(v.sig), [v], False) for v in (*complete, *patches))
        scopes.extend(scope(f"Helm values {v.path}", [v], False) for v in views if isinstance(v, HelmValues))
    return CniSettings(values, ctx.aws_nodes, addon, cc if addon is not None else None, scopes, managed)
