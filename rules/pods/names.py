"""PODS003: instance types that are near misses of known types, or not shaped like one."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eks_net_lint.context import ClusterContext
from eks_net_lint.findings import Location, Severity, Violation
from eks_net_lint.instances import did_you_mean, is_valid_type_name, lookup
from eks_net_lint.located import is_unknown
from eks_net_lint.nodepods import KARPENTER, karpenter_types, pods_groups
from eks_net_lint.registry import rule


@rule("PODS003", "unknown-instance-type", Severity.ERROR)
def unknown_instance_type(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """An instance type that is a near miss of a known type, or not shaped like one.

    ## What it does
    Checks every instance type of eksctl node groups and Karpenter NodePool
    `node.kubernetes.io/instance-type` requirements against the bundled instance data (every
    type of `instance-types.csv` and `eni-max-pods.txt`). It reports a type the data does not
    know that is within two edits of a known one (`m5.larg` → `m5.large`), and any name that
    does not match `^[a-z][a-z0-9-]*\\.[a-z0-9-]+$`. Other unknown types may be newer than the
    data and are not reported; the max-pods rules skip them. Template expressions are not checked.

    ## Why it matters
    EC2 refuses to launch a misspelt type, so the node group or NodePool never gets capacity;
    eksctl reports it only at create time, after the CloudFormation stack has started.

    ## How to fix
    Correct the name to the type you meant (`aws ec2 describe-instance-types` lists them).

    ## Example
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata:
      name: prod
      region: us-west-2
    iam:
      withOIDC: true
    managedNodeGroups:
      - name: ng-1
        instanceType: m5.larg
    ```
    Use instead:
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata:
      name: prod
      region: us-west-2
    iam:
      withOIDC: true
    managedNodeGroups:
      - name: ng-1
        instanceType: m5.large
    ```

    ## References
    - RULES.md PODS003 (the regex and the edit distance of 2).
    - `reference/max-pods.md` § 4 (which types the bundled data covers).
    """
    refs = [ref for group in pods_groups(ctx) if group.producer != KARPENTER for ref in group.instance_types]
    seen: set[Location] = set()
    for ref in [*refs, *karpenter_types(ctx)]:
        if ref.location in seen or is_unknown(ref.name) or lookup(ref.name) is not None:
            continue
        seen.add(ref.location)
        suggestions = did_you_mean(ref.name)
        hint = f"; did you mean {' or '.join(suggestions[:3])}" if suggestions else ""
        if not is_valid_type_name(ref.name):
            yield Violation(f"instance type {ref.name!r} is not an EC2 instance type name{hint}", ref.location,
                            f"Write the type as family.size in lower case, such as {suggestions[0] if suggestions else 'm5.large'}.")
        elif suggestions:
            yield Violation(f"unknown instance type {ref.name}{hint}", ref.location,
                            f"Use {suggestions[0]} or another type that aws ec2 describe-instance-types lists.")
        else:
            ctx.note_skip("PODS003", f"no instance data for {ref.name} (newer than the bundled data?)")
