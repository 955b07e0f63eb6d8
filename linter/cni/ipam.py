"""host-local, whereabouts and static IPAM: parse the ranges, validate them, and say which addresses they hand out.

Facts: reference/multus-cni.md § 1d.5 (host-local ``LoadIPAMConfig``/``Range.Canonicalize``),
§ 1d.6 (whereabouts ``pkg/config``, ``GetIPRange``), § 1d.7 (static) and § 1e pitfalls 1–3, 8;
AWS reserved addresses: reference/vpc-and-eniconfig.md § a.4 via ``eks_net_lint.aws.reserved``.
All address maths uses the stdlib ``ipaddress`` module.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_interface

from ..aws.reserved import ReservedAddress, reserved_addresses
from .spec import JsonPath, Problem, json_type, show, version_tuple

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network

HOST_LOCAL = "host-local"
WHEREABOUTS = "whereabouts"
STATIC = "static"
# § 1d.5 step 2: host-local refuses IPv4 prefixes longer than /30 and IPv6 longer than /126.
MAX_PREFIX = {4: 30, 6: 126}
# § 1d.5 step 6: more than one range set per family needs cniVersion ≥ 0.3.0 (types020 versions).
MULTI_RANGE_MIN_VERSION = (0, 3, 0)
_DOTTED_QUAD = re.compile(r"(\d+)\.(\d+)\.(\d+)\.(\d+)")
T = TypeVar("T")
Unknown = Callable[[object], bool]


def _never_unknown(value: object) -> bool:
    return False


@dataclass(frozen=True, slots=True)
class Pool:
    """Addresses one IPAM range hands out: ``first``..``last`` inside ``network``, minus ``excluded``."""

    kind: str
    network: IPNetwork
    first: IPAddress
    last: IPAddress
    path: JsonPath
    gateway: IPAddress | None = None
    excluded: tuple[IPNetwork, ...] = ()

    def __contains__(self, address: object) -> bool:
        if not isinstance(address, (IPv4Address, IPv6Address)) or address.version != self.first.version:
            return False
        if not int(self.first) <= int(address) <= int(self.last):
            return False
        return not any(address in net for net in self.excluded)

    @property
    def text(self) -> str:
        """``first-last`` (or the single address) for messages."""
        return str(self.first) if self.first == self.last else f"{self.first}-{self.last}"

    def overlap(self, other: Pool) -> tuple[IPAddress, IPAddress] | None:
        """The common address interval of two pools of the same family, if any."""
        if self.first.version != other.first.version:
            return None
        low = self.first if int(self.first) >= int(other.first) else other.first
        high = self.last if int(self.last) <= int(other.last) else other.last
        return (low, high) if int(low) <= int(high) else None


@dataclass(frozen=True, slots=True)
class IpamAnalysis:
    """What an ``ipam`` object means: its pools, NAD004 problems (invalid) and NAD012 ones (suspicious)."""

    kind: str | None
    pools: tuple[Pool, ...] = ()
    invalid: tuple[Problem, ...] = ()
    suspicious: tuple[Problem, ...] = ()
    # whereabouts only (§ 1d.6): the store scope; overlapping ranges of one scope never share an IP.
    network_name: str = ""
    overlap_guard: bool = False


@dataclass(slots=True)
class _Collector:
    pools: list[Pool] = field(default_factory=list)
    invalid: list[Problem] = field(default_factory=list)
    suspicious: list[Problem] = field(default_factory=list)
    unknown: Unknown = _never_unknown


def analyse_ipam(
    ipam: object,
    *,
    cni_version: object = None,
    base: JsonPath = ("ipam",),
    runtime_ranges: bool = False,
    unknown: Unknown = _never_unknown,
) -> IpamAnalysis:
    """Parse an ``ipam`` object of type host-local, whereabouts or static; other types have no pools.

    ``runtime_ranges`` is True when the plugin declares the ``ipRanges`` capability (host-local
    then may get its ranges at run time, § 1d.5). ``unknown`` says which values are unresolved
    templates: a range that rests on one is skipped, never reported.
    """
    if not isinstance(ipam, Mapping):
        return IpamAnalysis(None)
    kind = ipam.get("type")
    out = _Collector(unknown=unknown)
    if kind == HOST_LOCAL:
        _host_local(ipam, base, cni_version, runtime_ranges, out)
    elif kind == WHEREABOUTS:
        _whereabouts(ipam, base, out)
        name = ipam.get("network_name")
        guard = ipam.get("enable_overlapping_ranges", True)
        return IpamAnalysis(
            WHEREABOUTS,
            tuple(out.pools),
            tuple(out.invalid),
            tuple(out.suspicious),
            name if isinstance(name, str) else "",
            guard is not False,
        )
    elif kind == STATIC:
        _static(ipam, base, out)
    return IpamAnalysis(kind if isinstance(kind, str) else None, tuple(out.pools), tuple(out.invalid), tuple(out.suspicious))


# ---------------------------------------------------------------- parsing helpers


def parse_ip(value: object, *, sloppy: bool = False) -> IPAddress | None:
    """An IP address string as Go's ``net.ParseIP`` reads it (no zone); ``sloppy`` allows leading zeros."""
    if not isinstance(value, str) or "%" in value:
        return None
    text = _unzero(value) if sloppy else value
    try:
        return ip_address(text)
    except ValueError:
        return None


