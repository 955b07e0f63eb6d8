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
from typing import TYPE_CHECKING

from .cni_settings import AWS_NODE, INIT, catalogue, go_parse_bool
from .cni_sources import (
    FieldValue,
    HelmValues,
    SettingValue,
    configuration_values,
    read_configuration_values,
    read_daemonset,
    read_helm,
)
from .cni_version import CniVersion, chart_release, newest_release, parse_addon_version, parse_image, shipped_release
from .findings import Location
from .located import LMap, dig, text_of
from .views import AwsNode, ClusterConfig, View

if TYPE_CHECKING:
    from .context import ClusterContext

__all__ = ["SettingValue", "FieldValue", "configuration_values", "Scope", "CniSettings", "Effective", "VersionFact",
           "addon_state", "cni_settings", "PRIORITY", "STATED", "CHART", "DEFAULT", "ASSUMED"]

# Higher wins when two sources state the same setting.
PRIORITY = {"helm-values": 10, "daemonset": 20, "daemonset-patch": 30, "configurationValues": 40}
STATED, CHART, DEFAULT, ASSUMED = "stated", "chart-default", "default", "assumed"


def parse_go_bool(text: str) -> bool | None:
    """True/False as Go's ParseBool reads ``text``; None when Go would return an error."""
    return go_parse_bool(text)


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


class _StatedValues:
    """Lookup of stated values shared by a Scope and the cluster-wide CniSettings."""

    values: list[SettingValue]

    def all(self, name: str, container: str = AWS_NODE) -> list[SettingValue]:
        return [v for v in self.values if v.name == name and v.container == container]

    def get(self, name: str, container: str = AWS_NODE) -> SettingValue | None:
        """The stated value that runs: the highest-priority source, the last in path order on a tie."""
        best: SettingValue | None = None
        for value in self.all(name, container):
            if best is None or PRIORITY[value.source] >= PRIORITY[best.source]:
                best = value
        return best


class Scope(_StatedValues):
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


class CniSettings(_StatedValues):
    """All stated values per setting, the effective one, and the scopes rules judge."""

    def __init__(self, values: list[SettingValue], aws_nodes: list[AwsNode], addon: LMap | None,
                 addon_view: View | None, scopes: list[Scope] | None = None, managed: bool = False) -> None:
        self.values = values
        self.aws_nodes = aws_nodes
        self.addon = addon  # the eksctl vpc-cni add-on entry: the cluster runs the managed add-on
        self.addon_view = addon_view
        self.scopes = scopes or []
        self.managed = managed

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
        return read_daemonset(view)
    if isinstance(view, HelmValues):
        return read_helm(view)
    return [], []


def cni_settings(ctx: ClusterContext) -> CniSettings:
    addon, cc, managed = addon_state(ctx)
    views = [v for v in ctx.views if isinstance(v, (AwsNode, HelmValues))]
    per_view = {id(v): _read(v) for v in views}
    values = [sv for v in views for sv in per_view[id(v)][0]]
    fields = [fv for v in views for fv in per_view[id(v)][1]]
    if addon is not None and cc is not None:
        addon_values, addon_fields = read_configuration_values(ctx, cc, addon)
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
