"""Parse saved ``aws ec2 describe-subnets`` / ``describe-vpcs`` JSON into subnet and VPC records.

Shapes accepted (reference/vpc-and-eniconfig.md § d): the CLI output ``{"Subnets": [...]}`` /
``{"Vpcs": [...]}`` (both keys may sit in one file), a recorded boto response
``{"status_code": 200, "data": {...}}`` (cloud-custodian placebo files), and a bare list from
``--query 'Subnets'``. The parser works on plain dict/list data; an optional ``locate``
callable maps a JSON path (a tuple of keys and indexes from the document root) to a Location,
so the engine can hand in its located-node lookup. Wrong types never raise: an entry that
lacks its ID, or has one of the wrong type, is skipped, and a field of the wrong type reads
as absent.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from .findings import Location
from .load import Document
from .located import LMap, loc_of
from .views import Signature, View

if TYPE_CHECKING:
    from .context import ClusterContext
    from .network import SubnetFact, VpcFacts

JsonPath = tuple[str | int, ...]
Locate = Callable[[JsonPath], Location | None]

# reference/vpc-and-eniconfig.md § a.1 / § d: a CIDR association is usable only when associated.
USABLE_STATE = "associated"


@dataclass(frozen=True, slots=True)
class SubnetRecord:
    """One subnet of a describe-subnets output: where it lives and its address range."""

    subnet_id: str
    vpc_id: str | None
    zone: str | None  # AvailabilityZone: an AZ, Local Zone or Wavelength Zone name
    zone_id: str | None  # AvailabilityZoneId, e.g. use1-az4
    cidr: str | None  # CidrBlock (absent for IPv6-only subnets)
    ipv6_cidrs: tuple[str, ...]
    available_ips: int | None
    state: str | None
    outpost_arn: str | None
    source: str  # the file it came from
    location: Location | None = None  # the record (its SubnetId value)
    zone_location: Location | None = None
    cidr_location: Location | None = None


@dataclass(frozen=True, slots=True)
class CidrAssociation:
    """One entry of a VPC's CidrBlockAssociationSet."""

    cidr: str
    state: str | None
    association_id: str | None
    location: Location | None = None
    status_message: str | None = None

    @property
    def usable(self) -> bool:
        return self.state == USABLE_STATE


@dataclass(frozen=True, slots=True)
class VpcRecord:
    """One VPC of a describe-vpcs output: its primary block and every association."""

    vpc_id: str
    primary_cidr: str | None  # CidrBlock: the primary IPv4 block (§ d)
    associations: tuple[CidrAssociation, ...]
    ipv6_cidrs: tuple[str, ...]
    source: str
    location: Location | None = None
    primary_location: Location | None = None

    @property
    def secondary(self) -> tuple[CidrAssociation, ...]:
        """Associations other than the primary block, whatever their state."""
        return tuple(a for a in self.associations if a.cidr != self.primary_cidr)

    @property
    def usable_cidrs(self) -> tuple[str, ...]:
        """The primary plus every associated block: the ranges subnets may use."""
        out = [self.primary_cidr] if self.primary_cidr else []
        out += [a.cidr for a in self.associations if a.usable and a.cidr not in out]
        return tuple(out)


@dataclass(frozen=True, slots=True)
class Inventory:
    """Subnets and VPCs by ID, in file order; the first record of an ID wins."""

    subnets: Mapping[str, SubnetRecord]
    vpcs: Mapping[str, VpcRecord]
    sources: tuple[str, ...] = ()

    def subnet(self, subnet_id: object) -> SubnetRecord | None:
        return self.subnets.get(subnet_id) if isinstance(subnet_id, str) else None

    def vpc(self, vpc_id: object) -> VpcRecord | None:
        return self.vpcs.get(vpc_id) if isinstance(vpc_id, str) else None

    def __bool__(self) -> bool:
        return bool(self.subnets or self.vpcs)


