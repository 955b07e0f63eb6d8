"""Every place a node's max pods is configured, located: eksctl node groups, nodeadm, Karpenter, launch templates."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .findings import Location, Related
from .load import Document, parse_embedded
from .located import LList, LMap, Unknown, dig, dig_list, dig_map, is_unknown, iter_maps, text_of
from .userdata import disables_default_max_pods, looks_like_nodeconfig, max_pods_flags, max_pods_number, mime_parts
from .views import ClusterConfig, Signature, View

if TYPE_CHECKING:
    from .context import ClusterContext


# --- views of the node-bootstrap kinds (DESIGN.md § Inputs) ---------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class NodeConfig(View):
    """AL2023 nodeadm ``node.eks.aws/v1alpha1`` NodeConfig (a file of its own)."""

    kind_name = "NodeConfig"


@dataclass(frozen=True, slots=True, eq=False)
class Ec2NodeClass(View):
    """Karpenter ``karpenter.k8s.aws`` EC2NodeClass: kubelet settings and user data of its nodes."""

    kind_name = "EC2NodeClass"

    @property
    def name(self) -> str:
        return self.sig.name


@dataclass(frozen=True, slots=True, eq=False)
class NodePool(View):
    """Karpenter ``karpenter.sh`` NodePool: which EC2NodeClass and instance types its nodes use."""

    kind_name = "NodePool"

    @property
    def name(self) -> str:
        return self.sig.name

    def node_class(self) -> str | None:
        ref = dig_map(self.data, "spec", "template", "spec", "nodeClassRef")
        if ref is None:
            return None
        kind = ref.get("kind")
        if kind is not None and kind != "EC2NodeClass":
            return None
        return text_of(ref.get("name"))

    def instance_types(self) -> list[tuple[str, Location]]:
        """Types named by `node.kubernetes.io/instance-type In [...]` requirements."""
        found: list[tuple[str, Location]] = []
        for req in iter_maps(dig(self.data, "spec", "template", "spec", "requirements")):
            if req.get("key") != INSTANCE_TYPE_LABEL or req.get("operator") != "In":
                continue
            values = dig_list(req, "values")
            if values is not None:
                found.extend((v, values.loc(i)) for i, v in enumerate(values) if isinstance(v, str))
        return found


INSTANCE_TYPE_LABEL = "node.kubernetes.io/instance-type"


# --- every configured max pods, with the instance types it applies to ------------------------------

MANAGED = "eksctl managed node group"
SELF_MANAGED = "eksctl node group"
KARPENTER = "Karpenter NodePool"
NODECONFIG = "NodeConfig"
LAUNCH_TEMPLATE = "CloudFormation launch template"

_TEXT_TAGS = frozenset({"!Sub", "!Base64"})
_TEXT_FUNCTIONS = ("Fn::Base64", "Fn::Sub")

# eksctl `ami` resolver words; any other value is a custom AMI ID (reference/eksctl.md § 2.8).
_AMI_RESOLVERS = frozenset({"auto", "auto-ssm", "static"})
DEFAULT_AMI_FAMILY = "AmazonLinux2023"  # reference/eksctl.md § 2.8


@dataclass(frozen=True, slots=True)
class TypeRef:
    """An instance type a group of nodes may launch, and where it is written."""

    name: str
    location: Location


@dataclass(frozen=True, slots=True)
class ConfiguredMaxPods:
    """One configured max pods: the number, where it is written and which field sets it."""

    value: int
    location: Location
    field: str


@dataclass(frozen=True, slots=True)
class PodsGroup:
    """Nodes that share a max-pods configuration: an eksctl node group, a NodePool, a launch template."""

    label: str
    anchor: Location
    producer: str
    instance_types: tuple[TypeRef, ...]
    max_pods: tuple[ConfiguredMaxPods, ...]
    ami_family: str = DEFAULT_AMI_FAMILY
    custom_ami: bool = False
    default_disabled: bool = False
    related: tuple[Related, ...] = ()

    @property
    def windows(self) -> bool:
        return self.ami_family.lower().startswith("windows")

    @property
    def amazon_linux(self) -> bool:
        """AL2 or AL2023, whose default max pods reference/max-pods.md § 2 describes."""
        return self.ami_family.lower() in ("amazonlinux2", "amazonlinux2023")


def _whole_number(value: object) -> int | None:
    """A YAML integer field (maxPodsPerNode, maxPods); strings and bools are not accepted by eksctl."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(value: Any) -> Any:
    """A string as written, also under CloudFormation's `!Sub` / `!Base64` short forms."""
    if isinstance(value, Unknown) and value.tag in _TEXT_TAGS and isinstance(value.raw, str):
        return value.raw
    return value


