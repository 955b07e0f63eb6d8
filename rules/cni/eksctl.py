"""CNI install and IAM through eksctl: the vpc-cni add-on, its role, and its IPv6 policy."""
from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from typing import Any

from eks_net_lint.context import ClusterContext
from eks_net_lint.findings import Location, Related, Severity, Violation
from eks_net_lint.located import LMap, dig, dig_list, iter_maps, text_of
from eks_net_lint.registry import rule
from eks_net_lint.views import ClusterConfig

# reference/vpc-cni.md § 2 X47 and reference/eksctl.md § 6.3: what ipamd needs in IPv6 mode.
IPV6_ACTIONS = ("ec2:AssignIpv6Addresses", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups")
IPV4_ONLY_POLICY = ":policy/AmazonEKS_CNI_Policy"


def _true(value: object) -> bool:
    return bool(text_of(value) == "true")


def _gets_vpc_cni(cc: ClusterConfig) -> bool:
    """eksctl installs vpc-cni: listed, or by default (reference/eksctl.md § 4.1)."""
    if cc.addon("vpc-cni") is not None:
        return True
    return not _true(dig(cc.data, "addonsConfig", "disableDefaultAddons")) and not _auto_mode(cc)


def _auto_mode(cc: ClusterConfig) -> bool:
    return _true(dig(cc.data, "autoModeConfig", "enabled"))


def _aws_node_associations(cc: ClusterConfig) -> Iterator[LMap]:
    for entry in iter_maps(dig(cc.data, "iam", "podIdentityAssociations")):
        if entry.get("namespace") == "kube-system" and entry.get("serviceAccountName") == "aws-node":
            yield entry


def _has_pod_identity(cc: ClusterConfig, addon: LMap | None) -> bool:
    if addon is not None and (dig_list(addon, "podIdentityAssociations") or _true(addon.get("useDefaultPodIdentityAssociations"))):
        return True
    if _true(dig(cc.data, "addonsConfig", "autoApplyPodIdentityAssociations")):
        return True
    return any(True for _ in _aws_node_associations(cc))


def _anchor(cc: ClusterConfig, addon: LMap | None) -> Location:
    return addon.loc("name") if addon is not None else cc.anchor()


@rule("CNI014", "cni-uses-node-role", Severity.WARNING)
def cni_uses_node_role(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """eksctl gives vpc-cni no IAM role of its own, so aws-node runs with the node role.

    ## What it does
    For an eksctl cluster that gets vpc-cni (listed under `addons`, or installed by default:
    `addonsConfig.disableDefaultAddons` not true and Auto Mode off), reports when `iam.withOIDC`
    is not true and no pod identity exists for it (vpc-cni `podIdentityAssociations` or
    `useDefaultPodIdentityAssociations`, `addonsConfig.autoApplyPodIdentityAssociations`, or an
    `iam.podIdentityAssociations` entry for `kube-system/aws-node`). IRSA fields without OIDC do
    not count: eksctl ignores them.

    ## Why it matters
    aws-node then uses the node instance role, so every pod that can reach the instance metadata
    holds the CNI's EC2 permissions; a separate role is strongly recommended (seed guidance).

    ## How to fix
    Set `iam.withOIDC: true` (eksctl then gives vpc-cni an IRSA role), or give it a pod identity.

    ## Example
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    addons:
      - name: vpc-cni
    ```
    Use instead:
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    addons:
      - name: vpc-cni
    ```

    ## References
    - `reference/vpc-cni.md` § 2 X47; `reference/eksctl.md` § 2.6, § 2.7, § 4.1, § 6.3.
    """
    if not ctx.is_cluster:
        return
    for cc in ctx.cluster_configs:
        addon = cc.addon("vpc-cni")
        if not _gets_vpc_cni(cc) or _true(dig(cc.data, "iam", "withOIDC")) or _has_pod_identity(cc, addon):
            continue
        how = "the vpc-cni add-on" if addon is not None else "vpc-cni (installed by default)"
        yield Violation(f"{how} runs with the node IAM role: iam.withOIDC is not true and no pod identity "
                        "covers kube-system/aws-node", _anchor(cc, addon),
                        "Set iam.withOIDC: true, or add a pod identity association for the vpc-cni add-on.")


@rule("CNI015", "self-managed-vpc-cni", Severity.INFO)
def self_managed_vpc_cni(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """An eksctl cluster that turns the default add-ons off without listing vpc-cni.

    ## What it does
    Reports an eksctl ClusterConfig with `addonsConfig.disableDefaultAddons: true`, no `vpc-cni`
    under `addons`, and Auto Mode off: the VPC CNI is then self-managed.

    ## Why it matters
    The managed add-on is strongly recommended (seed guidance): EKS keeps it current and
    consistent, and its settings go through `configurationValues`.

    ## How to fix
    List `vpc-cni` under `addons` (with `configurationValues` for its settings).

    ## Example
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    addonsConfig: {disableDefaultAddons: true}
    addons:
      - name: coredns
    ```
    Use instead:
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    addonsConfig: {disableDefaultAddons: true}
    addons:
      - name: vpc-cni
      - name: coredns
    ```

    ## References
    - `reference/eksctl.md` § 2.6, § 4.1 (default add-ons); `reference/vpc-cni.md` § 4.
    """
    for cc in ctx.cluster_configs:
        flag = dig(cc.data, "addonsConfig")
        if isinstance(flag, LMap) and _true(flag.get("disableDefaultAddons")) and cc.addon("vpc-cni") is None \
                and not _auto_mode(cc):
            yield Violation("default add-ons are disabled and vpc-cni is not listed: the VPC CNI is self-managed",
                            flag.loc("disableDefaultAddons"), "List vpc-cni under addons to use the managed add-on.")


def _allows(policy: Any, action: str) -> bool:
    """Whether an inline policy document has an Allow statement whose Action covers ``action``."""
    statements = policy.get("Statement") if isinstance(policy, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    for statement in statements if isinstance(statements, list) else ():
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        actions = statement.get("Action")
        actions = [actions] if isinstance(actions, str) else actions
        for pattern in actions if isinstance(actions, list) else ():
            if isinstance(pattern, str) and fnmatch.fnmatchcase(action.lower(), pattern.lower()):
                return True
    return False


def _policy_problems(holder: LMap, policy_key: str, arns_key: str, what: str) -> Iterator[tuple[str, Location]]:
    arns = dig_list(holder, arns_key)
    for index, arn in enumerate(arns or ()):
        if isinstance(arn, str) and arn.endswith(IPV4_ONLY_POLICY):
            yield f"{what} uses the IPv4-only AmazonEKS_CNI_Policy", arns.loc(index) if arns else holder.loc(arns_key)
    policy = holder.get(policy_key)
    if isinstance(policy, dict):
        missing = [a for a in IPV6_ACTIONS if not _allows(policy, a)]
        if missing:
            yield f"{what} lacks {', '.join(missing)}", holder.key_loc(policy_key)


@rule("CNI016", "ipv6-cni-policy-missing", Severity.ERROR)
def ipv6_cni_policy_missing(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """An IPv6 cluster whose VPC CNI IAM policy lacks what IPv6 mode needs.

    ## What it does
    In an eksctl cluster with `ipFamily: IPv6`, reports a vpc-cni policy that is the IPv4-only
    `AmazonEKS_CNI_Policy` (add-on `attachPolicyARNs`, pod identity `permissionPolicyARNs`,
    `iam.serviceAccounts` of `kube-system/aws-node`), and an inline vpc-cni `attachPolicy` or pod
    identity `permissionPolicy` without an Allow for `ec2:AssignIpv6Addresses`,
    `ec2:DescribeSubnets` or `ec2:DescribeSecurityGroups`.

    ## Why it matters
    ipamd cannot assign IPv6 prefixes or discover subnets: it fails to initialise, aws-node
    crash-loops and the nodes never become Ready.

    ## How to fix
    Drop the custom policy so eksctl attaches its IPv6 policy, or add the missing actions.

    ## Example
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    kubernetesNetworkConfig: {ipFamily: IPv6}
    iam: {withOIDC: true}
    addons:
      - name: vpc-cni
        attachPolicyARNs: [arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy]
      - name: coredns
      - name: kube-proxy
    ```
    Use instead:
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    kubernetesNetworkConfig: {ipFamily: IPv6}
    iam: {withOIDC: true}
    addons:
      - name: vpc-cni
      - name: coredns
      - name: kube-proxy
    ```

    ## References
    - `reference/vpc-cni.md` § 2 X47; `reference/eksctl.md` § 6.3 (the IPv6 policy and its two Describe actions).
    """
    if not ctx.is_cluster:
        return
    for cc in ctx.cluster_configs:
        if not cc.is_ipv6():
            continue
        found: list[tuple[str, Location]] = []
        addon = cc.addon("vpc-cni")
        if addon is not None:
            found.extend(_policy_problems(addon, "attachPolicy", "attachPolicyARNs", "the vpc-cni attachPolicy"))
            for pia in iter_maps(addon.get("podIdentityAssociations")):
                found.extend(_policy_problems(pia, "permissionPolicy", "permissionPolicyARNs", "the vpc-cni pod identity"))
        for pia in _aws_node_associations(cc):
            found.extend(_policy_problems(pia, "permissionPolicy", "permissionPolicyARNs", "the aws-node pod identity"))
        for sa in iter_maps(dig(cc.data, "iam", "serviceAccounts")):
            meta = sa.get("metadata")
            if isinstance(meta, dict) and meta.get("name") == "aws-node" and meta.get("namespace") == "kube-system":
                found.extend(_policy_problems(sa, "attachPolicy", "attachPolicyARNs", "the aws-node IRSA role"))
        family = cc.loc("kubernetesNetworkConfig", "ipFamily")
        for problem, where in found:
            yield Violation(f"{problem} in an IPv6 cluster: ipamd fails to initialise", where,
                            "Add ec2:AssignIpv6Addresses, ec2:DescribeSubnets and ec2:DescribeSecurityGroups, "
                            "or let eksctl attach its IPv6 policy.", (Related(family, "ipFamily IPv6"),))