EMPTY = Inventory(MappingProxyType({}), MappingProxyType({}))


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _payload(data: object) -> tuple[object, JsonPath]:
    """Unwrap a recorded boto response ``{"status_code": …, "data": {…}}``."""
    if isinstance(data, dict) and isinstance(data.get("data"), (dict, list)) and (
        "status_code" in data or "Subnets" in data["data"] or "Vpcs" in data["data"]
    ):
        return data["data"], ("data",)
    return data, ()


def _looks_like_subnet(item: object) -> bool:
    return isinstance(item, dict) and isinstance(item.get("SubnetId"), str)


def _looks_like_vpc(item: object) -> bool:
    return isinstance(item, dict) and isinstance(item.get("VpcId"), str) and "SubnetId" not in item and (
        "CidrBlock" in item or "CidrBlockAssociationSet" in item
    )


def inventory_kind(data: object) -> frozenset[str]:
    """Which record lists a parsed JSON document holds: {"subnets", "vpcs"} or a subset."""
    body, _ = _payload(data)
    kinds: set[str] = set()
    if isinstance(body, dict):
        if isinstance(body.get("Subnets"), list):
            kinds.add("subnets")
        if isinstance(body.get("Vpcs"), list):
            kinds.add("vpcs")
    elif isinstance(body, list) and body:
        if all(_looks_like_subnet(x) for x in body):
            kinds.add("subnets")
        elif all(_looks_like_vpc(x) for x in body):
            kinds.add("vpcs")
    return frozenset(kinds)


def _lists(data: object) -> tuple[list[tuple[object, JsonPath]], list[tuple[object, JsonPath]]]:
    body, prefix = _payload(data)
    subnets: list[tuple[object, JsonPath]] = []
    vpcs: list[tuple[object, JsonPath]] = []
    if isinstance(body, dict):
        for key, out in (("Subnets", subnets), ("Vpcs", vpcs)):
            items = body.get(key)
            if isinstance(items, list):
                out.extend((item, (*prefix, key, i)) for i, item in enumerate(items))
    elif isinstance(body, list):
        kinds = inventory_kind(body)
        target = subnets if "subnets" in kinds else vpcs if "vpcs" in kinds else None
        if target is not None:
            target.extend((item, (*prefix, i)) for i, item in enumerate(body))
    return subnets, vpcs


def _ipv6(item: Mapping[object, object], key: str) -> tuple[str, ...]:
    assoc = item.get("Ipv6CidrBlockAssociationSet")
    if not isinstance(assoc, list):
        return ()
    return tuple(c for c in (_str(a.get(key)) for a in assoc if isinstance(a, dict)) if c)


def _subnet(item: object, path: JsonPath, source: str, locate: Locate) -> SubnetRecord | None:
    if not isinstance(item, dict):
        return None
    subnet_id = _str(item.get("SubnetId"))
    if subnet_id is None:
        return None
    return SubnetRecord(
        subnet_id=subnet_id,
        vpc_id=_str(item.get("VpcId")),
        zone=_str(item.get("AvailabilityZone")),
        zone_id=_str(item.get("AvailabilityZoneId")),
        cidr=_str(item.get("CidrBlock")),
        ipv6_cidrs=_ipv6(item, "Ipv6CidrBlock"),
        available_ips=_int(item.get("AvailableIpAddressCount")),
        state=_str(item.get("State")),
        outpost_arn=_str(item.get("OutpostArn")),
        source=source,
        location=locate((*path, "SubnetId")),
        zone_location=locate((*path, "AvailabilityZone")) if "AvailabilityZone" in item else None,
        cidr_location=locate((*path, "CidrBlock")) if "CidrBlock" in item else None,
    )


