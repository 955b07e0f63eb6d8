"""ENI selection: which ENIConfig each node picks (reference/vpc-and-eniconfig.md § b.2)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eks_net_lint.aws.zones import DEPRECATED_ZONE_LABEL, ZONE_LABEL_KEYS, in_region, looks_like_zone
from eks_net_lint.context import ClusterContext
from eks_net_lint.findings import Related, Severity, Violation
from eks_net_lint.located import is_unknown, text_of
from eks_net_lint.registry import rule
from eks_net_lint.settings import SettingValue
from eks_net_lint.views import EniConfig

CUSTOM_NETWORK = "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG"
LABEL_DEF = "ENI_CONFIG_LABEL_DEF"
ANNOTATION_DEF = "ENI_CONFIG_ANNOTATION_DEF"
# ipamd's fallback keys when the variables are unset or empty (reference/vpc-and-eniconfig.md § b.2).
DEFAULT_SELECTOR_KEY = "k8s.amazonaws.com/eniConfig"
EXTERNAL_LABEL = "vpc.amazonaws.com/externalEniConfig"


def _custom_networking(ctx: ClusterContext) -> SettingValue | None:
    """The setting that turns custom networking on, when it is on."""
    return ctx.cni.get(CUSTOM_NETWORK) if ctx.cni.is_true(CUSTOM_NETWORK) else None


def _zone_label(ctx: ClusterContext) -> SettingValue | None:
    """``ENI_CONFIG_LABEL_DEF`` when it selects ENIConfigs by zone."""
    value = ctx.cni.get(LABEL_DEF)
    return value if value is not None and value.text in ZONE_LABEL_KEYS else None


def _named(ctx: ClusterContext) -> dict[str, EniConfig]:
    return {e.name: e for e in ctx.eni_configs if e.name and not is_unknown(e.name)}


def _selector_values(ctx: ClusterContext) -> set[str]:
    """ENIConfig names that node-group labels select (annotation key, label key, external label)."""
    keys = {DEFAULT_SELECTOR_KEY, EXTERNAL_LABEL}
    for name in (LABEL_DEF, ANNOTATION_DEF):
        text = ctx.cni.text(name)
        if text:
            keys.add(text)
    values = set()
    for cc in ctx.cluster_configs:
        for group in cc.node_groups():
            labels = group.labels() or {}
            for key in keys:
                value = text_of(labels.get(key))
                if value:
                    values.add(value)
    return values


@rule("ENI001", "missing-zone-eniconfig", Severity.ERROR)
def missing_zone_eniconfig(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """A zone the cluster's nodes use has no ENIConfig while ENIConfigs are selected by zone.

    ## What it does
    With custom networking on (`AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG=true`) and
    `ENI_CONFIG_LABEL_DEF` set to a zone label (`topology.kubernetes.io/zone`), each node uses
    the ENIConfig named like its zone. The rule collects the zones the cluster's node groups
    launch in (their `availabilityZones`, their subnets, else the cluster's zones, plus
    `clusters.<name>.zones` in config) and reports every zone without an ENIConfig of that name.
    It reports at `ENI_CONFIG_LABEL_DEF`, with the place that puts nodes in the zone as a related
    location. It stays silent when the cluster's ENIConfigs are not in the linted files at all.

    ## Why it matters
    ipamd finds no ENIConfig for those nodes and attaches no secondary ENI: the nodes never
    become Ready, or every pod on them stays in ContainerCreating.

    ## How to fix
    Create an ENIConfig named after the zone, with a pod subnet in that zone, or stop
    launching nodes there.

    ## Example
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    availabilityZones: [us-west-2a, us-west-2b]
    addons:
      - name: vpc-cni
        configurationValues: |
          {"env": {"AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": "true",
                   "ENI_CONFIG_LABEL_DEF": "topology.kubernetes.io/zone"}}
    managedNodeGroups:
      - name: ng-1
    ---
    apiVersion: crd.k8s.amazonaws.com/v1alpha1
    kind: ENIConfig
    metadata: {name: us-west-2a}
    spec: {subnet: subnet-0a1b2c3d4e5f60718}
    ```
    Use instead:
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    availabilityZones: [us-west-2a, us-west-2b]
    addons:
      - name: vpc-cni
        configurationValues: |
          {"env": {"AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": "true",
                   "ENI_CONFIG_LABEL_DEF": "topology.kubernetes.io/zone"}}
    managedNodeGroups:
      - name: ng-1
    ---
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
    - `reference/vpc-and-eniconfig.md` § b.2 (how ipamd picks a node's ENIConfig), § b.3 (what
      happens when none matches).
    """
    if not ctx.is_cluster:
        return
    switch, label = _custom_networking(ctx), _zone_label(ctx)
    named = _named(ctx)
    if switch is None or label is None or not named:
        return
    found = ", ".join(sorted(named)) or "none"
    for zone in ctx.node_zones:
        if zone.zone in named or is_unknown(zone.zone):
            continue
        related = [Related(switch.location, f"custom networking turned on here ({switch.source})")]
        if zone.location is not None:
            related.insert(0, Related(zone.location, f"nodes in {zone.zone} ({zone.origin})"))
        yield Violation(
            f"zone {zone.zone} has no ENIConfig; found: {found}",
            label.location,
            f"Create an ENIConfig named {zone.zone} with a pod subnet in {zone.zone}.",
            tuple(related),
        )


@rule("ENI002", "eniconfig-unused", Severity.WARNING)
def eniconfig_unused(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """ENIConfigs in a cluster whose aws-node settings never turn custom networking on.

    ## What it does
    When the cluster has a source that defines aws-node settings (a complete aws-node
    DaemonSet, Helm values, or an eksctl `vpc-cni` add-on with `configurationValues`) and none of
    them sets `AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG` to true, reports each ENIConfig.

    ## Why it matters
    ipamd reads ENIConfigs only when custom networking is on: pods keep getting addresses from
    the node's subnet, the pod subnets stay empty, and the planned IP space is never used.

    ## How to fix
    Set `AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG` to "true" (through the add-on's
    `configurationValues`), or delete the unused ENIConfigs.

    ## Example
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    addons:
      - name: vpc-cni
        configurationValues: '{"env": {"WARM_IP_TARGET": "5"}}'
    ---
    apiVersion: crd.k8s.amazonaws.com/v1alpha1
    kind: ENIConfig
    metadata: {name: us-west-2a}
    spec: {subnet: subnet-0a1b2c3d4e5f60718}
    ```
    Use instead:
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    addons:
      - name: vpc-cni
        configurationValues: '{"env": {"WARM_IP_TARGET": "5", "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": "true"}}'
    ---
    apiVersion: crd.k8s.amazonaws.com/v1alpha1
    kind: ENIConfig
    metadata: {name: us-west-2a}
    spec: {subnet: subnet-0a1b2c3d4e5f60718}
    ```

    ## References
    - `reference/vpc-and-eniconfig.md` § b.6 (ENIConfigs are read only under custom networking).
    """
    if not ctx.is_cluster or not ctx.eni_configs or not ctx.cni.defines_aws_node:
        return
    stated = ctx.cni.all(CUSTOM_NETWORK)
    if any(v.text is None or v.text.lower() == "true" for v in stated):
        return
    where = stated[-1] if stated else None
    related = (Related(where.location, f"{CUSTOM_NETWORK} is {where.text} here"),) if where else ()
    reason = f"{CUSTOM_NETWORK} is {where.text}" if where else f"no source sets {CUSTOM_NETWORK} (default false)"
    for eni in ctx.eni_configs:
        yield Violation(
            f"ENIConfig {eni.name} is ignored: {reason}",
            eni.anchor(),
            f"Set {CUSTOM_NETWORK} to \"true\" in the add-on configuration, or delete the ENIConfig.",
            related,
        )


@rule("ENI003", "eniconfig-name-not-a-zone", Severity.ERROR)
def eniconfig_name_not_a_zone(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """An ENIConfig name that is no zone of the cluster's region while ENIConfigs are selected by zone.

    ## What it does
    When `ENI_CONFIG_LABEL_DEF` is a zone label, nodes look up the ENIConfig named like their
    zone. The rule reports ENIConfig names that are not an Availability Zone, Local Zone or
    Wavelength Zone of the cluster's region, are not `default`, and are not selected by any node
    group label (`k8s.amazonaws.com/eniConfig`, the `ENI_CONFIG_ANNOTATION_DEF` key, or
    `vpc.amazonaws.com/externalEniConfig`).

    ## Why it matters
    No node will ever select it: either it is a typo (`us-west2a`, `us-east-1a` in a us-west-2
    cluster) and the real zone has no ENIConfig, or it is dead configuration.

    ## How to fix
    Rename the ENIConfig to the zone it serves (`us-west-2a`), or select it through a node label.

    ## Example
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    addons:
      - name: vpc-cni
        configurationValues: |
          {"env": {"AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": "true",
                   "ENI_CONFIG_LABEL_DEF": "topology.kubernetes.io/zone"}}
    ---
    apiVersion: crd.k8s.amazonaws.com/v1alpha1
    kind: ENIConfig
    metadata: {name: us-east-1a}
    spec: {subnet: subnet-0a1b2c3d4e5f60718}
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
          {"env": {"AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": "true",
                   "ENI_CONFIG_LABEL_DEF": "topology.kubernetes.io/zone"}}
    ---
    apiVersion: crd.k8s.amazonaws.com/v1alpha1
    kind: ENIConfig
    metadata: {name: us-west-2a}
    spec: {subnet: subnet-0a1b2c3d4e5f60718}
    ```

    ## References
    - `reference/vpc-and-eniconfig.md` § b.2 (selection by zone label), § c.2 (zone membership).
    """
    if not ctx.is_cluster or _zone_label(ctx) is None or ctx.region is None:
        return
    region = ctx.region.value
    selected = _selector_values(ctx)
    label = _zone_label(ctx)
    for name, eni in _named(ctx).items():
        if name == "default" or name in selected or in_region(name, region):
            continue
        what = "names a zone outside" if looks_like_zone(name) else "is not a zone name of"
        related = [Related(ctx.region.location, f"cluster region {region}")] if ctx.region.location else []
        if label is not None:
            related.append(Related(label.location, f"{LABEL_DEF} selects ENIConfigs by zone"))
        yield Violation(
            f"ENIConfig {name} {what} region {region}: no node selects it by zone",
            eni.anchor(),
            f"Rename the ENIConfig to the zone of {region} it serves, or select it with a node label.",
            tuple(related),
        )


@rule("ENI004", "deprecated-zone-label", Severity.WARNING)
def deprecated_zone_label(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """`ENI_CONFIG_LABEL_DEF` uses the deprecated `failure-domain.beta.kubernetes.io/zone` label.

    ## What it does
    Reports every source that sets `ENI_CONFIG_LABEL_DEF` to
    `failure-domain.beta.kubernetes.io/zone`.

    ## Why it matters
    Kubernetes deprecated the beta zone label in favour of `topology.kubernetes.io/zone`; nodes
    built from newer images and tooling may stop carrying it, and then no node finds its ENIConfig.

    ## How to fix
    Set `ENI_CONFIG_LABEL_DEF` to `topology.kubernetes.io/zone`.

    ## Example
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    addons:
      - name: vpc-cni
        configurationValues: '{"env": {"ENI_CONFIG_LABEL_DEF": "failure-domain.beta.kubernetes.io/zone"}}'
    ```
    Use instead:
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    addons:
      - name: vpc-cni
        configurationValues: '{"env": {"ENI_CONFIG_LABEL_DEF": "topology.kubernetes.io/zone"}}'
    ```

    ## References
    - `reference/vpc-and-eniconfig.md` § b.2 (the beta label still works but is deprecated).
    """
    for value in ctx.cni.all(LABEL_DEF):
        if value.text == DEPRECATED_ZONE_LABEL:
            yield Violation(
                f"{LABEL_DEF} is the deprecated label {DEPRECATED_ZONE_LABEL}",
                value.location,
                f"Set {LABEL_DEF} to topology.kubernetes.io/zone.",
            )




@rule("ENI009", "node-eniconfig-unresolved", Severity.ERROR)
def node_eniconfig_unresolved(ctx: ClusterContext, opts: Any) -> Iterator[Violation]:
    """A node group whose ENIConfig label names no ENIConfig, or that selects none and no `default` exists.

    ## What it does
    With custom networking on and `ENI_CONFIG_LABEL_DEF` not a zone label (unset counts: ipamd
    then reads the `k8s.amazonaws.com/eniConfig` label), nodes pick their ENIConfig from a node
    label. The rule reports a node-group label under that key (eksctl `labels`) that names no
    ENIConfig of the cluster; and, when `ENI_CONFIG_LABEL_DEF` is set explicitly and
    `ENI_CONFIG_ANNOTATION_DEF` is not, a node group without that label while no ENIConfig named
    `default` exists. It stays silent when the cluster's ENIConfigs are not in the linted files.

    ## Why it matters
    ipamd looks up an ENIConfig that does not exist, attaches no ENI, and the node's pods stay in
    ContainerCreating.

    ## How to fix
    Point the label at an existing ENIConfig, create the ENIConfig it names, or add a `default`
    ENIConfig for nodes without the label.

    ## Example
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    addons:
      - name: vpc-cni
        configurationValues: '{"env": {"AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": "true"}}'
    managedNodeGroups:
      - name: ng-1
        labels: {k8s.amazonaws.com/eniConfig: pods-a}
    ---
    apiVersion: crd.k8s.amazonaws.com/v1alpha1
    kind: ENIConfig
    metadata: {name: pods-b}
    spec: {subnet: subnet-0a1b2c3d4e5f60718}
    ```
    Use instead:
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: prod, region: us-west-2}
    iam: {withOIDC: true}
    addons:
      - name: vpc-cni
        configurationValues: '{"env": {"AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": "true"}}'
    managedNodeGroups:
      - name: ng-1
        labels: {k8s.amazonaws.com/eniConfig: pods-b}
    ---
    apiVersion: crd.k8s.amazonaws.com/v1alpha1
    kind: ENIConfig
    metadata: {name: pods-b}
    spec: {subnet: subnet-0a1b2c3d4e5f60718}
    ```

    ## References
    - `reference/vpc-and-eniconfig.md` § b.2 (external label, annotation, label, then `default`),
      § b.3 (what happens when none matches).
    """
    if not ctx.is_cluster or _custom_networking(ctx) is None or _zone_label(ctx) is not None:
        return
    named = _named(ctx)
    if not named:
        return
    label_setting = ctx.cni.get(LABEL_DEF)
    key = (label_setting.text if label_setting is not None else None) or DEFAULT_SELECTOR_KEY
    explicit = label_setting is not None and bool(label_setting.text)
    annotation_set = bool(ctx.cni.text(ANNOTATION_DEF))
    for cc in ctx.cluster_configs:
        for group in cc.node_groups():
            labels = group.labels()
            value = labels.get(key) if labels is not None else None
            if labels is not None and EXTERNAL_LABEL in labels:
                continue
            if isinstance(value, str) and not is_unknown(value):
                if value not in named:
                    yield Violation(
                        f"{group.label} label {key}={value} names no ENIConfig; found: {', '.join(sorted(named))}",
                        labels.loc(key) if labels is not None else group.data.loc("name"),
                        f"Create an ENIConfig named {value}, or set the label to an existing one.",
                    )
            elif value is None and explicit and not annotation_set and "default" not in named:
                assert label_setting is not None
                yield Violation(
                    f"{group.label} sets no {key} label and there is no ENIConfig named default",
                    group.data.loc("name"),
                    f"Label the node group with {key}=<ENIConfig name>, or create an ENIConfig named default.",
                    (Related(label_setting.location, f"{LABEL_DEF} is {key} here"),),
                )
