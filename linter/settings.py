"""The effective VPC CNI settings of a cluster, merged from every source with each value's origin.

Sources (RULES.md § CNI): the aws-node DaemonSet env (a full manifest or a patch of it) and the
eksctl ``vpc-cni`` add-on's ``configurationValues``. When the managed add-on sets a value, EKS
applies it over the DaemonSet (reference/vpc-cni.md § 4), so it wins; a patch wins over its base.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .findings import Location
from .located import LMap, text_of
from .views import AwsNode, View

if TYPE_CHECKING:
    from .context import ClusterContext

# Higher wins when two sources state the same setting.
PRIORITY = {"helm-values": 10, "daemonset": 20, "daemonset-patch": 30, "configurationValues": 40}

# Go strconv.ParseBool, which ipamd uses for booleans (reference/vpc-cni.md § 1.1).
_GO_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
_GO_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})


def parse_go_bool(text: str) -> bool | None:
    """True/False as Go's ParseBool reads ``text``; None when Go would return an error."""
    if text in _GO_TRUE:
        return True
    if text in _GO_FALSE:
        return False
    return None


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

    @property
    def text(self) -> str | None:
        """The value as the container sees it (None when unknown)."""
        return None if self.from_ref else text_of(self.value)

    def describe(self) -> str:
        return f"{self.source} {self.location.path}:{self.location.line}"


class CniSettings:
    """All stated values per setting, and the effective one."""

    def __init__(
        self, values: list[SettingValue], aws_nodes: list[AwsNode], addon: LMap | None, addon_view: View | None
    ) -> None:
        self.values = values
        self.aws_nodes = aws_nodes
        self.addon = addon  # the eksctl vpc-cni add-on entry: the cluster runs the managed add-on
        self.addon_view = addon_view

    def all(self, name: str, container: str = "aws-node") -> list[SettingValue]:
        return [v for v in self.values if v.name == name and v.container == container]

    def get(self, name: str, container: str = "aws-node") -> SettingValue | None:
        """The value that runs: the highest-priority source, the last one in path order on a tie."""
        best: SettingValue | None = None
        for value in self.all(name, container):
            if best is None or PRIORITY[value.source] >= PRIORITY[best.source]:
                best = value
        return best

    def text(self, name: str, container: str = "aws-node") -> str | None:
        value = self.get(name, container)
        return value.text if value is not None else None

    def is_true(self, name: str, container: str = "aws-node") -> bool:
        """The setting is stated and Go reads it as true."""
        text = self.text(name, container)
        return text is not None and parse_go_bool(text) is True

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


def _daemonset_values(node: AwsNode) -> Iterator[SettingValue]:
    source = "daemonset" if node.is_complete else "daemonset-patch"
    for container in node.containers():
        for env in container.env():
            yield SettingValue(
                env.name,
                None if env.from_ref else env.value,
                env.value_loc(),
                source,
                container.name,
                node,
                env.name_loc(),
                env.from_ref,
            )


def _addon_values(ctx: ClusterContext) -> tuple[list[SettingValue], LMap | None, View | None]:
    values: list[SettingValue] = []
    for cc in ctx.cluster_configs:
        addon = cc.addon("vpc-cni")
        if addon is None:
            continue
        config = ctx.embedded(cc, addon, "configurationValues") if "configurationValues" in addon else None
        env = config.get("env") if isinstance(config, LMap) else None
        if isinstance(env, LMap):
            for name, value in env.items():
                if isinstance(name, str):
                    values.append(
                        SettingValue(name, value, env.loc(name), "configurationValues", "aws-node", cc, env.key_loc(name))
                    )
        return values, addon, cc
    return values, None, None


def cni_settings(ctx: ClusterContext) -> CniSettings:
    values: list[SettingValue] = []
    for node in ctx.aws_nodes:
        values.extend(_daemonset_values(node))
    addon_values, addon, addon_view = _addon_values(ctx)
    values.extend(addon_values)
    return CniSettings(values, ctx.aws_nodes, addon, addon_view)
