"""Helpers the CNI and MGD rules share: judging context, locations, IPv6 facts, quoting."""
from __future__ import annotations

from collections.abc import Iterator

from eks_net_lint.cni_settings import AWS_NODE, Context, catalogue, go_atoi, judge, quote
from eks_net_lint.cni_version import CniVersion
from eks_net_lint.context import ClusterContext
from eks_net_lint.findings import Location, Related
from eks_net_lint.located import dig, is_unknown, text_of
from eks_net_lint.settings import Effective, Scope, SettingValue
from eks_net_lint.views import ClusterConfig

__all__ = ["quote", "version_of", "judging_context", "literal", "ipv6_source", "env_anchor", "related",
           "effective_int", "shown", "eksctl_ipv6", "ENV_NAMES", "stated_true"]

ENV_NAMES = ("aws-node", "aws-vpc-cni-init")


def stated_true(eff: Effective) -> bool:
    """Written (not a default), a literal, and true."""
    return eff.stated and eff.value is not None and literal(eff.value) is not None and eff.is_true()


def version_of(scope: Scope) -> CniVersion | None:
    fact = scope.version
    return fact.version if fact is not None else None


def judging_context(scope: Scope) -> Context:
    """The facts that change how a value is read: version, IP family, security groups for pods."""
    pod_eni = scope.effective("ENABLE_POD_ENI")
    return Context(version_of(scope), scope.effective("ENABLE_IPv6").is_true(),
                   pod_eni.is_true() if pod_eni.stated else None)


def literal(value: SettingValue) -> str | None:
    """The literal text a source gives, or None when it is unknown or not a string where one is required.

    A DaemonSet ``value`` and a ``configurationValues`` entry must be JSON/YAML strings (the API
    server and the add-on schema reject others: LNT003 / MGD003 report them); Helm quotes any scalar.
    """
    if value.from_ref or is_unknown(value.value):
        return None
    if value.source == "helm-values":
        text: str | None = text_of(value.value)
        return text
    raw: object = value.value
    return raw if isinstance(raw, str) else None


def effective_int(scope: Scope, name: str) -> int:
    """The integer ipamd uses for an int setting (invalid or negative values fall back: § 1.1 I1)."""
    spec = catalogue().get(AWS_NODE, name)
    eff = scope.effective(name)
    if spec is None or eff.text is None:
        return 0
    verdict = judge(spec, eff.text)
    return verdict.value if isinstance(verdict.value, int) else 0


def shown(eff: Effective) -> str:
    """A setting's value for a message: quoted when written, else why it holds."""
    if eff.stated and eff.text is not None:
        return f"{eff.name}={quote(eff.text)}"
    if eff.text is None:
        return f"{eff.name} unknown"
    if eff.origin == "chart-default":
        return f"{eff.name}={quote(eff.text)} (the chart default)"
    return f"{eff.name}={quote(eff.text)} (assuming the default: {eff.because()})"


def eksctl_ipv6(ctx: ClusterContext) -> ClusterConfig | None:
    """The ClusterConfig of an IPv6 cluster (``kubernetesNetworkConfig.ipFamily`` IPv6, any case)."""
    for cc in ctx.cluster_configs:
        if cc.is_ipv6():
            return cc
    return None


def ipv6_source(ctx: ClusterContext, scope: Scope) -> tuple[bool, Location | None, str]:
    """Whether the scope runs in IPv6 mode, where that is said, and how to name it."""
    eff = scope.effective("ENABLE_IPv6")
    if eff.stated and eff.is_true() and eff.value is not None:
        return True, eff.value.location, "ENABLE_IPv6=true"
    cc = eksctl_ipv6(ctx) if ctx.is_cluster else None
    if cc is not None:
        return True, cc.loc("kubernetesNetworkConfig", "ipFamily"), "an IPv6 cluster (ipFamily IPv6)"
    return False, None, ""


def env_anchor(scope: Scope) -> Location | None:
    """Where a finding about an unset setting of a complete definition points: its env list."""
    for node in scope.daemonsets:
        main = node.main()
        if main is not None:
            return main.data.key_loc("env") if "env" in main.data else main.data.loc("name")
    for view in scope.helm:
        return view.data.key_loc("env") if "env" in view.data else view.anchor()
    if scope.addon is not None and "configurationValues" in scope.addon:
        return scope.addon.loc("configurationValues")
    return None


def related(value: SettingValue | None, why: str) -> tuple[Related, ...]:
    return () if value is None else (Related(value.location, why),)


def stated_values(scope: Scope) -> Iterator[SettingValue]:
    """Every stated value of the env containers, in source order."""
    for value in scope.values:
        if value.container in ENV_NAMES:
            yield value


def eksctl_version(ctx: ClusterContext) -> tuple[tuple[int, int] | None, Location | None]:
    """``metadata.version`` of the cluster's ClusterConfig as (major, minor)."""
    cc = ctx.cluster_config
    if cc is None:
        return None, None
    text = text_of(dig(cc.data, "metadata", "version"))
    if text is None:
        return None, None
    parts = text.split(".")
    if len(parts) != 2 or go_atoi(parts[0]) is None or go_atoi(parts[1]) is None:
        return None, None
    return (int(parts[0]), int(parts[1])), cc.loc("metadata", "version")