def _value_at(container: LMap | LList, key: Any) -> tuple[Any, tuple[int, int, int, int], str]:
    if isinstance(container, LMap):
        return _text(container.get(key)), container.val_pos.get(key, container.pos), container.style(key)
    inside = isinstance(key, int) and 0 <= key < len(container.item_pos)
    return (_text(container[key]) if inside else None), (container.item_pos[key] if inside else container.pos), container.style(key)


def _block_indent(source_text: str, line: int) -> int:
    """Indentation of the first non-blank line after `line` (the body of a `|` block scalar)."""
    for candidate in source_text.split("\n", line + 200)[line : line + 200]:
        if candidate.strip():
            return len(candidate) - len(candidate.lstrip(" "))
    return 0


def text_location(view: View, container: LMap | LList, key: Any, offset: int, length: int) -> Location:
    """Where character `offset` of a string value sits in the file: exact in `|` blocks and on one line."""
    text, pos, style = _value_at(container, key)
    line, col = pos[0], pos[1]
    if isinstance(text, str):
        if style == "|":
            start = text.rfind("\n", 0, offset) + 1
            line = pos[0] + 1 + text.count("\n", 0, offset)
            col = _block_indent(view.doc.source.text, pos[0]) + 1 + offset - start
        elif "\n" not in text[:offset]:
            source_line = view.doc.source.text.split("\n", line)[line - 1] if line >= 1 else ""
            quoted = source_line[col - 1 : col] in ('"', "'")
            col = col + offset + (1 if quoted else 0)
    return Location(container.path, line, col, line, col + length)


def _shell_values(view: View, container: LMap | LList, key: Any, field: str, start: int = 0, end: int | None = None) -> Iterator[ConfiguredMaxPods]:
    text = _value_at(container, key)[0]
    if not isinstance(text, str):
        return
    for hit in max_pods_flags(text[start:end]):
        number = max_pods_number(hit.value)
        if number is not None:
            yield ConfiguredMaxPods(number, text_location(view, container, key, start + hit.start, len(hit.value)), field)


def nodeconfig_values(data: Any, field: str) -> Iterator[ConfiguredMaxPods]:
    """`spec.kubelet.config.maxPods` and `--max-pods` in `spec.kubelet.flags` of a NodeConfig."""
    config = dig_map(data, "spec", "kubelet", "config")
    if config is not None:
        number = _whole_number(config.get("maxPods"))
        if number is not None:
            yield ConfiguredMaxPods(number, config.loc("maxPods"), f"{field} kubelet.config.maxPods")
    flags = dig_list(data, "spec", "kubelet", "flags")
    for index, flag in enumerate(flags or ()):
        for hit in max_pods_flags(flag):
            number = max_pods_number(hit.value)
            if number is not None and flags is not None:
                yield ConfiguredMaxPods(number, flags.loc(index), f"{field} kubelet --max-pods flag")


def _embedded_nodeconfig(ctx: ClusterContext, view: View, container: LMap, key: Any, field: str, start: int = 0, end: int | None = None) -> Iterator[ConfiguredMaxPods]:
    """Parse a NodeConfig held in (part of) a string value, located in the file."""
    text, pos, style = _value_at(container, key)
    if not isinstance(text, str):
        return
    if start == 0 and end is None and isinstance(container.get(key), str) and not is_unknown(text):
        data = ctx.embedded(view, container, key)  # the whole value: parsed once per context
    else:
        base = (pos[0] + text.count("\n", 0, start), pos[1], pos[2], pos[3]) if style == "|" else pos
        data, _problems = parse_embedded(text[start:end], view.doc.source, base, style, ctx.config.limits)
    yield from nodeconfig_values(data, field)


