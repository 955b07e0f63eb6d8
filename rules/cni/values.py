"""CNI values: each stated setting judged on its own (parse, name, MTU, veth prefix)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eks_net_lint.cni_settings import AWS_NODE, CLAMP, EXIT, INIT, Setting, catalogue, check_field_ref, go_atoi, judge
from eks_net_lint.context import ClusterContext
from eks_net_lint.findings import Severity, Violation
from eks_net_lint.registry import rule

from .common import judging_context, literal, stated_values, version_of

# Judged by their own rules: CNI010 (MTU) and CNI011 (veth prefix).
_OWN_RULES = frozenset({"AWS_VPC_ENI_MTU", "POD_MTU", "AWS_VPC_K8S_CNI_VETHPREFIX"})
_INIT_NAMES = "DISABLE_TCP_EARLY_DEMUX, ENABLE_IPv6, ENABLE_V6_EGRESS, HOST_CNI_BIN_PATH"


def _hint(spec: Setting, exact_true: bool) -> str:
    if exact_true:
        return 'Write exactly "true": this version of the init container compares the string.'
    if spec.type == "bool":
        return 'Write "true" or "false" (Go strconv.ParseBool spellings only).'
    if spec.type in ("int", "int-base0"):
        low = spec.minimum if spec.minimum is not None else 0
        return f"Write a whole number of at least {low}, as decimal digits only."
    if spec.type == "enum":
        return f"Use one of {', '.join(spec.values)}."
    if spec.type == "cidr-list":
        return "List only IPv4 CIDRs (address/prefix), separated by commas."
    if spec.type == "json-tags":
        return 'Write a JSON object of string values without k8s.amazonaws.com keys, e.g. {"team": "network"}.'
    if spec.fatal_values:
        return 'Log to a file path or "stderr", never "stdout" (the CNI result channel).'
    return f"Give {spec.name} a value the CNI accepts."


@rule("CNI001", "invalid-setting-value", Severity.ERROR)
def invalid_setting_value(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """A VPC CNI setting whose value ipamd cannot parse or accept, so it falls back or exits.

    ## What it does
    Judges every value written for an aws-node or aws-vpc-cni-init setting (DaemonSet env, a
    Kustomize patch of it, Helm `env`/`init.env`/`extraEnv`, `configurationValues` `env`/`init.env`)
    exactly as the CNI parses it: booleans with Go `strconv.ParseBool` (`1 t T TRUE true True 0 f F
    FALSE false False`), integers with `strconv.Atoi`, enums by exact or case-insensitive match,
    CIDR lists with `net.ParseCIDR`, `ADDITIONAL_ENI_TAGS` as a JSON string map. It reports
    booleans such as `"yes"` or `"enabled"`, non-integer or negative warm targets and `MAX_ENI`,
    bad or IPv6 entries in `AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS`, unknown log levels,
    `AWS_VPC_K8S_CNI_RANDOMIZESNAT` not `prng`/`hashrandom`/`none`, an unknown
    `POD_SECURITY_GROUP_ENFORCING_MODE` or `NETWORK_POLICY_ENFORCING_MODE`,
    `AWS_VPC_K8S_PLUGIN_LOG_FILE` set to `stdout`, `IP_COOLDOWN_PERIOD` not an integer ≥ 0, and
    `MY_NODE_NAME` not taken from `fieldRef: spec.nodeName`. The message says what the CNI does
    instead. `valueFrom` and template values are unknown and skipped; MTU and the veth prefix
    are CNI010's and CNI011's.

    ## Why it matters
    Most of these fall back silently (integers do not even log): `ENABLE_PREFIX_DELEGATION:
    "yes"` runs without prefix delegation, `WARM_IP_TARGET: "ten"` keeps no warm IPs. The rest
    make aws-node exit, leaving every new pod on the node in ContainerCreating.

    ## How to fix
    Write the value the setting accepts, as the hint says.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: aws-node, namespace: kube-system}
    spec:
      template:
        spec:
          containers:
            - name: aws-node
              env:
                - name: ENABLE_PREFIX_DELEGATION
                  value: "yes"
                - name: WARM_PREFIX_TARGET
                  value: "1"
    ```
    Use instead:
    ```yaml
    apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: aws-node, namespace: kube-system}
    spec:
      template:
        spec:
          containers:
            - name: aws-node
              env:
                - name: ENABLE_PREFIX_DELEGATION
                  value: "true"
                - name: WARM_PREFIX_TARGET
                  value: "1"
    ```

    ## References
    - `reference/vpc-cni.md` § 1.1 (parser classes, `strconv`), § 1.2, § 1.3, § 7 items 1–2.
    """
    cat = catalogue()
    for scope in ctx.cni.scopes:
        judged = judging_context(scope)
        version = judged.version
        for value in stated_values(scope):
            spec = cat.get(value.container, value.name)
            if spec is None or value.name in _OWN_RULES or (version is not None and version < spec.since):
                continue
            if spec.name == "MY_NODE_NAME":
                problem = (check_field_ref(spec, value.field_ref) if value.from_ref
                           else f"{spec.name} must come from fieldRef {spec.field_ref}, not a literal value")
                if problem is not None:
                    yield Violation(f"{problem}: ipamd cannot find its node", value.location,
                                    f"Set {spec.name} with valueFrom.fieldRef.fieldPath {spec.field_ref}.")
                continue
            text = literal(value)
            if text is None:
                if spec.type != "downward-api":
                    where = f"{value.location.path}:{value.location.line}"
                    ctx.note_skip("CNI001", f"{value.name} at {where} is unknown (valueFrom or a template)")
                continue
            verdict = judge(spec, text, judged)
            if verdict.ok or verdict.outcome == CLAMP:
                continue
            number = go_atoi(text)
            if spec.name == "MAX_ENI" and number is not None and number >= 0:
                continue  # MAX_ENI 0 means "no cap"; only unparsable and negative values are mistakes
            exact = "exact string" in verdict.problem
            yield Violation(f"{spec.name} {verdict.problem}: {verdict.effect}", value.location, _hint(spec, exact))


def _deprecated(spec: Setting, scope_version: Any) -> bool:
    return spec.ignored_since is not None and scope_version is not None and scope_version >= spec.ignored_since


@rule("CNI002", "unknown-setting", Severity.WARNING)
def unknown_setting(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """An env name on aws-node or aws-vpc-cni-init that the CNI never reads there.

    ## What it does
    Checks every env name of the `aws-node` and `aws-vpc-cni-init` containers (DaemonSet, patch,
    Helm `env`/`init.env`/`extraEnv`, `configurationValues` `env`/`init.env`) against the settings
    catalogue. It reports a name that is no VPC CNI setting (`WARM_IP_TARGETS`,
    `ENABLE_PREFIX_DELEGATIONS`) with a did-you-mean; a setting on the wrong container
    (`DISABLE_TCP_EARLY_DEMUX` on aws-node; on the init container anything but
    `DISABLE_TCP_EARLY_DEMUX`, `ENABLE_IPv6`, `ENABLE_V6_EGRESS`, `HOST_CNI_BIN_PATH`);
    cni-metrics-helper variables; and deprecated no-ops by version
    (`AWS_VPC_K8S_CNI_CONFIGURE_RPFILTER` on images ≥ v1.12.1, `ENABLE_NFTABLES` on ≥ v1.13.2).
    Downward-API, IRSA/Pod Identity credential and proxy variables are never reported.

    ## Why it matters
    Environment variable names are case-sensitive and unchecked: a typo or a setting on the wrong
    container is silently ignored, and the behaviour the author wanted never happens.

    ## How to fix
    Correct the name, or move the setting to the container that reads it, or delete it.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: aws-node, namespace: kube-system}
    spec:
      template:
        spec:
          containers:
            - name: aws-node
              env:
                - name: ENABLE_PREFIX_DELEGATIONS
                  value: "false"
    ```
    Use instead:
    ```yaml
    apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: aws-node, namespace: kube-system}
    spec:
      template:
        spec:
          containers:
            - name: aws-node
              env:
                - name: ENABLE_PREFIX_DELEGATION
                  value: "false"
    ```

    ## References
    - `reference/vpc-cni.md` § 1.2, § 1.3 (what the init binary reads), § 1.5 (names never to report).
    """
    cat = catalogue()
    for scope in ctx.cni.scopes:
        version = version_of(scope)
        for value in stated_values(scope):
            name, where = value.name, value.name_location or value.location
            if name in cat.not_settings or (value.container == INIT and name in cat.names(INIT)):
                continue
            own = cat.get(value.container, name)
            if own is not None:
                if _deprecated(own, version):
                    yield Violation(f"{name} has no effect since v{own.ignored_since.major}.{own.ignored_since.minor}."
                                    f"{own.ignored_since.patch} (this image is {version}): {own.meaning}",
                                    where, f"Delete {name}.")
                continue
            if value.container == AWS_NODE and cat.get(INIT, name) is not None:
                yield Violation(f"{name} on aws-node is never read: only the aws-vpc-cni-init container reads it",
                                where, f"Move {name} to the aws-vpc-cni-init container's env.")
            elif value.container == INIT and cat.get(AWS_NODE, name) is not None:
                yield Violation(f"{name} on aws-vpc-cni-init is never read: the init container reads only {_INIT_NAMES}",
                                where, f"Move {name} to the aws-node container's env.")
            elif value.container == AWS_NODE and name in cat.metrics_helper:
                yield Violation(f"{name} is a cni-metrics-helper variable: aws-node never reads it",
                                where, f"Move {name} to the cni-metrics-helper Deployment or delete it.")
            else:
                guess = cat.suggest(name, value.container)
                tail = f"; did you mean {guess}" if guess else ""
                yield Violation(f"{name} is not a VPC CNI setting of {value.container}{tail}", where,
                                f"Rename it to {guess}." if guess else f"Delete {name} or correct its name.")


@rule("CNI010", "mtu-out-of-range", Severity.ERROR)
def mtu_out_of_range(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """`AWS_VPC_ENI_MTU` or `POD_MTU` that is not an integer in 576–9001 (1280–9001 with IPv6).

    ## What it does
    Reports `AWS_VPC_ENI_MTU` and `POD_MTU` values that are not integers (including `""`) or lie
    outside 576–9001, or 1280–9001 when `ENABLE_IPv6` is true.

    ## Why it matters
    From v1.16.4 the aws-node entrypoint validates the MTU and exits, so no pod on the node gets
    networking. Older images clamp the value and log an error, so the MTU that runs is not the
    one written.

    ## How to fix
    Use an integer MTU inside the range: 9001 for jumbo frames inside the VPC, 1500 for paths that
    leave it.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: aws-node, namespace: kube-system}
    spec:
      template:
        spec:
          containers:
            - name: aws-node
              env:
                - name: AWS_VPC_ENI_MTU
                  value: "65536"
    ```
    Use instead:
    ```yaml
    apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: aws-node, namespace: kube-system}
    spec:
      template:
        spec:
          containers:
            - name: aws-node
              env:
                - name: AWS_VPC_ENI_MTU
                  value: "9001"
    ```

    ## References
    - `reference/vpc-cni.md` § 1.2 (`AWS_VPC_ENI_MTU`, `POD_MTU`), § 2 X07.
    """
    cat = catalogue()
    for scope in ctx.cni.scopes:
        judged = judging_context(scope)
        for value in stated_values(scope):
            spec = cat.get(value.container, value.name)
            text = literal(value)
            if spec is None or value.name not in ("AWS_VPC_ENI_MTU", "POD_MTU") or text is None:
                continue
            if judged.version is not None and judged.version < spec.since:
                continue
            verdict = judge(spec, text, judged)
            if verdict.ok:
                continue
            family = " (IPv6 mode)" if judged.ipv6 else ""
            effect = verdict.effect if verdict.outcome != EXIT or judged.version else "aws-node exits (v1.16.4 and later)"
            yield Violation(f"{spec.name} {verdict.problem}{family}: {effect}", value.location,
                            f"Set {spec.name} to an integer from {1280 if judged.ipv6 else 576} to 9001.")


@rule("CNI011", "invalid-veth-prefix", Severity.ERROR)
def invalid_veth_prefix(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """`AWS_VPC_K8S_CNI_VETHPREFIX` that is reserved (`eth`, `vlan`, `lo`) or longer than 4 bytes.

    ## What it does
    Reports a veth prefix that is exactly `eth`, `vlan` or `lo`, or longer than 4 bytes, on images
    that validate it (v1.8.0 and later, or an unknown version).

    ## Why it matters
    The aws-node entrypoint rejects it and exits before ipamd starts; the node never gets pod
    networking.

    ## How to fix
    Use a short, unreserved prefix such as the default `eni`.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: aws-node, namespace: kube-system}
    spec:
      template:
        spec:
          containers:
            - name: aws-node
              env:
                - name: AWS_VPC_K8S_CNI_VETHPREFIX
                  value: "vlan"
    ```
    Use instead:
    ```yaml
    apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: aws-node, namespace: kube-system}
    spec:
      template:
        spec:
          containers:
            - name: aws-node
              env:
                - name: AWS_VPC_K8S_CNI_VETHPREFIX
                  value: "eni"
    ```

    ## References
    - `reference/vpc-cni.md` § 1.1 (entrypoint validators), § 1.2 `AWS_VPC_K8S_CNI_VETHPREFIX`.
    """
    spec = catalogue().get(AWS_NODE, "AWS_VPC_K8S_CNI_VETHPREFIX")
    if spec is None:
        return
    for scope in ctx.cni.scopes:
        judged = judging_context(scope)
        for value in stated_values(scope):
            text = literal(value)
            if value.name != spec.name or value.container != AWS_NODE or text is None:
                continue
            verdict = judge(spec, text, judged)
            if verdict.outcome == EXIT:
                yield Violation(f"{spec.name} {verdict.problem}: {verdict.effect}", value.location,
                                'Use a prefix of at most 4 bytes other than "eth", "vlan" and "lo", such as "eni".')

