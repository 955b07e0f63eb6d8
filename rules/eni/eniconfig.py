"""ENIConfig documents on their own: subnet and security-group values (reference/vpc-and-eniconfig.md § b.4, § b.5)."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from eks_net_lint.aws.ids import is_security_group_id, is_subnet_id
from eks_net_lint.context import ClusterContext
from eks_net_lint.findings import Related, Severity, Violation
from eks_net_lint.located import LList, is_unknown
from eks_net_lint.registry import rule
from eks_net_lint.views import EniConfig


@rule("ENI005", "eniconfig-invalid-subnet", Severity.ERROR)
def eniconfig_invalid_subnet(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """An ENIConfig whose `spec.subnet` is missing, empty, or not a subnet ID.

    ## What it does
    Reports ENIConfigs without `spec.subnet`, with an empty one, or with a literal that is not
    `subnet-` followed by 8 or 17 hexadecimal digits (placeholders such as `NEW-SUBNET-ID1`, or
    `subnet-08cb25ce86ab2a4cs` with a non-hex letter). Template expressions (`${SUBNET}`,
    `{{ .Values.subnet }}`) are unknown values and are not reported.

    ## Why it matters
    The CRD accepts any string, so the mistake surfaces only when ipamd calls
    CreateNetworkInterface on a node: the ENI is refused and pods there get no addresses.

    ## How to fix
    Put the real pod subnet ID (`aws ec2 describe-subnets`) in `spec.subnet`.

    ## Example
    ```yaml
    apiVersion: crd.k8s.amazonaws.com/v1alpha1
    kind: ENIConfig
    metadata:
      name: us-west-2a
    spec:
      subnet: subnet-08cb25ce86ab2a4cs
    ```
    Use instead:
    ```yaml
    apiVersion: crd.k8s.amazonaws.com/v1alpha1
    kind: ENIConfig
    metadata:
      name: us-west-2a
    spec:
      subnet: subnet-08cb25ce86ab2a4c5
    ```

    ## References
    - `reference/vpc-and-eniconfig.md` § b.1 (the CRD requires only a string), § b.5 (ID formats).
    """
    for eni in ctx.eni_configs:
        spec = eni.spec
        if spec is None or "subnet" not in spec:
            where = eni.data.key_loc("spec") if spec is not None else eni.anchor()
            yield Violation(f"ENIConfig {eni.name} has no spec.subnet", where,
                            "Set spec.subnet to the ID of the pod subnet for this zone.")
            continue
        subnet = spec.get("subnet")
        if is_unknown(subnet) or not isinstance(subnet, (str, type(None))):
            continue
        if not subnet:
            yield Violation(f"ENIConfig {eni.name} has an empty spec.subnet", spec.loc("subnet"),
                            "Set spec.subnet to the ID of the pod subnet for this zone.")
        elif not is_subnet_id(subnet):
            yield Violation(
                f"ENIConfig {eni.name} subnet {subnet} is not a subnet ID (subnet- and 8 or 17 hex digits)",
                spec.loc("subnet"),
                "Replace the value with the real subnet ID from aws ec2 describe-subnets.",
            )


@dataclass(frozen=True, slots=True)
class SecurityGroupOptions:
    """Options of ENI006."""

    max_security_groups: int = field(
        default=5, metadata={"doc": "Security groups an ENI accepts (the EC2 quota: 5 by default, up to 16)."}
    )


@rule("ENI006", "eniconfig-invalid-security-groups", Severity.ERROR, options=SecurityGroupOptions)
def eniconfig_invalid_security_groups(ctx: ClusterContext, opts: SecurityGroupOptions) -> Iterator[Violation]:
    """ENIConfig security groups that are not `sg-` IDs, repeat, or exceed the per-ENI quota.

    ## What it does
    Checks each entry of `spec.securityGroups`: it must be `sg-` followed by 8 or 17 hexadecimal
    digits, appear once, and the list must not be longer than the security groups an ENI accepts
    (5 by default).

    ## Why it matters
    ipamd passes the list straight to CreateNetworkInterface; EC2 refuses an unknown ID or too
    many groups, and nodes using the ENIConfig get no pod addresses.

    ## How to fix
    Use real security group IDs, each once, and no more than the quota (raise the quota with AWS
    and the option together).

    ## Example
    ```yaml
    apiVersion: crd.k8s.amazonaws.com/v1alpha1
    kind: ENIConfig
    metadata:
      name: us-west-2a
    spec:
      subnet: subnet-0a1b2c3d4e5f60718
      securityGroups: [sg-fedcba9876543210]
    ```
    Use instead:
    ```yaml
    apiVersion: crd.k8s.amazonaws.com/v1alpha1
    kind: ENIConfig
    metadata:
      name: us-west-2a
    spec:
      subnet: subnet-0a1b2c3d4e5f60718
      securityGroups: [sg-0dcbef838e765427f]
    ```

    ## Options
    - `max-security-groups` (int, default 5): security groups an ENI accepts.

    ## References
    - `reference/vpc-and-eniconfig.md` § b.4 (security groups and the per-ENI quota), § b.5 (ID formats).
    """
    for eni in ctx.eni_configs:
        groups = eni.spec.get("securityGroups") if eni.spec is not None else None
        if not isinstance(groups, LList):
            continue
        seen: dict[str, int] = {}
        for index, group in enumerate(groups):
            if not isinstance(group, str) or is_unknown(group):
                continue
            if not is_security_group_id(group):
                yield Violation(f"ENIConfig {eni.name} security group {group} is not a security group ID",
                                groups.loc(index), "Use the sg- ID of an existing security group.")
            if group in seen:
                yield Violation(f"ENIConfig {eni.name} lists security group {group} twice", groups.loc(index),
                                "Remove the repeated security group.",
                                (Related(groups.loc(seen[group]), f"first {group} here"),))
            else:
                seen[group] = index
        if len(groups) > opts.max_security_groups:
            yield Violation(
                f"ENIConfig {eni.name} lists {len(groups)} security groups; an ENI accepts {opts.max_security_groups}",
                groups.loc(opts.max_security_groups),
                f"Keep at most {opts.max_security_groups} security groups, or raise the quota and max-security-groups.",
            )


def _is_patch(eni: EniConfig) -> bool:
    """A partial ENIConfig (no subnet) is a Kustomize patch layered over its base, not a duplicate."""
    return eni.spec is None or "subnet" not in eni.spec


@rule("ENI008", "duplicate-eniconfig", Severity.ERROR)
def duplicate_eniconfig(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """Two ENIConfigs of one cluster with the same name.

    ## What it does
    ENIConfig is cluster-scoped, so two documents with the same `metadata.name` (in different
    files, or in one file; namespaces do not tell them apart) are one object. The rule reports the
    second in path order, with the first as related location. A partial ENIConfig without
    `spec.subnet` (a Kustomize patch over its base) is layering, not a duplicate. Across files the
    rule runs only inside a cluster.

    ## Why it matters
    Whichever is applied last wins: nodes in that zone may get pod addresses from the wrong
    subnet, and a review of one file says nothing about what runs.

    ## How to fix
    Keep one ENIConfig per name; delete or rename the other.

    ## Example
    ```yaml
    apiVersion: crd.k8s.amazonaws.com/v1alpha1
    kind: ENIConfig
    metadata: {name: us-west-2a}
    spec: {subnet: subnet-0a1b2c3d4e5f60718}
    ---
    apiVersion: crd.k8s.amazonaws.com/v1alpha1
    kind: ENIConfig
    metadata: {name: us-west-2a, namespace: kube-system}
    spec: {subnet: subnet-0a1b2c3d4e5f60719}
    ```
    Use instead:
    ```yaml
    apiVersion: crd.k8s.amazonaws.com/v1alpha1
    kind: ENIConfig
    metadata: {name: us-west-2a}
    spec: {subnet: subnet-0a1b2c3d4e5f60718}
    ---
    apiVersion: crd.k8s.amazonaws.com/v1alpha1
    kind: ENIConfig
    metadata: {name: us-west-2b}
    spec: {subnet: subnet-0a1b2c3d4e5f60719}
    ```

    ## References
    - `reference/vpc-and-eniconfig.md` § b.1 (ENIConfig is cluster-scoped).
    """
    first: dict[str, EniConfig] = {}
    for eni in ctx.eni_configs:
        if not eni.name or is_unknown(eni.name) or _is_patch(eni):
            continue
        earlier = first.get(eni.name)
        if earlier is None:
            first[eni.name] = eni
            continue
        if not ctx.is_cluster and earlier.path != eni.path:
            continue
        yield Violation(
            f"ENIConfig {eni.name} is defined twice: ENIConfig is cluster-scoped, the last one applied wins",
            eni.anchor(),
            f"Keep one ENIConfig named {eni.name}; delete or rename this one.",
            (Related(earlier.anchor(), f"first ENIConfig {eni.name} here"),),
        )
