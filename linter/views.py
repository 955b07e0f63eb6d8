"""Typed views over documents: each names what a rule may ask of one input kind.

A view wraps a located mapping; it never copies values, so every answer keeps its location.
Families add views for their own kinds (see docs/DEVELOPING.md).
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .findings import Location
from .load import Document
from .located import LMap, dig, dig_list, dig_map, iter_maps, loc_of, text_of


@dataclass(frozen=True, slots=True)
class Signature:
    """Identity of a Kubernetes-style document: (group, version, kind, namespace, name)."""

    group: str
    version: str
    kind: str
    namespace: str
    name: str

    @classmethod
    def of(cls, data: LMap) -> Signature:
        api = data.get("apiVersion")
        api = api if isinstance(api, str) else ""
        group, _, version = api.rpartition("/")
        kind = data.get("kind")
        meta = data.get("metadata")
        meta = meta if isinstance(meta, dict) else {}
        ns, name = meta.get("namespace"), meta.get("name")
        return cls(
            group,
            version,
            kind if isinstance(kind, str) else "",
            ns if isinstance(ns, str) else "",
            name if isinstance(name, str) else "",
        )

    def __str__(self) -> str:
        prefix = f"{self.namespace}/" if self.namespace else ""
        return f"{prefix}{self.name or '<unnamed>'} {self.kind}".strip()


@dataclass(frozen=True, slots=True, eq=False)
class View:
    """A classified document."""

    doc: Document
    data: LMap
    sig: Signature

    kind_name = "document"

    @property
    def path(self) -> str:
        return self.doc.path

    def loc(self, *keys: Any) -> Location:
        """Location of the value at ``keys``; the document anchor when it is absent."""
        return loc_of(self.data, *keys) or self.anchor()

    def embedded_fields(self) -> Iterator[tuple[LMap, Any, str]]:
        """(container, key, what) of strings that hold embedded JSON/YAML (LNT005 parses them)."""
        return iter(())

    def anchor(self) -> Location:
        """Where a finding about the whole document points: its name, else its kind, else its start."""
        meta = self.data.get("metadata")
        if isinstance(meta, LMap) and "name" in meta:
            return meta.loc("name")
        if "kind" in self.data:
            return self.data.loc("kind")
        return self.doc.loc()


# --- Kubernetes workloads and the aws-node DaemonSet -------------------------------------------


@dataclass(frozen=True, slots=True)
class EnvVar:
    """One ``env`` entry of a container; ``value`` is None when it comes from ``valueFrom``."""

    name: str
    value: Any
    entry: LMap
    container: str

    @property
    def from_ref(self) -> bool:
        return "valueFrom" in self.entry

    def value_loc(self) -> Location:
        return self.entry.loc("value") if "value" in self.entry else self.entry.loc("name")

    def name_loc(self) -> Location:
        return self.entry.loc("name")


@dataclass(frozen=True, slots=True)
class Container:
    data: LMap
    init: bool

    @property
    def name(self) -> str:
        return text_of(self.data.get("name")) or ""

    @property
    def image(self) -> str | None:
        return text_of(self.data.get("image"))

    def env(self) -> Iterator[EnvVar]:
        for entry in iter_maps(self.data.get("env")):
            name = entry.get("name")
            if isinstance(name, str):
                yield EnvVar(name, entry.get("value"), entry, self.name)


@dataclass(frozen=True, slots=True, eq=False)
class Workload(View):
    """Anything with a pod template (or a Pod itself)."""

    kind_name = "workload"

    def pod_spec(self) -> LMap | None:
        if self.sig.kind == "Pod":
            return dig_map(self.data, "spec")
        if self.sig.kind == "CronJob":
            return dig_map(self.data, "spec", "jobTemplate", "spec", "template", "spec")
        return dig_map(self.data, "spec", "template", "spec")

    def containers(self, *, init: bool | None = None) -> Iterator[Container]:
        spec = self.pod_spec()
        if spec is None:
            return
        if init is not True:
            for c in iter_maps(spec.get("containers")):
                yield Container(c, False)
        if init is not False:
            for c in iter_maps(spec.get("initContainers")):
                yield Container(c, True)

    def container(self, name: str) -> Container | None:
        return next((c for c in self.containers() if c.name == name), None)


@dataclass(frozen=True, slots=True, eq=False)
class AwsNode(Workload):
    """The VPC CNI DaemonSet ``aws-node`` (a full manifest or a strategic-merge patch of it)."""

    kind_name = "aws-node DaemonSet"
    schema_name = "aws-node.schema.json"

    @property
    def is_complete(self) -> bool:
        """A full manifest (has a selector and an image on the aws-node container), not a patch."""
        main = self.container("aws-node")
        return dig(self.data, "spec", "selector") is not None and main is not None and main.image is not None

    def main(self) -> Container | None:
        return self.container("aws-node")

    def managed_by_eks(self) -> bool:
        """``metadata.managedFields`` names the manager ``eks`` (the managed add-on owns fields)."""
        return any(m.get("manager") == "eks" for m in iter_maps(dig(self.data, "metadata", "managedFields")))


# --- ENIConfig ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class EniConfig(View):
    """``crd.k8s.amazonaws.com/v1alpha1`` ENIConfig (cluster-scoped)."""

    kind_name = "ENIConfig"
    schema_name = "eniconfig.schema.json"

    @property
    def name(self) -> str:
        return self.sig.name

    @property
    def spec(self) -> LMap | None:
        return dig_map(self.data, "spec")


# --- eksctl ClusterConfig --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NodeGroup:
    """An eksctl ``nodeGroups[]`` (self-managed) or ``managedNodeGroups[]`` entry."""

    data: LMap
    managed: bool
    index: int

    @property
    def name(self) -> str:
        return text_of(self.data.get("name")) or f"#{self.index}"

    @property
    def label(self) -> str:
        kind = "managed node group" if self.managed else "node group"
        return f"{kind} {self.name}"

    def availability_zones(self) -> list[tuple[str, Location]]:
        zones = dig_list(self.data, "availabilityZones")
        if zones is None:
            return []
        return [(z, zones.loc(i)) for i, z in enumerate(zones) if isinstance(z, str)]

    def subnets(self) -> list[tuple[str, Location]]:
        subnets = dig_list(self.data, "subnets")
        if subnets is None:
            return []
        return [(s, subnets.loc(i)) for i, s in enumerate(subnets) if isinstance(s, str)]

    def instance_types(self) -> list[tuple[str, Location]]:
        """Every instance type the group can launch, with where it is written."""
        found: list[tuple[str, Location]] = []
        if isinstance(self.data.get("instanceType"), str):
            found.append((self.data["instanceType"], self.data.loc("instanceType")))
        for key in ("instanceTypes",):
            seq = dig_list(self.data, key)
            if seq is not None:
                found.extend((t, seq.loc(i)) for i, t in enumerate(seq) if isinstance(t, str))
        seq = dig_list(self.data, "instancesDistribution", "instanceTypes")
        if seq is not None:
            found.extend((t, seq.loc(i)) for i, t in enumerate(seq) if isinstance(t, str))
        return found

    def labels(self) -> LMap | None:
        return dig_map(self.data, "labels")


@dataclass(frozen=True, slots=True, eq=False)
class ClusterConfig(View):
    """eksctl ``eksctl.io/v1alpha5`` ClusterConfig."""

    kind_name = "ClusterConfig"
    schema_name = "clusterconfig.schema.json"  # generated by tools/gen_clusterconfig_schema.py

    @property
    def name(self) -> str:
        return self.sig.name

    @property
    def region(self) -> str | None:
        return text_of(dig(self.data, "metadata", "region"))

    def node_groups(self) -> Iterator[NodeGroup]:
        for key, managed in (("nodeGroups", False), ("managedNodeGroups", True)):
            for index, group in enumerate(iter_maps(self.data.get(key))):
                yield NodeGroup(group, managed, index)

    def addons(self) -> Iterator[LMap]:
        yield from iter_maps(self.data.get("addons"))

    def addon(self, name: str) -> LMap | None:
        return next((a for a in self.addons() if a.get("name") == name), None)

    def vpc(self) -> LMap | None:
        return dig_map(self.data, "vpc")

    def embedded_fields(self) -> Iterator[tuple[LMap, Any, str]]:
        for addon in self.addons():
            if isinstance(addon.get("configurationValues"), str):
                yield addon, "configurationValues", f"configurationValues of add-on {addon.get('name')}"

    def subnet_maps(self) -> Iterator[tuple[str, str, LMap]]:
        """(``private``/``public``, key, spec) for every entry of ``vpc.subnets``."""
        subnets = dig_map(self.data, "vpc", "subnets")
        if subnets is None:
            return
        for access in ("private", "public"):
            group = subnets.get(access)
            if isinstance(group, LMap):
                for key, spec in group.items():
                    if isinstance(spec, LMap):
                        yield access, str(key), spec
                    elif spec is None:
                        yield access, str(key), LMap(group.path, group.val_pos.get(key, group.pos))

    def subnet_key_loc(self, access: str, key: str) -> Location:
        group = dig_map(self.data, "vpc", "subnets", access)
        return group.key_loc(key) if group is not None else self.anchor()

    def is_ipv6(self) -> bool:
        family = text_of(dig(self.data, "kubernetesNetworkConfig", "ipFamily"))
        return family is not None and family.lower() == "ipv6"