def parse_cidr(value: object, *, sloppy: bool = False) -> tuple[IPAddress, IPNetwork] | None:
    """A CIDR string as Go's ``net.ParseCIDR``: (the written address, its network), or None."""
    if not isinstance(value, str) or "/" not in value or "%" in value:
        return None
    addr, _, prefix = value.partition("/")
    text = f"{_unzero(addr) if sloppy else addr}/{prefix}"
    if not prefix.isdigit():
        return None
    try:
        iface = ip_interface(text)
    except ValueError:
        return None
    return iface.ip, iface.network


def _unzero(text: str) -> str:
    match = _DOTTED_QUAD.fullmatch(text)
    return ".".join(str(int(part)) for part in match.groups()) if match else text


def _absent(value: object) -> bool:
    # Go decodes null and "" into a nil net.IP: the field counts as unset.
    return value is None or value == ""


def last_usable(network: IPNetwork) -> IPAddress:
    """host-local's default ``rangeEnd``: the last address, minus one for IPv4 (no broadcast), § 1d.5."""
    return network.broadcast_address - 1 if network.version == 4 else network.broadcast_address


# ---------------------------------------------------------------- host-local


def _host_local(
    ipam: Mapping[str, object], base: JsonPath, cni_version: object, runtime_ranges: bool, out: _Collector
) -> None:
    range_sets: list[list[tuple[JsonPath, Mapping[str, object]]]] = []
    subnet = ipam.get("subnet")
    if not _absent(subnet):
        range_sets.append([(base, ipam)])  # § 1d.5 step 1: the old single range is prepended as a set
    ranges = ipam.get("ranges")
    if ranges is not None:
        if not isinstance(ranges, list):
            out.invalid.append(Problem((*base, "ranges"), f"host-local 'ranges' is a {json_type(ranges)}, not a list"))
            return
        for i, range_set in enumerate(ranges):
            if not isinstance(range_set, list):
                out.invalid.append(
                    Problem((*base, "ranges", i), f"range set {i} is a {json_type(range_set)}, not a list of ranges")
                )
                continue
            items: list[tuple[JsonPath, Mapping[str, object]]] = []
            for j, item in enumerate(range_set):
                if isinstance(item, Mapping):
                    items.append(((*base, "ranges", i, j), item))
                else:
                    out.invalid.append(Problem((*base, "ranges", i, j), f"range {i}/{j} is a {json_type(item)}, not an object"))
            if items:
                range_sets.append(items)
        if not _absent(subnet) and ranges:
            out.suspicious.append(
                Problem((*base, "subnet"), f"host-local has both subnet {show(subnet)} and 'ranges'; it allocates one address from each")
            )
    if not range_sets:
        if not runtime_ranges and not out.invalid:
            out.invalid.append(Problem(base, "host-local ipam has no subnet and no ranges"))
        return
    parsed_sets: list[list[Pool]] = []
    for range_set in range_sets:
        pools = [pool for path, item in range_set if (pool := _host_local_range(item, path, out)) is not None]
        if not pools:
            continue
        if len({pool.network.version for pool in pools}) > 1:
            out.invalid.append(Problem(range_set[0][0], "range set mixes IPv4 and IPv6 ranges"))
            continue
        for a, b in _pairs(pools):
            if a.overlap(b):
                out.invalid.append(Problem(b.path, f"ranges {a.text} and {b.text} of one range set overlap"))
        parsed_sets.append(pools)
        out.pools.extend(pools)
    for set_a, set_b in _pairs(parsed_sets):
        hit = next(((a, b) for a in set_a for b in set_b if a.overlap(b)), None)
        if hit:
            out.invalid.append(Problem(hit[1].path, f"range sets overlap: {hit[0].text} and {hit[1].text}"))
    families = [pools[0].network.version for pools in parsed_sets]
    version = (0, 1, 0) if _absent(cni_version) else version_tuple(cni_version)
    if version is not None and version < MULTI_RANGE_MIN_VERSION:
        for family in (4, 6):
            if families.count(family) > 1:
                out.invalid.append(
                    Problem(base, f"{families.count(family)} IPv{family} range sets need cniVersion 0.3.0 or later, not {show(cni_version)}")
                )