def bootstrap_values(ctx: ClusterContext, view: View, container: LMap, key: Any, field: str) -> Iterator[ConfiguredMaxPods]:
    """Max pods set by a bootstrap string: a NodeConfig, MIME user data, or a shell script."""
    text = _text(container.get(key))
    if not isinstance(text, str):
        return
    parts = mime_parts(text)
    if not parts:
        if looks_like_nodeconfig(text):
            yield from _embedded_nodeconfig(ctx, view, container, key, f"{field} NodeConfig")
        else:
            yield from _shell_values(view, container, key, f"--max-pods in {field}")
        return
    for part in parts:
        if part.transfer_encoding in ("base64", "quoted-printable"):
            continue  # encoded: its text cannot be read or located
        body = part.body(text)
        if part.content_type == "application/node.eks.aws" or looks_like_nodeconfig(body):
            yield from _embedded_nodeconfig(ctx, view, container, key, f"{field} NodeConfig", part.start, part.end)
        else:
            yield from _shell_values(view, container, key, f"--max-pods in {field}", part.start, part.end)


def _eksctl_groups(ctx: ClusterContext, cc: ClusterConfig) -> Iterator[PodsGroup]:
    for group in cc.node_groups():
        data = group.data
        values: list[ConfiguredMaxPods] = []
        per_node = _whole_number(data.get("maxPodsPerNode"))
        if per_node is not None and per_node > 0:  # 0 means unset (reference/eksctl.md § 2.8)
            values.append(ConfiguredMaxPods(per_node, data.loc("maxPodsPerNode"), "maxPodsPerNode"))
        extra = dig_map(data, "kubeletExtraConfig")
        if extra is not None and not group.managed:  # managed groups have no kubeletExtraConfig (§ 2.8)
            number = _whole_number(extra.get("maxPods"))
            if number is not None:
                values.append(ConfiguredMaxPods(number, extra.loc("maxPods"), "kubeletExtraConfig.maxPods"))
        values.extend(bootstrap_values(ctx, cc, data, "overrideBootstrapCommand", "overrideBootstrapCommand"))
        commands = dig_list(data, "preBootstrapCommands")
        for index in range(len(commands or ())):
            if commands is not None:
                values.extend(_shell_values(cc, commands, index, "--max-pods in preBootstrapCommands"))
        override = data.get("overrideBootstrapCommand")
        ami = text_of(data.get("ami"))
        yield PodsGroup(
            label=group.label,
            anchor=data.loc("name") if "name" in data else data.loc(),
            producer=MANAGED if group.managed else SELF_MANAGED,
            instance_types=tuple(TypeRef(n, loc) for n, loc in group.instance_types()),
            max_pods=tuple(values),
            ami_family=text_of(data.get("amiFamily")) or DEFAULT_AMI_FAMILY,
            custom_ami=ami is not None and ami not in _AMI_RESOLVERS,
            default_disabled=not looks_like_nodeconfig(override) and disables_default_max_pods(override),
        )


def _karpenter_groups(ctx: ClusterContext) -> Iterator[PodsGroup]:
    pools = ctx.of(NodePool)
    for node_class in ctx.of(Ec2NodeClass):
        values: list[ConfiguredMaxPods] = []
        kubelet = dig_map(node_class.data, "spec", "kubelet")
        if kubelet is not None:
            number = _whole_number(kubelet.get("maxPods"))
            if number is not None:
                values.append(ConfiguredMaxPods(number, kubelet.loc("maxPods"), "EC2NodeClass spec.kubelet.maxPods"))
        spec = dig_map(node_class.data, "spec")
        if spec is not None:
            values.extend(bootstrap_values(ctx, node_class, spec, "userData", "EC2NodeClass spec.userData"))
        for pool in pools:
            if pool.node_class() != node_class.name:
                continue
            types = tuple(TypeRef(n, loc) for n, loc in pool.instance_types())
            yield PodsGroup(
                label=f"NodePool {pool.name} (EC2NodeClass {node_class.name})",
                anchor=pool.anchor(),
                producer=KARPENTER,
                instance_types=types,
                max_pods=tuple(values),
                related=(Related(pool.anchor(), f"NodePool {pool.name} launches nodes of EC2NodeClass {node_class.name}"),),
            )


# --- CloudFormation launch templates ----------------------------------------------------------------

CFN_LAUNCH_TEMPLATE = "AWS::EC2::LaunchTemplate"
CFN_NODEGROUP = "AWS::EKS::Nodegroup"


@dataclass(frozen=True, slots=True, eq=False)
class LaunchTemplates(View):
    """A CloudFormation template declaring EC2 launch templates (their user data and instance type)."""

    kind_name = "CloudFormation template"

    def anchor(self) -> Location:
        return self.doc.loc()


