"""The ``k8s.v1.cni.cncf.io/networks`` pod annotation, parsed exactly as Multus parses it.

Facts: reference/multus-cni.md § 1c.3 (DNS-1123 names), § 1c.4 (comma and JSON forms,
``NetworkSelectionElement`` keys, ``default-route``, interface naming ``net<idx>``).
Go's ``encoding/json`` matches struct keys case-insensitively (§ 1a.2), so JSON keys are
matched the same way here; unknown keys are ignored, as Multus does.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_interface

from .spec import json_type

NETWORKS_ANNOTATION = "k8s.v1.cni.cncf.io/networks"
DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")  # § 1c.3, anchored by fullmatch
IFNAME_MAX = 15  # IFNAMSIZ - 1 (§ 1c.4)
PRIMARY_IFNAME = "eth0"  # the cluster network's interface (§ 1c.4 ``getIfname``)
_IFNAME_BAD = re.compile(r"[\s/]")
_HEX = re.compile(r"[0-9a-fA-F]+")
_JSON_MARKERS = ("[", "{", '"')
# NetworkSelectionElement fields and the JSON type each decodes from.
_STRING_KEYS = ("name", "namespace", "mac", "infiniband-guid", "interface", "interfacerequest", "deviceid", "ipam-claim-reference")


@dataclass(frozen=True, slots=True)
class NetworkSelection:
    """One requested attachment: the NAD it names and what it asks for."""

    index: int
    name: str
    namespace: str | None  # None: the pod's own namespace
    interface: str | None
    ips: tuple[str, ...] = ()
    mac: str | None = None
    default_route: tuple[str, ...] = ()

    @property
    def auto_interface(self) -> str:
        """The name Multus gives an attachment without ``interface``: ``net<position>`` (cluster network = 0)."""
        return f"net{self.index + 1}"

    @property
    def effective_interface(self) -> str:
        return self.interface or self.auto_interface

    def reference(self, pod_namespace: str) -> tuple[str, str]:
        """(namespace, name) of the NAD this selection resolves to for a pod in ``pod_namespace``."""
        return (self.namespace or pod_namespace, self.name)


@dataclass(frozen=True, slots=True)
class AnnotationProblem:
    """Why Multus rejects the annotation (NAD003); ``index`` is the element, None for the whole value."""

    index: int | None
    message: str


@dataclass(frozen=True, slots=True)
class NetworksAnnotation:
    """A parsed annotation: its form (``json``/``comma``), the selections and the problems found."""

    form: str
    selections: tuple[NetworkSelection, ...]
    problems: tuple[AnnotationProblem, ...]


def is_json_form(value: str) -> bool:
    """Multus reads the value as JSON when it contains ``[``, ``{`` or ``"`` (§ 1c.4)."""
    return any(marker in value for marker in _JSON_MARKERS)


def parse_networks(value: str) -> NetworksAnnotation:
    """Parse the annotation value; problems cover everything Multus would refuse, plus name collisions."""
    if value == "":
        return NetworksAnnotation("comma", (), ())
    if is_json_form(value):
        selections, problems = _parse_json(value)
        form = "json"
    else:
        selections, problems = _parse_comma(value)
        form = "comma"
    problems.extend(interface_problems(selections))
    return NetworksAnnotation(form, tuple(selections), tuple(problems))


def _parse_comma(value: str) -> tuple[list[NetworkSelection], list[AnnotationProblem]]:
    selections: list[NetworkSelection] = []
    problems: list[AnnotationProblem] = []
    for index, raw in enumerate(value.split(",")):
        item = raw.strip()
        slash = item.split("/")
        if len(slash) > 2:
            problems.append(AnnotationProblem(index, f"item {item!r} has more than one '/'"))
            continue
        namespace = slash[0].strip() if len(slash) == 2 else ""
        rest = slash[-1]
        at = rest.split("@")
        if len(at) > 2:
            problems.append(AnnotationProblem(index, f"item {item!r} has more than one '@'"))
            continue
        name = at[0].strip()
        interface = at[1].strip() if len(at) == 2 else ""
        bad = [part for part in (namespace, name) if part and not DNS1123_LABEL.fullmatch(part)]
        if bad:
            problems.append(AnnotationProblem(index, f"{bad[0]!r} in item {item!r} is not a DNS-1123 label"))
            continue
        if not name:
            problems.append(AnnotationProblem(index, f"item {index + 1} names no network (empty item {item!r})"))
            continue
        problems.extend(_ifname_problems(index, interface))
        selections.append(NetworkSelection(index, name, namespace or None, interface or None))
    return selections, problems


def _ifname_problems(index: int, interface: str) -> Iterator[AnnotationProblem]:
    if not interface:
        return
    if len(interface.encode()) > IFNAME_MAX:
        yield AnnotationProblem(index, f"interface name {interface!r} is longer than {IFNAME_MAX} characters")
    elif _IFNAME_BAD.search(interface):
        yield AnnotationProblem(index, f"interface name {interface!r} contains a space or '/'")


def _parse_json(value: str) -> tuple[list[NetworkSelection], list[AnnotationProblem]]:
    try:
        data = json.loads(value)
    except ValueError as exc:
        return [], [AnnotationProblem(None, f"annotation is not valid JSON: {exc.args[0] if exc.args else exc}".lower())]
    if data is None:
        return [], []
    if not isinstance(data, list):
        return [], [AnnotationProblem(None, f"annotation JSON is a {json_type(data)}, not a list of network objects")]
    selections: list[NetworkSelection] = []
    problems: list[AnnotationProblem] = []
    for index, element in enumerate(data):
        if not isinstance(element, Mapping):
            problems.append(AnnotationProblem(index, f"element {index} is a {json_type(element)}, not an object"))
            continue
        found = list(_element_problems(index, element))
        problems.extend(found)
        fields = _fold(element)
        name = fields.get("name")
        if not isinstance(name, str) or not name:
            if not found:
                problems.append(AnnotationProblem(index, f"element {index} has no name"))
            continue
        if found:
            continue
        interface = fields.get("interface") or fields.get("interfacerequest") or None
        namespace = fields.get("namespace") or None
        mac = fields.get("mac") or None
        selections.append(
            NetworkSelection(
                index,
                name,
                namespace if isinstance(namespace, str) else None,
                interface if isinstance(interface, str) else None,
                tuple(str(ip) for ip in _as_list(fields.get("ips"))),
                mac if isinstance(mac, str) else None,
                tuple(str(gw) for gw in _as_list(fields.get("default-route"))),
            )
        )
    return selections, problems


def _as_list(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def _fold(element: Mapping[str, object]) -> dict[str, object]:
    """Keys as Go decodes them: an exact match wins, else a case-insensitive one (last key wins)."""
    folded: dict[str, object] = {}
    exact: set[str] = set()
    for key, value in element.items():
        if not isinstance(key, str):
            continue
        low = key.lower()
        if key == low:
            folded[low] = value
            exact.add(low)
        elif low not in exact:
            folded[low] = value
    return folded


def _element_problems(index: int, element: Mapping[str, object]) -> Iterator[AnnotationProblem]:
    fields = _fold(element)
    for key in _STRING_KEYS:
        value = fields.get(key)
        if value is not None and not isinstance(value, str):
            yield AnnotationProblem(index, f"element {index} '{key}' is a {json_type(value)}, not a string")
    ips = fields.get("ips")
    if ips is not None:
        if not isinstance(ips, list) or not all(isinstance(ip, str) for ip in ips):
            yield AnnotationProblem(index, f"element {index} 'ips' is not a list of strings")
        else:
            for ip in ips:
                if not _ip_or_cidr(ip):
                    yield AnnotationProblem(index, f"element {index} ips entry {ip!r} is not an IP address or CIDR")
    routes = fields.get("default-route")
    if routes is not None:
        if not isinstance(routes, list) or not all(isinstance(gw, str) for gw in routes):
            yield AnnotationProblem(index, f"element {index} 'default-route' is not a list of IP addresses")
        else:
            for gateway in routes:
                if gateway and _ip(gateway) is None:
                    yield AnnotationProblem(index, f"element {index} default-route {gateway!r} is not an IP address")
    for key in ("mac", "infiniband-guid"):
        value = fields.get(key)
        if isinstance(value, str) and value and parse_mac(value) is None:
            yield AnnotationProblem(index, f"element {index} {key} {value!r} is not a MAC address")
    interface = fields.get("interface") or fields.get("interfacerequest")
    if isinstance(interface, str):
        yield from _ifname_problems(index, interface)
    for key, kind in (("cni-args", Mapping), ("bandwidth", Mapping), ("portmappings", list)):
        value = fields.get(key)
        if value is not None and not isinstance(value, kind):
            yield AnnotationProblem(index, f"element {index} '{key}' is a {json_type(value)}")


def interface_problems(selections: Sequence[NetworkSelection]) -> list[AnnotationProblem]:
    """Interface names that collide: ``eth0``, a duplicate, or another attachment's ``net<idx>`` (§ 1c.4)."""
    problems: list[AnnotationProblem] = []
    taken: dict[str, int] = {}
    for sel in selections:
        if sel.interface == PRIMARY_IFNAME:
            problems.append(AnnotationProblem(sel.index, f"interface {PRIMARY_IFNAME} of {sel.name} collides with the cluster network's interface"))
            continue
        name = sel.effective_interface
        if name in taken:
            other = next(s for s in selections if s.index == taken[name])
            problems.append(AnnotationProblem(sel.index, f"interface {name} of {sel.name} collides with interface {name} of {other.name}"))
        else:
            taken[name] = sel.index
    return problems


def default_route_problem(selections: Sequence[NetworkSelection]) -> str | None:
    """NAD010: more than one default-route gateway per address family across a pod's attachments.

    Multus counts IPv4 and IPv6 gateways over all elements and fails with "multus does not
    support ECMP for default-route" above one per family (§ 1c.4, ``CheckGatewayConfig``).
    """
    per_family: dict[int, list[str]] = {4: [], 6: []}
    for sel in selections:
        for gateway in sel.default_route:
            addr = _ip(gateway)
            if addr is not None:
                per_family[addr.version].append(f"{gateway} ({sel.name})")
    for family, gateways in per_family.items():
        if len(gateways) > 1:
            return f"{len(gateways)} IPv{family} default routes requested: {', '.join(gateways)}"
    return None


def _ip(text: str) -> IPv4Address | IPv6Address | None:
    if "%" in text:
        return None
    try:
        return ip_address(text)
    except ValueError:
        return None


def _ip_or_cidr(text: str) -> bool:
    if "%" in text:
        return False
    try:
        if "/" in text:
            ip_interface(text)
        else:
            ip_address(text)
    except ValueError:
        return False
    return True


def parse_mac(text: str) -> bytes | None:
    """Go's ``net.ParseMAC``: 6, 8 or 20 bytes written ``aa:bb:…``, ``aa-bb-…`` or ``aabb.ccdd.…``."""
    if len(text) < 14:
        return None
    if text[2] in ":-":
        sep, width = text[2], 2
    elif text[4] == ".":
        sep, width = ".", 4
    else:
        return None
    groups = text.split(sep)
    if any(len(g) != width or not _HEX.fullmatch(g) for g in groups):
        return None
    raw = bytes.fromhex("".join(groups))
    return raw if len(raw) in (6, 8, 20) else None