def _host_local_range(item: Mapping[str, object], path: JsonPath, out: _Collector) -> Pool | None:
    raw = item.get("subnet")
    if out.unknown(raw):
        return None
    if _absent(raw):
        out.invalid.append(Problem(path, "range has no subnet"))
        return None
    parsed = parse_cidr(raw)
    if parsed is None:
        out.invalid.append(Problem((*path, "subnet"), f"subnet {show(raw)} is not a CIDR"))
        return None
    written, network = parsed
    if written != network.network_address:
        out.invalid.append(Problem((*path, "subnet"), f"subnet {raw} has host bits set (network is {network})"))
        return None
    if network.prefixlen > MAX_PREFIX[network.version]:
        limit = MAX_PREFIX[network.version]
        out.invalid.append(Problem((*path, "subnet"), f"subnet {raw} is too small to allocate from (longer than /{limit})"))
        return None
    ok_start, start = _address(item, "rangeStart", path, out)
    ok_end, end = _address(item, "rangeEnd", path, out)
    ok_gw, gateway = _address(item, "gateway", path, out)
    if not (ok_start and ok_end and ok_gw):
        return None
    for key, addr in (("rangeStart", start), ("rangeEnd", end)):
        if addr is not None and (addr.version != network.version or addr not in network):
            out.invalid.append(Problem((*path, key), f"{key} {addr} is outside subnet {network}"))
            return None
    first = start or network.network_address + 1  # § 1d.5 step 4
    last = end or last_usable(network)  # § 1d.5 step 5
    if int(first) > int(last):
        out.invalid.append(Problem((*path, "rangeEnd" if end else "rangeStart"), f"rangeStart {first} is after rangeEnd {last}"))
        return None
    if gateway is not None:
        _check_gateway(gateway, [network], (*path, "gateway"), out)
    gw = gateway or network.network_address + 1  # § 1d.5 step 3: the default gateway is subnet + 1
    return Pool(HOST_LOCAL, network, first, last, path, gw, (_host(gw),))  # the allocator skips the gateway