def _vpc(item: object, path: JsonPath, source: str, locate: Locate) -> VpcRecord | None:
    if not isinstance(item, dict):
        return None
    vpc_id = _str(item.get("VpcId"))
    if vpc_id is None:
        return None
    associations: list[CidrAssociation] = []
    assoc_set = item.get("CidrBlockAssociationSet")
    for i, assoc in enumerate(assoc_set if isinstance(assoc_set, list) else ()):
        cidr = _str(assoc.get("CidrBlock")) if isinstance(assoc, dict) else None
        if cidr is None:
            continue
        state_obj = assoc.get("CidrBlockState")
        state = _str(state_obj.get("State")) if isinstance(state_obj, dict) else None
        message = _str(state_obj.get("StatusMessage")) if isinstance(state_obj, dict) else None
        associations.append(
            CidrAssociation(
                cidr=cidr,
                state=state,
                association_id=_str(assoc.get("AssociationId")),
                location=locate((*path, "CidrBlockAssociationSet", i, "CidrBlock")),
                status_message=message,
            )
        )
    return VpcRecord(
        vpc_id=vpc_id,
        primary_cidr=_str(item.get("CidrBlock")),
        associations=tuple(associations),
        ipv6_cidrs=_ipv6(item, "Ipv6CidrBlock"),
        source=source,
        location=locate((*path, "VpcId")),
        primary_location=locate((*path, "CidrBlock")) if "CidrBlock" in item else None,
    )


def _no_location(_path: JsonPath) -> Location | None:
    return None


def parse_inventory(data: object, source: str = "", locate: Locate | None = None) -> Inventory:
    """Records from one parsed JSON document (never raises; unknown shapes give EMPTY)."""
    loc = locate or _no_location
    subnet_items, vpc_items = _lists(data)
    subnets: dict[str, SubnetRecord] = {}
    for item, path in subnet_items:
        rec = _subnet(item, path, source, loc)
        if rec is not None:
            subnets.setdefault(rec.subnet_id, rec)
    vpcs: dict[str, VpcRecord] = {}
    for item, path in vpc_items:
        vrec = _vpc(item, path, source, loc)
        if vrec is not None:
            vpcs.setdefault(vrec.vpc_id, vrec)
    if not subnets and not vpcs:
        return EMPTY
    return Inventory(MappingProxyType(subnets), MappingProxyType(vpcs), (source,))


def merge(inventories: Iterable[Inventory]) -> Inventory:
    """One inventory from several files, in the given order; the first record of an ID wins."""
    subnets: dict[str, SubnetRecord] = {}
    vpcs: dict[str, VpcRecord] = {}
    sources: list[str] = []
    for inv in inventories:
        for sid, srec in inv.subnets.items():
            subnets.setdefault(sid, srec)
        for vid, vrec in inv.vpcs.items():
            vpcs.setdefault(vid, vrec)
        sources += [s for s in inv.sources if s not in sources]
    if not subnets and not vpcs:
        return EMPTY
    return Inventory(MappingProxyType(subnets), MappingProxyType(vpcs), tuple(sources))


# --- the engine side: a view for inventory documents and the per-cluster inventory ------------


@dataclass(frozen=True, slots=True, eq=False)
class InventoryView(View):
    """A saved describe-subnets / describe-vpcs document found in the linted files by its shape."""

    kind_name = "AWS inventory"

    def records(self) -> Inventory:
        data = self.data
        return parse_inventory(data, self.path, lambda path: loc_of(data, *path))

    def anchor(self) -> Location:
        return self.doc.loc()


def inventory_view(doc: Document, data: LMap, sig: Signature) -> View | None:
    """Content recogniser: a mapping holding ``Subnets`` or ``Vpcs`` records (not a Kubernetes kind)."""
    if sig.kind or not inventory_kind(data):
        return None
    return InventoryView(doc, data, sig)


def named_inventory_files(ctx: ClusterContext) -> list[tuple[str, Path]]:
    """(display path, file) of every ``clusters.<name>.inventory`` entry, relative to the config file."""
    settings = ctx.settings
    entries = ctx.setting("inventory")
    if settings is None or not isinstance(entries, list):
        return []
    found = []
    for entry in entries:
        if isinstance(entry, str) and entry.strip():
            path = (settings.base / entry).resolve()
            rel = os.path.relpath(path)
            found.append((rel if not rel.startswith("..") else str(path), path))
    return found