def cfn_launch_templates(doc: Document, data: LMap, sig: Signature) -> View | None:
    """Content recogniser: a mapping with `Resources` holding an `AWS::EC2::LaunchTemplate`."""
    resources = data.get("Resources")
    if sig.kind or not isinstance(resources, LMap):
        return None
    if any(isinstance(r, LMap) and r.get("Type") == CFN_LAUNCH_TEMPLATE for r in resources.values()):
        return LaunchTemplates(doc, data, sig)
    return None


def _ref(value: Any) -> str | None:
    """The logical ID of `!Ref X` or `{"Ref": "X"}`."""
    if isinstance(value, Unknown) and value.tag == "!Ref" and isinstance(value.raw, str):
        return value.raw
    if isinstance(value, LMap) and len(value) == 1 and isinstance(value.get("Ref"), str):
        return str(value["Ref"])
    return None


def _user_data_holder(data: LMap) -> tuple[LMap, str] | None:
    """The mapping and key whose value is the user-data text, through `Fn::Base64` and `Fn::Sub`."""
    container, key = data, "UserData"
    for _depth in range(3):
        value = container.get(key)
        if isinstance(_text(value), str):
            return container, key
        if isinstance(value, Unknown) and value.tag in _TEXT_TAGS and isinstance(value.raw, LMap):
            value = value.raw
        if not isinstance(value, LMap) or len(value) != 1 or next(iter(value)) not in _TEXT_FUNCTIONS:
            return None
        container, key = value, next(iter(value))
    return None


def _nodegroup_types(resources: LMap) -> dict[str, list[TypeRef]]:
    """Launch-template logical ID → `InstanceTypes` of the `AWS::EKS::Nodegroup`s that use it."""
    found: dict[str, list[TypeRef]] = {}
    for resource in resources.values():
        if not isinstance(resource, LMap) or resource.get("Type") != CFN_NODEGROUP:
            continue
        template = dig_map(resource, "Properties", "LaunchTemplate")
        target = (_ref(template.get("Id")) or _ref(template.get("Name"))) if template is not None else None
        types = dig_list(resource, "Properties", "InstanceTypes")
        if target is not None and types is not None:
            found.setdefault(target, []).extend(TypeRef(t, types.loc(i)) for i, t in enumerate(types) if isinstance(t, str))
    return found


def _cfn_groups(ctx: ClusterContext) -> Iterator[PodsGroup]:
    for view in ctx.views:
        resources = view.data.get("Resources")
        if not isinstance(resources, LMap):
            continue
        nodegroup_types = _nodegroup_types(resources)
        for logical_id, resource in resources.items():
            data = dig_map(resource, "Properties", "LaunchTemplateData")
            if not isinstance(resource, LMap) or resource.get("Type") != CFN_LAUNCH_TEMPLATE or data is None:
                continue
            types = list(nodegroup_types.get(str(logical_id), ()))
            if isinstance(data.get("InstanceType"), str):
                types.insert(0, TypeRef(data["InstanceType"], data.loc("InstanceType")))
            holder = _user_data_holder(data)
            field = "UserData"
            values = tuple(bootstrap_values(ctx, view, holder[0], holder[1], field)) if holder is not None else ()
            yield PodsGroup(f"launch template {logical_id}", resources.key_loc(logical_id), LAUNCH_TEMPLATE,
                            tuple(types), values)


def pods_groups(ctx: ClusterContext) -> list[PodsGroup]:
    """Every eksctl node group, Karpenter NodePool and launch template of a context, with max pods and types.

    Standalone NodeConfig files name no instance type, so they give groups without types.
    """
    return ctx.memo("nodepods.pods_groups", lambda: _pods_groups(ctx))


def _pods_groups(ctx: ClusterContext) -> list[PodsGroup]:
    groups: list[PodsGroup] = []
    for cc in ctx.cluster_configs:
        groups.extend(_eksctl_groups(ctx, cc))
    groups.extend(_karpenter_groups(ctx))
    groups.extend(_cfn_groups(ctx))
    for node_config in ctx.of(NodeConfig):
        values = tuple(nodeconfig_values(node_config.data, "NodeConfig"))
        if values:
            groups.append(PodsGroup(f"NodeConfig {node_config.sig.name or node_config.path}", node_config.anchor(), NODECONFIG, (), values))
    return groups


def karpenter_types(ctx: ClusterContext) -> Iterator[TypeRef]:
    """Instance types named by every NodePool of a context (PODS003 checks their names)."""
    for pool in ctx.of(NodePool):
        for name, loc in pool.instance_types():
            yield TypeRef(name, loc)