def _address(
    item: Mapping[str, object], key: str, path: JsonPath, out: _Collector, *, sloppy: bool = False
) -> tuple[bool, IPAddress | None]:
    """(usable, address) for an optional IP field: (False, None) when invalid or unknown."""
    raw = item.get(key)
    if out.unknown(raw):
        return False, None
    if _absent(raw):
        return True, None
    addr = parse_ip(raw, sloppy=sloppy)
    if addr is None:
        out.invalid.append(Problem((*path, key), f"{key} {show(raw)} is not an IP address"))
        return False, None
    return True, addr


def _check_gateway(gateway: IPAddress, networks: Sequence[IPNetwork], path: JsonPath, out: _Collector) -> None:
    same = [net for net in networks if net.version == gateway.version]
    if not same:
        versions = "/".join(sorted({f"IPv{net.version}" for net in networks}))
        out.suspicious.append(Problem(path, f"gateway {gateway} is IPv{gateway.version} but the range is {versions}"))
    elif not any(gateway in net for net in same):
        out.suspicious.append(Problem(path, f"gateway {gateway} is outside {', '.join(str(n) for n in same)}"))


def _host(address: IPAddress) -> IPNetwork:
    return IPv4Network(address) if isinstance(address, IPv4Address) else IPv6Network(address)


# ---------------------------------------------------------------- whereabouts


def _whereabouts(ipam: Mapping[str, object], base: JsonPath, out: _Collector) -> None:
    entries: list[tuple[JsonPath, Mapping[str, object]]] = []
    if not _absent(ipam.get("range")):
        entries.append((base, ipam))  # § 1d.6: ``range`` is prepended to ``ipRanges``
    extra = ipam.get("ipRanges")
    if isinstance(extra, list):
        for i, item in enumerate(extra):
            if isinstance(item, Mapping):
                entries.append(((*base, "ipRanges", i), item))
            else:
                out.invalid.append(Problem((*base, "ipRanges", i), f"ipRanges entry {i} is a {json_type(item)}, not an object"))
    elif extra is not None:
        out.invalid.append(Problem((*base, "ipRanges"), f"whereabouts 'ipRanges' is a {json_type(extra)}, not a list"))
    if not entries:
        if not out.invalid:
            out.invalid.append(Problem(base, "whereabouts ipam has no range"))
        return
    ok_gw, gateway = _address(ipam, "gateway", base, out, sloppy=True)
    pools = [pool for path, item in entries if (pool := _whereabouts_range(item, path, out)) is not None]
    if gateway is not None and pools:
        _check_gateway(gateway, [pool.network for pool in pools], (*base, "gateway"), out)
    for pool in pools:
        gw = gateway if ok_gw and gateway is not None and gateway.version == pool.network.version else None
        out.pools.append(Pool(WHEREABOUTS, pool.network, pool.first, pool.last, pool.path, gw, pool.excluded))