def _load_named(display: str, path: Path, ctx: ClusterContext) -> Inventory:
    """Read a config-named inventory file. The pre-filter is skipped (the config asks for this
    file, and a bare ``--query`` list holds no ``Subnets`` key); the size and depth bounds hold."""
    from .load import JSON_SUFFIXES, SourceFile, decode, load_text, nesting_overflow

    limits = ctx.config.limits
    source = SourceFile(display, format="json" if display.endswith(JSON_SUFFIXES) else "yaml")
    try:
        if path.stat().st_size > limits.max_bytes:
            return EMPTY
        text = decode(source, path.read_bytes())
    except OSError:
        return EMPTY
    if text is None or nesting_overflow(text, limits.max_depth) is not None:
        return EMPTY
    load_text(source, text, limits)
    parts = []
    for doc in source.documents:
        data = doc.data
        parts.append(parse_inventory(data, display, lambda p, data=data: loc_of(data, *p)))
    return merge(parts)


def cluster_inventory(ctx: ClusterContext) -> Inventory:
    """The cluster's inventory: documents in its files (path order), then the files config names."""
    parts = [view.records() for view in ctx.of(InventoryView)]
    if ctx.is_cluster:
        parts += [_load_named(display, path, ctx) for display, path in named_inventory_files(ctx)]
    return merge(parts)


# --- facts for linter/network.py --------------------------------------------------------------

INVENTORY_ORIGIN = "inventory"  # CidrFact / SubnetFact origins from inventory start with this word


def inventory_subnet_facts(ctx: ClusterContext) -> Iterator[SubnetFact]:
    """Subnet facts (zone, CIDR, VPC) of every subnet in the cluster's inventory."""
    from .network import SubnetFact, parse_network

    for rec in ctx.inventory.subnets.values():
        yield SubnetFact(
            rec.subnet_id,
            rec.zone,
            parse_network(rec.cidr),
            rec.vpc_id,
            rec.zone_location or rec.location,
            f"{INVENTORY_ORIGIN} {rec.source}",
        )


def _node_subnet_ids(ctx: ClusterContext) -> list[str]:
    """Subnet IDs the cluster's own files name for its nodes (eksctl and config), in order."""
    ids: list[str] = []
    for cc in ctx.cluster_configs:
        for _access, _key, spec in cc.subnet_maps():
            value = spec.get("id")
            if isinstance(value, str):
                ids.append(value)
        for group in cc.node_groups():
            ids += [s for s, _loc in group.subnets()]
    raw = ctx.setting("vpc")
    subnets = raw.get("subnets") if isinstance(raw, dict) else None
    if isinstance(subnets, dict):
        ids += [str(k) for k in subnets]
    return ids


def cluster_vpc_record(ctx: ClusterContext, vpc_id: str | None) -> VpcRecord | None:
    """The inventory record of the cluster VPC: by its ID, else by the VPC of the cluster's
    subnets when they agree, else the inventory's only VPC."""
    inv = ctx.inventory
    if vpc_id is not None:
        return inv.vpc(vpc_id)
    owners = {rec.vpc_id for sid in _node_subnet_ids(ctx) if (rec := inv.subnet(sid)) is not None and rec.vpc_id}
    if len(owners) == 1:
        return inv.vpc(owners.pop())
    if not owners and len(inv.vpcs) == 1:
        return next(iter(inv.vpcs.values()))
    return None


def with_inventory_vpc(ctx: ClusterContext, facts: VpcFacts) -> VpcFacts:
    """VPC facts completed from the inventory: ID and primary when unknown, and every
    association (with its state) that the files and config do not already state."""
    from .network import CidrFact, VpcFacts, parse_network

    record = cluster_vpc_record(ctx, facts.vpc_id)
    if record is None:
        return facts
    origin = f"{INVENTORY_ORIGIN} {record.source}"
    primary = facts.primary
    if primary is None:
        net = parse_network(record.primary_cidr)
        if net is not None:
            primary = CidrFact(net, record.primary_location, origin)
    known = {str(c.cidr) for c in facts.all_cidrs()} | ({str(primary.cidr)} if primary else set())
    secondary = list(facts.secondary)
    for assoc in record.secondary:
        net = parse_network(assoc.cidr)
        if net is not None and str(net) not in known:
            known.add(str(net))
            secondary.append(CidrFact(net, assoc.location, origin, assoc.state or "associated"))
    return VpcFacts(facts.vpc_id or record.vpc_id, primary, tuple(secondary))
