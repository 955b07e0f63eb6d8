"""Where VPC CNI settings live besides the aws-node DaemonSet: Helm values, the ConfigMap, managedFields.

Views for the aws-vpc-cni chart's values files (recognised by content) and the
``amazon-vpc-cni`` ConfigMap, plus the readers the settings model needs: the chart's image
reference as Helm builds it (reference/vpc-cni.md § 3.2, § 5) and the field paths that a
``metadata.managedFields`` entry of manager ``eks`` owns (§ 4.1).
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from .cni_settings import AWS_NODE, catalogue
from .cni_version import chart_release, load_data, parse_version
from .findings import Location
from .load import Document
from .located import LMap, dig, dig_map, is_unknown, iter_maps, text_of
from .views import Signature, View

# Chart keys that only the aws-vpc-cni chart has next to a top-level `env:` map (reference/vpc-cni.md § 5).
_CHART_ONLY_KEYS = frozenset({
    "init", "nodeAgent", "eniConfig", "originalMatchLabels", "cniConfig", "livenessProbeTimeoutSeconds",
    "readinessProbeTimeoutSeconds", "enableNetworkPolicy", "enableWindowsIpam", "enableWindowsPrefixDelegation",
})
IMAGE_REPOSITORIES = {"image": "amazon-k8s-cni", "init": "amazon-k8s-cni-init", "nodeAgent": "amazon/aws-network-policy-agent"}


@cache
def chart_keys() -> frozenset[str]:
    """Every top-level key of the bundled aws-vpc-cni chart values (all versions)."""
    helm = load_data("vpc_cni_managed.json")["helm"]
    return frozenset(key for entry in helm.values() for key in entry["keys"])


@dataclass(frozen=True, slots=True, eq=False)
class HelmValues(View):
    """A values file of the ``aws-vpc-cni`` chart (top-level ``env:`` plus chart keys)."""

    kind_name = "aws-vpc-cni Helm values"

    def anchor(self) -> Location:
        for key in ("env", "image", "init", "nodeAgent"):
            if key in self.data:
                return self.data.key_loc(key)
        return self.data.loc()

    def env(self) -> LMap | None:
        return dig_map(self.data, "env")

    def init_env(self) -> LMap | None:
        return dig_map(self.data, "init", "env")

    def extra_env(self) -> Iterator[LMap]:
        return iter_maps(self.data.get("extraEnv"))

    def image_block(self, key: str) -> LMap | None:
        """``image``, ``init.image`` or ``nodeAgent.image``."""
        return dig_map(self.data, "image") if key == "image" else dig_map(self.data, key, "image")

    def node_agent_enabled(self) -> bool:
        enabled = dig(self.data, "nodeAgent", "enabled")
        return enabled is not False and text_of(enabled) != "false"


def recognise_helm_values(doc: Document, data: LMap, sig: Signature) -> View | None:
    """Content test: no ``kind``, an ``env`` map, and a chart-only key or a known CNI setting in it."""
    if sig.kind or "apiVersion" in data or not isinstance(data.get("env"), LMap):
        return None
    if _CHART_ONLY_KEYS & set(data):
        return HelmValues(doc, data, sig)
    known = catalogue().names(AWS_NODE)
    if set(data) <= chart_keys() and any(name in known for name in data["env"]):
        return HelmValues(doc, data, sig)
    return None


@dataclass(frozen=True, slots=True)
class ImageField:
    """A container image as a Helm values file builds it, and the key that matters most for it."""

    text: str
    location: Location
    stated: bool  # False when every part comes from the chart's defaults


def helm_image(values: HelmValues, key: str, chart_tag: str | None) -> ImageField | None:
    """The image Helm renders for ``image`` / ``init`` / ``nodeAgent`` (``_helpers.tpl``, § 3.2).

    Parts the file does not state come from the chart defaults of ``chart_tag`` (else the
    newest bundled chart); ``override`` wins, then ``overrideRepository`` + tag.
    """
    block = values.image_block(key)
    release = chart_release(parse_version(chart_tag)) if chart_tag else None
    defaults = _chart_images(release.data if release else None)
    default = defaults.get({"image": "aws-node", "init": "aws-vpc-cni-init", "nodeAgent": "aws-eks-nodeagent"}[key], {})
    stated = block if block is not None else LMap(values.path, values.data.pos)
    if any(is_unknown(v) for v in stated.values()):
        return None  # a templated part (``${region}``) makes the whole reference unknown
    override = text_of(stated.get("override"))
    if override:
        return ImageField(override, stated.loc("override"), True)
    tag = text_of(stated.get("tag")) or text_of(default.get("tag"))
    if not tag:
        return None
    where = stated.loc("tag") if "tag" in stated else (values.data.key_loc(key) if key in values.data else values.anchor())
    repository = text_of(stated.get("overrideRepository"))
    if repository:
        return ImageField(f"{repository}:{tag}", stated.loc("overrideRepository"), True)
    parts = {}
    for part in ("account", "endpoint", "region", "domain"):
        parts[part] = text_of(stated.get(part)) or text_of(default.get(part)) or {"endpoint": "ecr"}.get(part, "")
    registry = f"{parts['account']}.dkr.{parts['endpoint']}.{parts['region']}.{parts['domain']}"
    text = f"{registry}/{IMAGE_REPOSITORIES[key]}:{tag}"
    return ImageField(text, where, any(p in stated for p in ("tag", "account", "region", "domain", "endpoint")))


def _chart_images(data: Any) -> dict[str, Any]:
    if data is None:
        newest = load_data("vpc_cni_managed.json")["helm"]
        data = newest[max(newest, key=lambda tag: tuple(int(x) for x in tag.lstrip("v").split(".")))]
    return dict(data["images"])


@dataclass(frozen=True, slots=True, eq=False)
class VpcCniConfigMap(View):
    """The ``amazon-vpc-cni`` ConfigMap (reference/vpc-cni.md § 1.6)."""

    kind_name = "amazon-vpc-cni ConfigMap"

    def data_map(self) -> LMap | None:
        return dig_map(self.data, "data")


def recognise_vpc_cni_configmap(doc: Document, data: LMap, sig: Signature) -> View | None:
    if sig.kind == "ConfigMap" and sig.group == "" and sig.name == "amazon-vpc-cni":
        return VpcCniConfigMap(doc, data, sig)
    return None


# --- managedFields (reference/vpc-cni.md § 4.1: fieldsV1 of manager `eks`) ----------------------


def _step(key: str) -> str | None:
    """One fieldsV1 key as a path step: ``f:image`` → ``image``, ``k:{"name":"x"}`` → ``[x]``."""
    if key.startswith("f:"):
        return key[2:]
    if key.startswith("k:"):
        try:
            item = json.loads(key[2:])
        except ValueError:
            return None
        if isinstance(item, dict) and item:
            return f"[{item.get('name', next(iter(item.values())))}]"
    return None


def _walk(fields: Any, prefix: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    if not isinstance(fields, dict):
        return
    leaf = True
    for key, sub in fields.items():
        step = _step(str(key)) if key != "." else None
        if step is None:
            continue
        leaf = False
        yield from _walk(sub, (*prefix, step))
    if leaf and prefix:
        yield prefix


def eks_managed_paths(data: LMap) -> dict[tuple[str, ...], Location]:
    """Paths (``("spec", …, "containers", "[aws-node]", "image")``) that manager ``eks`` owns."""
    owned: dict[tuple[str, ...], Location] = {}
    for entry in iter_maps(dig(data, "metadata", "managedFields")):
        if entry.get("manager") != "eks":
            continue
        for path in _walk(entry.get("fieldsV1"), ()):
            owned.setdefault(path, entry.loc("manager"))
    return owned