def _whereabouts_range(item: Mapping[str, object], path: JsonPath, out: _Collector) -> Pool | None:
    raw = item.get("range")
    if out.unknown(raw):
        return None
    if not isinstance(raw, str):
        out.invalid.append(Problem((*path, "range") if "range" in item else path, f"whereabouts range {show(raw)} is not a string"))
        return None
    dash = "-" in raw
    if dash:  # ``first-last/prefix`` (§ 1d.6): the last address is the IP written before the prefix
        first_text, _, cidr_text = raw.partition("-")
        first = parse_ip(first_text, sloppy=True)
        parsed = parse_cidr(cidr_text, sloppy=True)
        if first is None or parsed is None:
            out.invalid.append(Problem((*path, "range"), f"whereabouts range {raw!r} is neither a CIDR nor first-last/prefix"))
            return None
        end, network = parsed
        if first.version != network.version or first not in network:
            out.invalid.append(Problem((*path, "range"), f"whereabouts range start {first} is outside {network}"))
            return None
        start: IPAddress | None = first
        end_opt: IPAddress | None = end
    else:
        parsed = parse_cidr(raw, sloppy=True)
        if parsed is None:
            out.invalid.append(Problem((*path, "range"), f"whereabouts range {raw!r} is neither a CIDR nor first-last/prefix"))
            return None
        written, network = parsed
        if written != network.network_address:
            out.suspicious.append(Problem((*path, "range"), f"whereabouts range {raw} has host bits set; it allocates from {network}"))
        ok_start, start = _address(item, "range_start", path, out, sloppy=True)
        ok_end, end_opt = _address(item, "range_end", path, out, sloppy=True)
        if not (ok_start and ok_end):
            return None
    if network.num_addresses <= 2:
        out.invalid.append(Problem((*path, "range"), f"whereabouts range {raw} is too small to allocate from"))
        return None
    usable_first, usable_last = network.network_address + 1, last_usable(network)
    first_addr = usable_first
    if start is not None:
        if start.version == network.version and int(usable_first) <= int(start) <= int(usable_last):
            first_addr = start
        elif not dash:  # § 1d.6: silently ignored by ``GetIPRange``
            out.suspicious.append(Problem((*path, "range_start"), f"range_start {start} is outside {usable_first}-{usable_last} and is ignored"))
    last_addr = usable_last
    if end_opt is not None:
        if end_opt.version == network.version and int(first_addr) <= int(end_opt) <= int(usable_last):
            last_addr = end_opt
        elif not dash:
            out.suspicious.append(Problem((*path, "range_end"), f"range_end {end_opt} is outside {first_addr}-{usable_last} and is ignored"))
    return Pool(WHEREABOUTS, network, first_addr, last_addr, path, None, tuple(_excluded(item, path, out)))


def _excluded(item: Mapping[str, object], path: JsonPath, out: _Collector) -> Iterator[IPNetwork]:
    raw = item.get("exclude")
    if not isinstance(raw, list):
        return
    for i, entry in enumerate(raw):
        if out.unknown(entry):
            continue
        parsed = parse_cidr(entry, sloppy=True)
        single = parse_ip(entry, sloppy=True) if parsed is None else None
        if parsed is None and single is None:
            out.invalid.append(Problem((*path, "exclude", i), f"exclude entry {show(entry)} is not a CIDR"))
            continue
        yield parsed[1] if parsed is not None else _host(single)  # type: ignore[arg-type]


# ---------------------------------------------------------------- static


def _static(ipam: Mapping[str, object], base: JsonPath, out: _Collector) -> None:
    addresses = ipam.get("addresses")
    if not isinstance(addresses, list):
        return
    for i, entry in enumerate(addresses):
        path = (*base, "addresses", i)
        if not isinstance(entry, Mapping):
            out.invalid.append(Problem(path, f"static address {i} is a {json_type(entry)}, not an object"))
            continue
        raw = entry.get("address")
        if out.unknown(raw):
            continue
        parsed = parse_cidr(raw)
        if parsed is None:
            where = (*path, "address") if "address" in entry else path
            out.invalid.append(Problem(where, f"static address {show(raw)} is not in CIDR notation"))
            continue
        address, network = parsed
        ok_gw, gateway = _address(entry, "gateway", path, out)
        if not ok_gw:
            continue
        if gateway is not None:
            _check_gateway(gateway, [network], (*path, "gateway"), out)
        out.pools.append(Pool(STATIC, network, address, address, path, gateway))


# ---------------------------------------------------------------- AWS view


def reserved_in_pool(pool: Pool, subnet: IPNetwork | None = None) -> tuple[ReservedAddress, ...]:
    """AWS-reserved addresses of ``subnet`` (default: the pool's own network) that the pool hands out."""
    network = subnet if subnet is not None else pool.network
    if network.version != pool.network.version:
        return ()
    return tuple(item for item in reserved_addresses(network) if item.address in pool)


def gateway_in_pool(pool: Pool) -> bool:
    """True when the pool can hand out its own gateway (whereabouts never skips it, § 1d.6)."""
    return pool.gateway is not None and pool.gateway in pool


def _pairs(items: Sequence[T]) -> Iterator[tuple[T, T]]:
    for i in range(len(items)):
        for j in range(i + 1, len(items)):
            yield items[i], items[j]
