"""MGD: the EKS managed vpc-cni add-on — fields EKS owns, drift between definitions, configurationValues."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eks_net_lint.cni_settings import AWS_NODE, INIT, quote
from eks_net_lint.cni_sources import eks_managed_paths
from eks_net_lint.cni_version import managed_fields, newest_addon_schema, parse_addon_version, parse_image
from eks_net_lint.context import ClusterContext
from eks_net_lint.findings import Related, Severity, Violation
from eks_net_lint.located import LMap, text_of
from eks_net_lint.registry import rule
from eks_net_lint.settings import SettingValue

from .cni.common import literal
from .cni.managed import (
    HINT,
    configuration,
    customisations,
    definitions,
    difference,
    env_path,
    exact_schema,
    kind_of,
    locate,
    managed,
    owned_field_violations,
    resolve,
    schema_problems,
    shipped_value,
    steps,
)


@rule("MGD001", "managed-field-modified", Severity.ERROR)
def managed_field_modified(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """The repo's aws-node DaemonSet changes a field that the managed vpc-cni add-on owns.

    ## What it does
    When the cluster uses the managed `vpc-cni` add-on (listed under eksctl `addons`, or the
    DaemonSet's `metadata.managedFields` names manager `eks`), reports where the repo's aws-node
    DaemonSet or a patch of it sets a field EKS is known to own to another value: the aws-node and
    init images (the add-on's version), `serviceAccountName`, any env var that
    `configurationValues` sets, and the fields the file's own `managedFields` of manager `eks`
    list. It names the field and both values. Settings not set through `configurationValues`
    (such as `WARM_IP_TARGET`) and differing between two definitions are MGD002's; fields that are
    only possibly managed are MGD005's.

    ## Why it matters
    EKS applies its values with server-side apply and reverts the edit (drift prevention runs
    every 15 minutes, and add-on updates overwrite), so the repo does not describe what runs.

    ## How to fix
    Change the value through the add-on (`configurationValues`, the add-on `version`), and drop
    the field from the DaemonSet or patch.

    ## Example
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    addons:
      - name: vpc-cni
        version: v1.19.2-eksbuild.1
        configurationValues: '{"env": {"WARM_IP_TARGET": "10"}}'
    ---
    apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: aws-node, namespace: kube-system}
    spec:
      template:
        spec:
          containers:
            - name: aws-node
              env:
                - {name: WARM_IP_TARGET, value: "5"}
    ```
    Use instead:
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    addons:
      - name: vpc-cni
        version: v1.19.2-eksbuild.1
        configurationValues: '{"env": {"WARM_IP_TARGET": "5"}}'
    ```

    ## References
    - `reference/vpc-cni.md` § 4.1 (what EKS manages), § 4.3 (`configurationValues`).
    """
    state = managed(ctx)
    if state is None:
        return
    addon_version = parse_addon_version(state.version_text)
    for node in ctx.aws_nodes:
        owned = eks_managed_paths(node.data)
        release = state.release(node)
        for container in node.containers():
            if container.name not in (AWS_NODE, INIT):
                continue
            ref = parse_image(container.image)
            if addon_version is not None and ref is not None and ref.version is not None \
                    and not addon_version.matches(ref.version):
                yield Violation(f"{container.name} image {ref.version} differs from the managed vpc-cni add-on version "
                                f"{addon_version}: EKS reverts the image", container.data.loc("image"),
                                "Change the add-on version instead of the image.",
                                (Related(state.addon.loc("version"), "add-on version"),) if state.addon else ())
            for env in container.env():
                configured = state.configured.get((container.name, env.name))
                text = text_of(env.value) if not env.from_ref else None
                if text is None:
                    continue
                if configured is not None and configured.text is not None and configured.text != text:
                    yield Violation(f"{env.name} is {quote(text)} here but the vpc-cni add-on's configurationValues "
                                    f"sets {quote(configured.text)}: EKS owns it and reverts the DaemonSet",
                                    env.value_loc(), HINT, (Related(configured.location, "configurationValues"),))
                    continue
                path = env_path(container.name, container.init, env.name)
                if configured is None and path in owned and release is not None:
                    known, shipped = shipped_value(release, path)
                    if known and shipped is not None and shipped != text:
                        yield Violation(f"{env.name} is {quote(text)} here but EKS owns it (managedFields) and "
                                        f"applies {quote(str(shipped))}", env.value_loc(), HINT,
                                        (Related(owned[path], "managed by eks"),))
        yield from owned_field_violations(node, owned, release)


@rule("MGD002", "unmanaged-field-drift", Severity.WARNING)
def unmanaged_field_drift(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """One setting with different values in two definitions of aws-node in the same cluster.

    ## What it does
    In a cluster, compares every setting that is not set through `configurationValues` across
    the sources that each define aws-node and are not layered on one another: Helm values and a
    plain DaemonSet manifest, two full DaemonSet manifests, a DaemonSet and a saved backup
    (`kubectl apply view-last-applied` output). It reports the later one in path order, with the
    other as a related location. A Kustomize patch over its base is layering, not drift; values
    `configurationValues` sets are MGD001's.

    ## Why it matters
    Whichever is applied last wins, so the setting that runs depends on apply order (Argo CD or
    Flux sync order, a manual `kubectl apply`), and reviews of one file miss the other.

    ## How to fix
    Keep one definition of aws-node per cluster, or make both say the same.

    ## Example
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    addonsConfig: {disableDefaultAddons: true}
    addons: [{name: vpc-cni}]
    ---
    apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: aws-node, namespace: kube-system}
    spec:
      selector: {matchLabels: {k8s-app: aws-node}}
      template:
        spec:
          containers:
            - name: aws-node
              image: 602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.23.1
              resources: {requests: {cpu: 25m}}
              env: [{name: ENABLE_IPv4, value: "true"}, {name: WARM_IP_TARGET, value: "10"}]
    ---
    nodeAgent: {enabled: true}
    env: {WARM_IP_TARGET: "5"}
    ```
    Use instead:
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    addonsConfig: {disableDefaultAddons: true}
    addons: [{name: vpc-cni}]
    ---
    apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: aws-node, namespace: kube-system}
    spec:
      selector: {matchLabels: {k8s-app: aws-node}}
      template:
        spec:
          containers:
            - name: aws-node
              image: 602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.23.1
              resources: {requests: {cpu: 25m}}
              env: [{name: ENABLE_IPv4, value: "true"}, {name: WARM_IP_TARGET, value: "10"}]
    ---
    nodeAgent: {enabled: true}
    env: {WARM_IP_TARGET: "10"}
    ```

    ## References
    - `reference/vpc-cni.md` § 4.1 (managed vs unmanaged fields, `[bp]`), § 5 (Helm values).
    """
    if not ctx.is_cluster:
        return
    configured = {(v.container, v.name) for v in ctx.cni.values if v.source == "configurationValues"}
    stated: dict[int, dict[tuple[str, str], SettingValue]] = {}
    for value in ctx.cni.values:
        if value.view is not None and value.container in (AWS_NODE, INIT) and literal(value) is not None:
            stated.setdefault(id(value.view), {})[(value.container, value.name)] = value
    defined = definitions(ctx)
    for later_index, later in enumerate(defined):
        for earlier in defined[:later_index]:
            for key, value in stated.get(id(later), {}).items():
                other = stated.get(id(earlier), {}).get(key)
                if key in configured or other is None or literal(other) == literal(value):
                    continue
                where = f"{other.location.path}:{other.location.line}"
                yield Violation(f"{value.name} is {quote(literal(value) or '')} in {kind_of(later)} but "
                                f"{quote(literal(other) or '')} in {kind_of(earlier)} at {where}: which one runs depends "
                                "on apply order", value.location, "Keep one definition of aws-node, or make both agree.",
                                (Related(other.location, f"{value.name} in {kind_of(earlier)}"),))


@rule("MGD003", "addon-configuration-invalid", Severity.ERROR)
def addon_configuration_invalid(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """vpc-cni `configurationValues` that the add-on's schema of that version rejects.

    ## What it does
    Validates the eksctl `vpc-cni` `configurationValues` (JSON or YAML text) against the bundled
    JSON Schema of exactly that add-on version (`v1.12.0-eksbuild.1`, `v1.15.1-eksbuild.1`): a value
    that is not an object, a value of the wrong JSON type (`"enableNetworkPolicy": true`, a number
    under `env`), a missing required key (`eniConfig.create`), or a key outside the schema. It
    points inside the string where the file allows (exactly for `|` block scalars). Versions
    without a bundled schema are MGD006's.

    ## Why it matters
    EKS rejects the whole configuration: `eksctl create cluster` or the add-on update fails,
    and none of the settings apply.

    ## How to fix
    Quote numbers and booleans as strings and use only the keys that add-on version accepts
    (`aws eks describe-addon-configuration --addon-name vpc-cni --addon-version …`).

    ## Example
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    addons:
      - name: vpc-cni
        version: v1.15.1-eksbuild.1
        configurationValues: '{"enableNetworkPolicy": true}'
    ```
    Use instead:
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    addons:
      - name: vpc-cni
        version: v1.15.1-eksbuild.1
        configurationValues: '{"enableNetworkPolicy": "true"}'
    ```

    ## References
    - `reference/vpc-cni.md` § 4.3 (the schemas; `additionalProperties: false` everywhere).
    """
    for _cc, addon, config in configuration(ctx):
        if not isinstance(config, LMap):
            kind = "an array" if isinstance(config, list) else "a scalar"
            yield Violation(f"configurationValues of vpc-cni is {kind}, not an object", addon.loc("configurationValues"),
                            'Write configurationValues as a JSON or YAML object, e.g. {"env": {...}}.')
            continue
        schema = exact_schema(addon)
        if schema is None:
            ctx.note_skip("MGD003", f"no bundled schema of vpc-cni add-on version {text_of(addon.get('version')) or 'unset'} "
                                    "(MGD006 checks the keys)")
            continue
        for problem, where in schema_problems(config, schema, keys_only=False):
            yield Violation(f"configurationValues {problem} the vpc-cni {schema.version} schema", where,
                            "Use only keys and string values that this add-on version's schema accepts.")


@rule("MGD004", "overwrite-discards-customizations", Severity.WARNING)
def overwrite_discards_customizations(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """`resolveConflicts: overwrite` on vpc-cni while the repo customises aws-node elsewhere.

    ## What it does
    Reports `resolveConflicts: overwrite` (any case) on the eksctl `vpc-cni` add-on when the
    cluster's files customise aws-node outside `configurationValues`: a patch of the DaemonSet, a
    DaemonSet env value that differs from what the release ships, or Helm values. Related
    locations name the customisations.

    ## Why it matters
    With OVERWRITE the next add-on update resets every value EKS manages to its default: the
    customisations vanish without a diff in the repo.

    ## How to fix
    Move the customisations into `configurationValues`, or use `resolveConflicts: preserve`.

    ## Example
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    addons:
      - name: vpc-cni
        resolveConflicts: overwrite
    ---
    apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: aws-node, namespace: kube-system}
    spec:
      template:
        spec:
          containers:
            - name: aws-node
              env:
                - {name: WARM_ENI_TARGET, value: "1"}
    ```
    Use instead:
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    addons:
      - name: vpc-cni
        resolveConflicts: overwrite
        configurationValues: '{"env": {"WARM_ENI_TARGET": "1"}}'
    ```

    ## References
    - `reference/vpc-cni.md` § 4.2 (`resolveConflicts` semantics), § 4.1.
    """
    state = managed(ctx)
    if state is None or state.addon is None:
        return
    mode = text_of(state.addon.get("resolveConflicts"))
    if mode is None or mode.lower() != "overwrite":
        return
    custom = list(customisations(ctx, state))
    if custom:
        names = ", ".join(sorted({v.name for v in custom}))
        yield Violation(f"resolveConflicts overwrite on vpc-cni resets {len(custom)} customisation(s) made outside "
                        f"configurationValues on the next add-on update: {names}", state.addon.loc("resolveConflicts"),
                        "Move these settings into configurationValues, or use resolveConflicts: preserve.",
                        tuple(Related(v.location, f"{v.name} set here") for v in custom[:10]))


@rule("MGD005", "possibly-managed-field-modified", Severity.WARNING)
def possibly_managed_field_modified(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """The repo changes a field of the managed add-on's aws-node that EKS may own and revert.

    ## What it does
    When the cluster uses the managed `vpc-cni` add-on, reports DaemonSet or patch values that
    differ from what that add-on release ships for the fields `reference/vpc-cni.md` § 4.1 lists as
    possibly EKS-managed (probes, labels, volumes, volumeMounts, ports, securityContext, the CPU
    request, tolerations, affinity, the node agent's image and args, …), and env vars that
    `configurationValues` could set but does not (except `WARM_ENI_TARGET`, `WARM_IP_TARGET`,
    `MINIMUM_IP_TARGET`, which EKS documents as unmanaged). Fields EKS certainly owns are MGD001's.

    ## Why it matters
    Which fields EKS owns varies by add-on version; where it does, the edit is reverted on the
    next reconcile or update and the cluster silently loses it.

    ## How to fix
    Set the value through `configurationValues` where the add-on accepts it; otherwise check the
    live DaemonSet's `managedFields` for manager `eks` before relying on the edit.

    ## Example
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    addons:
      - name: vpc-cni
        version: v1.23.1-eksbuild.1
    ---
    apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: aws-node, namespace: kube-system}
    spec:
      template:
        spec:
          containers:
            - name: aws-node
              env:
                - {name: ENABLE_PREFIX_DELEGATION, value: "true"}
                - {name: WARM_PREFIX_TARGET, value: "1"}
    ```
    Use instead:
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    addons:
      - name: vpc-cni
        version: v1.23.1-eksbuild.1
        configurationValues: '{"env": {"ENABLE_PREFIX_DELEGATION": "true", "WARM_PREFIX_TARGET": "1"}}'
    ```

    ## References
    - `reference/vpc-cni.md` § 4.1 (b) (the conservative union), item 2 `[bp]` (unmanaged warm settings).
    """
    state = managed(ctx)
    if state is None:
        return
    fields = managed_fields()
    parsed = parse_addon_version(state.version_text)
    schema = exact_schema(state.addon) if state.addon is not None else None
    schema = schema or newest_addon_schema()
    settable = {AWS_NODE: set(schema.env), INIT: set(schema.init_env)}
    for node in ctx.aws_nodes:
        owned = eks_managed_paths(node.data)
        release = state.release(node)
        from eks_net_lint.cni_version import newest_release

        baseline = release or newest_release()
        for container in node.containers():
            for env in container.env():
                text = text_of(env.value) if not env.from_ref else None
                path = env_path(container.name, container.init, env.name)
                if text is None or env.name not in settable.get(container.name, set()) or path in owned \
                        or (container.name, env.name) in state.configured or env.name in fields.env_unmanaged:
                    continue
                if baseline.env(container.name).get(env.name) == text:
                    continue
                yield Violation(f"{env.name} {quote(text)} is set on the managed vpc-cni add-on's {container.name} outside "
                                "configurationValues: EKS may revert it", env.value_loc(),
                                f"Set {env.name} through the add-on's configurationValues.")
        if release is None:
            ctx.note_skip("MGD005", f"{node.sig}: the release it runs is not bundled, so shipped field values are unknown")
            continue
        for recorded in fields.possible:
            path = steps(recorded)
            value = resolve(node.data, path)
            known, shipped = shipped_value(release, path)
            change = difference(value, shipped) if value is not None and known and path not in owned else None
            where = locate(node.data, (*path, *change)) if change is not None else None
            if change is None or where is None:
                continue
            field = ".".join((*path[3:], *change)).replace(".[", "[")
            ours, theirs = text_of(resolve(value, change)), text_of(resolve(shipped, change))
            what = f"is {ours} but" if ours is not None and theirs is not None else "differs from what"
            ships = f"ships {theirs}" if ours is not None and theirs is not None else "ships"
            yield Violation(f"{field} {what} the managed vpc-cni add-on {parsed or release.version} {ships}: "
                            "EKS may revert it", where, "Check the live DaemonSet's managedFields before relying on this edit.")


@rule("MGD006", "addon-configuration-key-unverified", Severity.WARNING)
def addon_configuration_key_unverified(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """`configurationValues` keys the newest bundled schema lacks, when that add-on version has none.

    ## What it does
    When no schema of exactly the add-on's version is bundled (the `version` is unset, `latest`,
    partial such as `1.19.2`, or newer than the bundled schemas), checks the `configurationValues`
    keys against the newest bundled schema (`v1.15.1-eksbuild.1`) and reports each key it lacks.

    ## Why it matters
    Each add-on version has its own schema with `additionalProperties: false`; a key the schema
    does not know makes EKS reject the whole configuration. Newer versions may accept it, so
    this is a warning to verify, not an error.

    ## How to fix
    Check the key with `aws eks describe-addon-configuration --addon-name vpc-cni --addon-version …`
    and pin the add-on version.

    ## Example
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    addons:
      - name: vpc-cni
        version: latest
        configurationValues: '{"env": {"NETWORK_POLICY_ENFORCING_MODE": "strict"}}'
    ```
    Use instead:
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    addons:
      - name: vpc-cni
        version: latest
        configurationValues: '{"enableNetworkPolicy": "true"}'
    ```

    ## References
    - `reference/vpc-cni.md` § 4.3 (schemas per version; newer ones unconfirmed).
    """
    newest = newest_addon_schema()
    for _cc, addon, config in configuration(ctx):
        if not isinstance(config, LMap) or exact_schema(addon) is not None:
            continue
        version = text_of(addon.get("version")) or "unset"
        for problem, where in schema_problems(config, newest, keys_only=True):
            yield Violation(f"configurationValues {problem} the newest bundled vpc-cni schema ({newest.version}); "
                            f"none is bundled for add-on version {version}", where,
                            "Verify the key with aws eks describe-addon-configuration for this add-on version.")
