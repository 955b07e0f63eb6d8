"""The cluster's effective VPC CNI mode for max pods, and the per-type figures the PODS rules compare."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from eks_net_lint.cni_settings import Context, catalogue, judge
from eks_net_lint.cni_version import parse_addon_version, parse_image, parse_version
from eks_net_lint.context import ClusterContext
from eks_net_lint.findings import Related
from eks_net_lint.instances import lookup
from eks_net_lint.located import is_unknown, text_of
from eks_net_lint.maxpods import CniMode, MaxPods, calculate
from eks_net_lint.nodepods import ConfiguredMaxPods, PodsGroup, TypeRef, pods_groups
from eks_net_lint.settings import SettingValue

CUSTOM_NETWORK = "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG"
PREFIX_DELEGATION = "ENABLE_PREFIX_DELEGATION"
MAX_ENI = "MAX_ENI"


@dataclass(frozen=True, slots=True)
class Mode:
    """The cluster's CNI mode as it changes max pods, and which settings it assumes at their default."""

    cni: CniMode
    custom_networking: SettingValue | None
    prefix_delegation: SettingValue | None
    assumed_pd_off: bool

    def describe(self) -> str:
        parts = [name for name, on in (("custom networking", self.cni.custom_networking),
                                       ("prefix delegation", self.cni.prefix_delegation)) if on]
        text = "with " + " and ".join(parts) if parts else "in secondary-IP mode"
        return text + (f" and MAX_ENI {self.cni.max_enis}" if self.cni.max_enis is not None else "")

    def assumption(self) -> str:
        """RULES.md § Common ground: a finding that rests on a default says so."""
        return f" (assuming prefix delegation is off: no source sets {PREFIX_DELEGATION})" if self.assumed_pd_off else ""

    def related(self) -> tuple[Related, ...]:
        return tuple(Related(v.location, f"{v.name} is {v.text} here")
                     for v in (self.custom_networking, self.prefix_delegation) if v is not None)


def _cni_version(ctx: ClusterContext) -> str | None:
    """aws-node image tag, else the eksctl vpc-cni add-on version, else `clusters.<name>.cni-version`."""
    for node in ctx.aws_nodes:
        main = node.main()
        image = parse_image(main.image if main is not None else None)
        if image is not None and image.version is not None:
            return str(image.version)
    addon = ctx.cni.addon
    version = parse_addon_version(addon.get("version")) if addon is not None else None
    if version is not None and len(version.parts) >= 2:
        return ".".join(str(p) for p in version.parts)
    return text_of(ctx.setting("cni-version"))


def _stated(ctx: ClusterContext, name: str, version: str | None) -> tuple[Any, SettingValue | None, bool]:
    """(value in force, the setting that states it, known); an unstated setting takes the CNI default."""
    setting = catalogue().get("aws-node", name)
    stated = ctx.cni.get(name)
    if setting is None:
        return None, stated, False
    if stated is None:
        return setting.default, None, True
    if stated.text is None:
        return None, stated, False
    return judge(setting, stated.text, Context(version=parse_version(version))).value, stated, True


def cluster_mode(ctx: ClusterContext) -> Mode | str:
    """The effective mode, or why max pods is not ENI-bound (IPv6) or cannot be known (a setting is unknown)."""
    if any(cc.is_ipv6() for cc in ctx.cluster_configs) or ctx.cni.is_true("ENABLE_IPv6"):
        return "IPv6 cluster: pods take /80 prefixes, the IPv4 ENI formulas do not apply"
    addon = ctx.cni.addon
    raw = addon.get("configurationValues") if addon is not None else None
    if addon is not None and ctx.cni.addon_view is not None and raw is not None and str(raw).strip() \
            and not isinstance(ctx.embedded(ctx.cni.addon_view, addon, "configurationValues"), dict):
        return "the vpc-cni add-on configurationValues cannot be read (a template or broken JSON)"
    version = _cni_version(ctx)
    cn, cn_at, cn_known = _stated(ctx, CUSTOM_NETWORK, version)
    pd, pd_at, pd_known = _stated(ctx, PREFIX_DELEGATION, version)
    max_eni, _at, eni_known = _stated(ctx, MAX_ENI, version)
    unknown = [n for n, known in ((CUSTOM_NETWORK, cn_known), (PREFIX_DELEGATION, pd_known), (MAX_ENI, eni_known))
               if not known]
    if unknown:
        return f"{', '.join(unknown)} has a value no file states (a template or valueFrom)"
    mode = CniMode(custom_networking=cn is True, prefix_delegation=pd is True, cni_version=version,
                   max_enis=max_eni if isinstance(max_eni, int) else None)
    return Mode(mode, cn_at if cn is True else None, pd_at if pd is True else None, pd_at is None)


def figures_of(group: PodsGroup, mode: CniMode, skip: Callable[[str], None] | None = None,
               **caps: int) -> list[tuple[TypeRef, MaxPods]]:
    """The calculator's result for each known instance type of a group; `skip` hears why a type has none."""
    found = []
    for ref in group.instance_types:
        if is_unknown(ref.name):
            continue
        result = calculate(ref.name, mode, **caps)
        if isinstance(result, MaxPods):
            found.append((ref, result))
        elif skip is not None:
            skip(f"{group.label}: {result.reason}")
    return found


def capacity_groups(ctx: ClusterContext, rule_id: str) -> Iterator[tuple[PodsGroup, Mode, ConfiguredMaxPods, list[tuple[TypeRef, MaxPods]]]]:
    """(group, mode, configured value, figures) for every configured max pods whose ENI limit is knowable."""
    mode = cluster_mode(ctx)
    groups = [g for g in pods_groups(ctx) if g.max_pods]
    if isinstance(mode, str):
        if groups:
            ctx.note_skip(rule_id, mode)
        return
    for group in groups:
        if group.windows:
            ctx.note_skip(rule_id, f"{group.label}: Windows nodes are not checked")
            continue
        figures = figures_of(group, mode.cni, lambda reason: ctx.note_skip(rule_id, reason))
        if figures:
            for value in group.max_pods:
                yield group, mode, value, figures


def vcpus_of(name: str) -> int | None:
    itype = lookup(name)
    return itype.vcpus if itype is not None else None


def related_of(group: PodsGroup, figures: list[tuple[TypeRef, MaxPods]], mode: Mode) -> tuple[Related, ...]:
    types = tuple(Related(ref.location, f"{ref.name}: {r.eni_limited} pods ({r.formula})") for ref, r in figures)
    return types + group.related + mode.related()
