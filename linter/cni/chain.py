"""What the VPC CNI's own plugin chain in ``10-aws.conflist`` must contain (CONF006), as pure checks.

Facts: reference/vpc-cni.md § 3.3 (the generated chain: ``aws-cni``, the egress plugin,
``portmap`` with ``snat: true``; ``bandwidth``/``tuning`` appended on demand) and
reference/multus-cni.md § 1a.7 (``misc/10-aws.conflist``).
"""
from __future__ import annotations

from collections.abc import Mapping

from .spec import Problem, plugins_of

AWS_PLUGIN = "aws-cni"
# vpc-cni.md § 3.3: ``egress-cni`` (``egress-v4-cni`` in v1.10–v1.12); RULES CONF006 adds ``egress-v6-cni``.
EGRESS_PLUGINS: tuple[str, ...] = ("egress-cni", "egress-v4-cni", "egress-v6-cni")
PORTMAP = "portmap"


def is_vpc_cni_chain(config: Mapping[str, object]) -> bool:
    """True for a plugin list that runs the VPC CNI (some plugin has ``type: aws-cni``)."""
    return any(plugin.get("type") == AWS_PLUGIN for _, plugin in plugins_of(config, as_list=True))


def chain_problems(config: Mapping[str, object], *, egress_needed_because: str | None) -> list[Problem]:
    """CONF006 over a VPC CNI plugin list.

    ``egress_needed_because`` is None when the cluster's mode needs no egress plugin, else the
    reason (e.g. "ENABLE_IPv6 is true and ENABLE_V4_EGRESS defaults to true"), which the
    message repeats.
    """
    plugins = list(plugins_of(config, as_list=True))
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for path, plugin in plugins:
        kind = plugin.get("type")
        if not isinstance(kind, str):
            continue
        index = int(path[-1])
        if kind in seen:
            problems.append(Problem((*path, "type"), f"plugin {kind} is listed twice (plugins {seen[kind]} and {index})"))
        else:
            seen[kind] = index
    if not plugins:
        return problems
    first_type = plugins[0][1].get("type")
    if AWS_PLUGIN in seen and first_type != AWS_PLUGIN:
        problems.append(
            Problem(
                ("plugins", seen[AWS_PLUGIN], "type"),
                f"aws-cni is plugin {seen[AWS_PLUGIN]} of the chain, not the first (first: {first_type})",
            )
        )
    if egress_needed_because and not any(name in seen for name in EGRESS_PLUGINS):
        problems.append(
            Problem(("plugins",), f"chain has no egress plugin ({', '.join(EGRESS_PLUGINS)}) although {egress_needed_because}")
        )
    if PORTMAP not in seen:
        problems.append(Problem(("plugins",), "chain has no portmap plugin (the VPC CNI chain ends with portmap, snat true)"))
    else:
        path, portmap = plugins[[i for i, (_, p) in enumerate(plugins) if p.get("type") == PORTMAP][0]]
        if portmap.get("snat") is False:
            problems.append(Problem((*path, "snat"), "portmap has snat false; the VPC CNI chain sets snat true"))
    return problems
