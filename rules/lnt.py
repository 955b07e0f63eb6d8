"""LNT: the input and the linter itself (syntax, unreadable files, schemas, duplicates, suppressions)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eks_net_lint.context import ClusterContext
from eks_net_lint.findings import Severity, Violation
from eks_net_lint.load import Problem
from eks_net_lint.registry import rule
from eks_net_lint.schema_check import schema_violations
from eks_net_lint.suppress import Suppression


def _problems(ctx: ClusterContext, rule_id: str) -> Iterator[Violation]:
    for source in ctx.sources:
        for problem in source.problems:
            if problem.rule == rule_id:
                yield _violation(problem)


def _violation(problem: Problem) -> Violation:
    return Violation(problem.message, problem.location, problem.fix, problem.related)


@rule("LNT001", "invalid-syntax", Severity.ERROR)
def invalid_syntax(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """YAML or JSON that does not parse, reported at the parser's line and column.

    ## What it does
    Reports a file whose YAML or JSON (including the JSON of `.conf` and `.conflist` CNI
    configs) does not parse, at the position the parser stopped. The rest of the run goes on.

    ## Why it matters
    `kubectl apply`, eksctl, Helm and the container runtime all refuse the file, often far from
    where it was edited; a CNI config that does not parse leaves the node without networking.

    ## How to fix
    Fix the syntax at the reported position. For a Helm template, lint the rendered output
    instead: `helm template … | eks-net-lint -`.

    ## Example
    ```yaml
    apiVersion: crd.k8s.amazonaws.com/v1alpha1
    kind: ENIConfig
    metadata: {name: us-west-2a
    ```
    Use instead:
    ```yaml
    apiVersion: crd.k8s.amazonaws.com/v1alpha1
    kind: ENIConfig
    metadata: {name: us-west-2a}
    spec: {subnet: subnet-0a1b2c3d4e5f60718}
    ```

    ## References
    - YAML 1.1 (libyaml), RFC 8259 (JSON); RULES.md § LNT.
    """
    return _problems(ctx, "LNT001")


@rule("LNT002", "unreadable-file", Severity.ERROR)
def unreadable_file(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """A file that cannot be read safely: unreadable, binary, not UTF-8, too big, too deep or an alias bomb.

    ## What it does
    Reports, once per file and without ever crashing or hanging, a path that cannot be read
    (permissions, a symlink loop), a file that is binary or not UTF-8, a relevant file over the
    size limit (10 MiB), YAML or JSON nested deeper than the depth limit (500), and YAML
    whose aliases expand to more than 10,000 nodes (an "alias bomb").

    ## Why it matters
    Such a file is not linted at all, so its mistakes would otherwise pass silently. Deep
    nesting is checked on the text before any parser sees it: libyaml crashes the whole
    process on input nested about 30,000 deep.

    ## How to fix
    Fix the file or its permissions, save it as UTF-8, or exclude it in the config
    (`exclude:`). The limits are configurable under `limits:` if a file is legitimately large.

    ## Example
    ```yaml
    a: &a [x, x, x, x, x, x, x, x, x, x]
    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
    c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
    d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
    e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
    ```
    Use instead:
    ```yaml
    a: [x, x, x]
    ```

    ## References
    - RULES.md § Common ground (Bounds, Symlinks).
    """
    return _problems(ctx, "LNT002")


@rule("LNT003", "schema-violation", Severity.ERROR)
def schema_violation(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """A recognised document whose fields have the wrong type or shape for its JSON Schema.

    ## What it does
    Validates each recognised document (ENIConfig, the aws-node DaemonSet, eksctl
    ClusterConfig, …) against its JSON Schema in `schemas/` and reports the deepest failing
    path at its line. Template expressions and CloudFormation intrinsics are unknown values and
    never fail a type check.

    ## Why it matters
    The ENIConfig CRD validates almost nothing, and eksctl rejects unknown keys only when the
    cluster is created: a `securityGroups` written as a string, or `availabilityZone` for
    `availabilityZones`, fails late or is silently dropped.

    ## How to fix
    Give the field the type the schema names; fix the spelling of unknown keys.

    ## Example
    ```yaml
    apiVersion: crd.k8s.amazonaws.com/v1alpha1
    kind: ENIConfig
    metadata:
      name: us-west-2a
    spec:
      subnet: subnet-0a1b2c3d4e5f60718
      securityGroups: sg-0a1b2c3d4e5f60718
    ```
    Use instead:
    ```yaml
    apiVersion: crd.k8s.amazonaws.com/v1alpha1
    kind: ENIConfig
    metadata:
      name: us-west-2a
    spec:
      subnet: subnet-0a1b2c3d4e5f60718
      securityGroups: [sg-0a1b2c3d4e5f60718]
    ```

    ## References
    - `reference/vpc-and-eniconfig.md` § b.1 (ENIConfig CRD validation);
      `reference/eksctl.md` § 7 (the published ClusterConfig schema).
    """
    for view in ctx.views:
        yield from schema_violations(view)


@rule("LNT004", "duplicate-key", Severity.WARNING)
def duplicate_key(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """A mapping with the same key twice: YAML keeps the last one silently.

    ## What it does
    Reports the second occurrence of a key in one mapping (YAML or JSON), with the first as a
    related location.

    ## Why it matters
    Most YAML readers keep the last value without a word, so the setting that was reviewed is
    not the one that runs; eksctl refuses some duplicates outright.

    ## How to fix
    Remove one of the entries or merge them.

    ## Example
    ```yaml
    apiVersion: crd.k8s.amazonaws.com/v1alpha1
    kind: ENIConfig
    metadata:
      name: us-west-2a
    spec:
      subnet: subnet-0a1b2c3d4e5f60718
      subnet: subnet-0a1b2c3d4e5f60719
    ```
    Use instead:
    ```yaml
    apiVersion: crd.k8s.amazonaws.com/v1alpha1
    kind: ENIConfig
    metadata:
      name: us-west-2a
    spec:
      subnet: subnet-0a1b2c3d4e5f60718
    ```

    ## References
    - YAML 1.2 § 3.2.1.1 (keys are unique); RULES.md § LNT.
    """
    return _problems(ctx, "LNT004")


@rule("LNT005", "invalid-embedded-config", Severity.ERROR)
def invalid_embedded_config(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """JSON or YAML embedded in a string that does not parse, located inside the string.

    ## What it does
    Parses the configs that live inside strings — eksctl add-on `configurationValues`, NAD
    `spec.config`, CNI configs in ConfigMaps — and reports where they fail. Inside a literal
    block scalar (`|`) the position is exact; other scalar styles point at the string's start.

    ## Why it matters
    The API server stores the string as it is; the error surfaces only when EKS applies the
    add-on configuration or Multus attaches a network to a pod.

    ## How to fix
    Fix the JSON or YAML inside the string.

    ## Example
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    addons:
      - name: vpc-cni
        configurationValues: |
          {"env": {"WARM_IP_TARGET": "5",}}
    ```
    Use instead:
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    addons:
      - name: vpc-cni
        configurationValues: |
          {"env": {"WARM_IP_TARGET": "5"}}
    ```

    ## References
    - `reference/vpc-cni.md` § 4.3 (`configurationValues`); `reference/multus-cni.md` § 1c.2.
    """
    for view in ctx.views:
        for container, key, what in view.embedded_fields():
            _value, problems = ctx.embedded_result(view, container, key)
            for problem in problems:
                yield Violation(f"{what}: {problem.message}", problem.location, problem.fix)


@rule("LNT006", "unused-suppression", Severity.INFO, scope="suppressions")
def unused_suppression(suppressions: list[Suppression], opts: Any) -> Iterator[Violation]:
    """A suppression that suppresses nothing, or names a rule that does not exist.

    ## What it does
    Reports inline `# eks-net-lint: disable=…` comments, `disable-file=…` comments and
    `eks-net-lint.io/ignore` annotations whose rules did not fire where they apply, and names
    in them that are no rule ID or name.

    ## Why it matters
    Stale suppressions hide the next real problem on that line, and a misspelt rule name
    suppresses nothing while looking as if it did.

    ## How to fix
    Remove the suppression, or correct the rule ID or name.

    ## Example
    ```yaml
    apiVersion: crd.k8s.amazonaws.com/v1alpha1
    kind: ENIConfig
    metadata:
      name: us-west-2a
    spec:
      subnet: subnet-0a1b2c3d4e5f60718  # eks-net-lint: disable=ENI005
    ```
    Use instead:
    ```yaml
    apiVersion: crd.k8s.amazonaws.com/v1alpha1
    kind: ENIConfig
    metadata:
      name: us-west-2a
    spec:
      subnet: subnet-0a1b2c3d4e5f60718
    ```

    ## References
    - STYLE.md H11; ruff RUF100.
    """
    for s in suppressions:
        for name in s.unknown:
            yield Violation(f"suppression names unknown rule {name}", s.location,
                            "Use a rule ID or name that `eks-net-lint rules` lists.")
        unused = [name for rule_id, name in s.ids.items() if rule_id not in s.used]
        if unused:
            where = {"file": "this file", "annotation": "this object", "line": f"line {s.first_line}"}[s.kind]
            yield Violation(f"suppression of {', '.join(unused)} matches no finding on {where}", s.location,
                            "Remove the unused suppression.")
