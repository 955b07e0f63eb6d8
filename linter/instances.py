"""EC2 instance-type limits from the bundled table, with name validation and suggestions."""
from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Any

DATA_FILE = "instance_limits.json"

# The shape of an EC2 instance type name (RULES.md PODS003): family, a dot, a size.
TYPE_NAME_RE = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9-]+$")

MAX_SUGGESTION_DISTANCE = 2


@dataclass(frozen=True, slots=True)
class InstanceType:
    """One instance type's figures; None where neither upstream file states the value.

    `enis` sums all network cards; pods use `enis_default_card` only
    (reference/max-pods.md § 4). Types listed only in eni-max-pods.txt carry just
    `eni_max_pods`, the uncapped secondary-IP figure (reference/max-pods.md § 3).
    """

    name: str
    enis: int | None
    enis_default_card: int | None
    ipv4_per_eni: int | None
    vcpus: int | None
    hypervisor: str | None
    bare_metal: bool | None
    trunking_compatible: bool | None
    branch_interfaces: int | None
    network_cards: int | None
    eni_max_pods: int | None

    @property
    def has_eni_data(self) -> bool:
        """Whether the ENI and IPv4 counts are known (so every mode can be computed)."""
        return self.enis_default_card is not None and self.ipv4_per_eni is not None

    @property
    def nitro(self) -> bool:
        return self.hypervisor == "nitro"


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _record(name: str, raw: Mapping[str, Any]) -> InstanceType:
    hypervisor = raw.get("hypervisor")
    return InstanceType(
        name=name,
        enis=_int(raw.get("enis")),
        enis_default_card=_int(raw.get("enis_default_card")),
        ipv4_per_eni=_int(raw.get("ipv4_per_eni")),
        vcpus=_int(raw.get("vcpus")),
        hypervisor=hypervisor if isinstance(hypervisor, str) else None,
        bare_metal=_bool(raw.get("bare_metal")),
        trunking_compatible=_bool(raw.get("trunking_compatible")),
        branch_interfaces=_int(raw.get("branch_interfaces")),
        network_cards=_int(raw.get("network_cards")),
        eni_max_pods=_int(raw.get("eni_max_pods")),
    )


@functools.cache
def _document() -> Mapping[str, Any]:
    text = resources.files("eks_net_lint.data").joinpath(DATA_FILE).read_text(encoding="utf-8")
    document = json.loads(text)
    if not isinstance(document, dict):
        raise ValueError(f"{DATA_FILE}: expected a JSON object")
    return document


@functools.cache
def _raw_types() -> Mapping[str, Mapping[str, Any]]:
    types = _document().get("types", {})
    if not isinstance(types, dict):
        return MappingProxyType({})
    return MappingProxyType({name: raw for name, raw in sorted(types.items()) if isinstance(raw, dict)})


@functools.cache
def type_names() -> frozenset[str]:
    """The names of every bundled instance type."""
    return frozenset(_raw_types())


@functools.cache
def instance_table() -> Mapping[str, InstanceType]:
    """Every bundled instance type by name (read once, immutable)."""
    return MappingProxyType({name: _lookup(name) for name in _raw_types()})


@functools.cache
def _lookup(name: str) -> InstanceType:
    return _record(name, _raw_types()[name])


@functools.cache
def data_source() -> Mapping[str, Any]:
    """The data file's `_source` header: inputs, hashes and upstream commits."""
    source = _document().get("_source", {})
    return MappingProxyType(source if isinstance(source, dict) else {})


def lookup(name: object) -> InstanceType | None:
    """The figures for an instance type, or None when the name is not a known type."""
    if not isinstance(name, str) or name not in _raw_types():
        return None
    return _lookup(name)


def is_valid_type_name(name: object) -> bool:
    """Whether `name` has the shape of an EC2 instance type (PODS003's regex)."""
    return isinstance(name, str) and TYPE_NAME_RE.match(name) is not None


def edit_distance(a: str, b: str, limit: int = MAX_SUGGESTION_DISTANCE) -> int:
    """Levenshtein distance, or `limit + 1` as soon as it must exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return min(previous[-1], limit + 1)


def did_you_mean(name: object, max_distance: int = MAX_SUGGESTION_DISTANCE) -> tuple[str, ...]:
    """The known types nearest to an unknown name (all at the same, smallest distance ≤ `max_distance`).

    Empty for a known type, a non-string, or a name nothing known is close to.
    """
    names = type_names()
    if not isinstance(name, str) or not name or name in names:
        return ()
    probe = name.strip().lower()
    if probe != name and probe in names:
        return (probe,)
    scored = []
    for known in names:
        distance = edit_distance(probe, known, max_distance)
        if distance <= max_distance:
            scored.append((distance, known))
    if not scored:
        return ()
    nearest = min(distance for distance, _ in scored)
    return tuple(sorted(known for distance, known in scored if distance == nearest))
