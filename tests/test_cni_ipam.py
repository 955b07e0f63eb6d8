"""Table-driven tests of eks_net_lint.cni.ipam (reference/multus-cni.md § 1d.5–1d.7, § 1e)."""
from __future__ import annotations

from ipaddress import ip_address, ip_network

import pytest

from eks_net_lint.cni import ipam

SEED = {  # the seed's ipvlan example (issue #7)
    "type": "host-local",
    "subnet": "192.168.96.0/19",
    "rangeStart": "192.168.96.20",
    "rangeEnd": "192.168.96.40",
    "gateway": "192.168.96.1",
}


def hl(**fields: object) -> dict[str, object]:
    return {"type": "host-local", **fields}


@pytest.mark.parametrize(
    ("config", "invalid", "suspicious"),
    [
        (SEED, [], []),
        (hl(subnet="10.0.4.0/24", rangeStart="10.0.4.70", rangeEnd="10.0.4.80", gateway="10.0.4.1"), [], []),
        (hl(subnet="10.0.4.0"), ["not a CIDR"], []),
        (hl(subnet="ten/24"), ["not a CIDR"], []),
        (hl(subnet="10.0.4.1/24"), ["host bits set"], []),
        (hl(subnet="10.0.4.0/31"), ["too small"], []),
        (hl(subnet="fd00::/127"), ["too small"], []),
        (hl(subnet="fd00::/126"), [], []),
        (hl(subnet="10.0.4.0/24", rangeStart="10.0.5.1"), ["outside subnet"], []),
        (hl(subnet="10.0.4.0/24", rangeEnd="10.0.5.1"), ["outside subnet"], []),
        (hl(subnet="10.0.4.0/24", rangeStart="10.0.4.50", rangeEnd="10.0.4.40"), ["after rangeEnd"], []),
        (hl(subnet="10.0.4.0/24", rangeStart="fd00::1"), ["outside subnet"], []),
        (hl(subnet="10.0.4.0/24", rangeStart="10.0.4.x"), ["not an IP address"], []),
        (hl(subnet="10.0.4.0/24", gateway="10.0.5.1"), [], ["outside 10.0.4.0/24"]),
        (hl(subnet="10.0.4.0/24", gateway="fd00::1"), [], ["is IPv6"]),
        (hl(subnet="10.0.4.0/24", gateway="nope"), ["not an IP address"], []),
        (hl(), ["no subnet and no ranges"], []),
        (hl(ranges=[]), ["no subnet and no ranges"], []),
        (hl(ranges=[[{"subnet": "10.0.0.0/24"}], [{"subnet": "fd00::/64"}]]), [], []),  # dual stack
        (hl(ranges=[[{"subnet": "10.0.0.0/24"}, {"subnet": "fd00::/64"}]]), ["mixes IPv4 and IPv6"], []),
        (hl(ranges=[[{"subnet": "10.0.0.0/24"}, {"subnet": "10.0.0.0/25"}]]), ["of one range set overlap"], []),
        (hl(ranges=[[{"subnet": "10.0.0.0/24"}], [{"subnet": "10.0.0.128/25"}]]), ["range sets overlap"], []),
        (hl(ranges=[[{"subnet": "10.0.0.0/25"}, {"subnet": "10.0.0.128/25"}]]), [], []),
        (hl(ranges=[[{"rangeStart": "10.0.0.1"}]]), ["range has no subnet"], []),
        (hl(ranges={"subnet": "10.0.0.0/24"}), ["not a list"], []),
        (hl(ranges=[{"subnet": "10.0.0.0/24"}]), ["not a list of ranges"], []),
        (hl(subnet="10.0.0.0/24", ranges=[[{"subnet": "10.1.0.0/24"}]]), [], ["both subnet"]),
    ],
)
def test_host_local(config: dict[str, object], invalid: list[str], suspicious: list[str]) -> None:
    found = ipam.analyse_ipam(config, cni_version="0.4.0")
    assert len(found.invalid) == len(invalid), found.invalid
    for problem, fragment in zip(found.invalid, invalid):
        assert fragment in problem.message
    assert len(found.suspicious) == len(suspicious), found.suspicious
    for problem, fragment in zip(found.suspicious, suspicious):
        assert fragment in problem.message


def test_host_local_range_sets_need_0_3_0() -> None:
    config = hl(ranges=[[{"subnet": "10.0.0.0/24"}], [{"subnet": "10.1.0.0/24"}]])
    assert not ipam.analyse_ipam(config, cni_version="0.3.0").invalid
    for version in ("0.2.0", None, ""):
        found = ipam.analyse_ipam(config, cni_version=version)
        assert [p.message for p in found.invalid] == [f"2 IPv4 range sets need cniVersion 0.3.0 or later, not {'null' if version is None else repr(version)}"]


@pytest.mark.parametrize(
    ("config", "first", "last", "gateway"),
    [
        (SEED, "192.168.96.20", "192.168.96.40", "192.168.96.1"),
        # § 1d.5: rangeStart defaults to subnet + 1, rangeEnd to the broadcast − 1 (IPv4)
        (hl(subnet="10.0.4.0/24"), "10.0.4.1", "10.0.4.254", "10.0.4.1"),
        (hl(subnet="fd00::/120"), "fd00::1", "fd00::ff", "fd00::1"),
        (hl(subnet="10.0.4.0/24", gateway="10.0.4.254"), "10.0.4.1", "10.0.4.254", "10.0.4.254"),
    ],
)
def test_host_local_pool(config: dict[str, object], first: str, last: str, gateway: str) -> None:
    (pool,) = ipam.analyse_ipam(config).pools
    assert (str(pool.first), str(pool.last), str(pool.gateway)) == (first, last, gateway)
    assert pool.gateway not in pool  # the allocator skips the gateway


@pytest.mark.parametrize(
    ("config", "reserved"),
    [
        (SEED, []),
        # the variant: the same range starting at .0 hands out the network address
        ({**SEED, "rangeStart": "192.168.96.0"}, ["192.168.96.0", "192.168.96.2", "192.168.96.3"]),
        # default range: the gateway .1 is skipped, but .2 and .3 are AWS's
        (hl(subnet="10.0.4.0/24"), ["10.0.4.2", "10.0.4.3"]),
        # § 1e pitfall 8: a gateway elsewhere makes the VPC router .1 allocatable
        (hl(subnet="10.0.4.0/24", gateway="10.0.4.254", rangeStart="10.0.4.1", rangeEnd="10.0.4.10"), ["10.0.4.1", "10.0.4.2", "10.0.4.3"]),
        (hl(subnet="10.0.4.0/24", rangeStart="10.0.4.250"), []),  # .255 is never handed out
        (hl(subnet="fd00::/120", rangeStart="fd00::f0"), ["fd00::ff"]),  # IPv6 hands out the last address
    ],
)
def test_reserved_in_pool(config: dict[str, object], reserved: list[str]) -> None:
    (pool,) = ipam.analyse_ipam(config).pools
    assert [str(r.address) for r in ipam.reserved_in_pool(pool)] == reserved


def test_reserved_against_an_inventory_subnet() -> None:
    (pool,) = ipam.analyse_ipam(hl(subnet="10.0.4.0/26")).pools
    assert [str(r.address) for r in ipam.reserved_in_pool(pool, ip_network("10.0.0.0/16"))] == []
    assert [str(r.address) for r in ipam.reserved_in_pool(pool, ip_network("10.0.4.0/24"))] == ["10.0.4.2", "10.0.4.3"]


def wb(**fields: object) -> dict[str, object]:
    return {"type": "whereabouts", **fields}


@pytest.mark.parametrize(
    ("config", "first", "last", "invalid", "suspicious"),
    [
        # aws-samples multus-nad-wb.yaml: dash form, the last address is the IP before the prefix
        (wb(range="10.10.1.80-10.10.1.82/24", gateway="10.10.1.1"), "10.10.1.80", "10.10.1.82", [], []),
        # § 1d.6: host bits are dropped; .225/28 allocates .225–.238, .225/24 the whole /24
        (wb(range="192.168.2.225/28"), "192.168.2.225", "192.168.2.238", [], ["host bits set"]),
        (wb(range="192.168.2.225/24"), "192.168.2.1", "192.168.2.254", [], ["host bits set"]),
        (wb(range="192.168.2.0/24", range_start="192.168.2.10", range_end="192.168.2.20"), "192.168.2.10", "192.168.2.20", [], []),
        (wb(range="192.168.2.0/24", range_start="192.168.3.10"), "192.168.2.1", "192.168.2.254", [], ["range_start 192.168.3.10"]),
        (wb(range="192.168.2.0/24", range_start="192.168.2.50", range_end="192.168.2.20"), "192.168.2.50", "192.168.2.254", [], ["range_end 192.168.2.20"]),
        (wb(range="00192.00168.1.0/24", range_start="00192.00168.1.44"), "192.168.1.44", "192.168.1.254", [], []),  # sloppy parse
        (wb(range="fd00::/120"), "fd00::1", "fd00::ff", [], []),
    ],
)
def test_whereabouts_pool(
    config: dict[str, object], first: str, last: str, invalid: list[str], suspicious: list[str]
) -> None:
    found = ipam.analyse_ipam(config)
    (pool,) = found.pools
    assert (str(pool.first), str(pool.last)) == (first, last)
    assert [p.message for p in found.invalid] == invalid
    assert len(found.suspicious) == len(suspicious)
    for problem, fragment in zip(found.suspicious, suspicious):
        assert fragment in problem.message


@pytest.mark.parametrize(
    ("config", "fragment"),
    [
        (wb(), "no range"),
        (wb(range="192.168.1.5-192.168.2.25/28"), "range start 192.168.1.5 is outside 192.168.2.16/28"),
        (wb(range="10.0.0.0"), "neither a CIDR nor first-last/prefix"),
        (wb(range="10.0.0.x-10.0.0.9/24"), "neither a CIDR nor first-last/prefix"),
        (wb(range=24), "not a string"),
        (wb(range="10.0.0.0/24", exclude=["10.0.0.0/30", "bogus"]), "exclude entry 'bogus' is not a CIDR"),
        (wb(range="10.0.0.0/24", gateway="10.0.0"), "gateway '10.0.0' is not an IP address"),
        (wb(range="10.0.0.0/24", range_end="x"), "range_end 'x' is not an IP address"),
    ],
)
def test_whereabouts_invalid(config: dict[str, object], fragment: str) -> None:
    found = ipam.analyse_ipam(config)
    assert any(fragment in p.message for p in found.invalid), found.invalid


def test_whereabouts_gateway_and_exclude() -> None:
    found = ipam.analyse_ipam(wb(range="10.0.0.0/24", gateway="10.0.0.1", exclude=["10.0.0.0/30"]))
    (pool,) = found.pools
    assert ip_address("10.0.0.2") not in pool and ip_address("10.0.0.4") in pool
    assert not ipam.gateway_in_pool(pool)  # excluded
    (pool,) = ipam.analyse_ipam(wb(range="10.0.0.0/24", gateway="10.0.0.1")).pools
    assert ipam.gateway_in_pool(pool)  # § 1d.6: whereabouts never skips the gateway
    outside = ipam.analyse_ipam(wb(range="10.0.0.0/24", gateway="10.9.0.1"))
    assert [p.message for p in outside.suspicious] == ["gateway 10.9.0.1 is outside 10.0.0.0/24"]


def test_whereabouts_store_scope() -> None:
    assert ipam.analyse_ipam(wb(range="10.0.0.0/24")).overlap_guard
    found = ipam.analyse_ipam(wb(range="10.0.0.0/24", enable_overlapping_ranges=False, network_name="a"))
    assert (found.overlap_guard, found.network_name) == (False, "a")


def test_whereabouts_ip_ranges() -> None:
    found = ipam.analyse_ipam(wb(range="10.0.0.0/24", ipRanges=[{"range": "fd00::/120"}, 7]))
    assert [str(p.network) for p in found.pools] == ["10.0.0.0/24", "fd00::/120"]
    assert [p.path for p in found.pools] == [("ipam",), ("ipam", "ipRanges", 0)]
    assert [p.path for p in found.invalid] == [("ipam", "ipRanges", 1)]


@pytest.mark.parametrize(
    ("config", "pools", "invalid"),
    [
        ({"type": "static", "addresses": [{"address": "10.10.0.1/24", "gateway": "10.10.0.254"}]}, ["10.10.0.1"], []),
        ({"type": "static", "addresses": [{"address": "10.10.0.1"}]}, [], ["not in CIDR notation"]),
        ({"type": "static", "addresses": ["10.10.0.1/24"]}, [], ["not an object"]),
        ({"type": "static"}, [], []),
    ],
)
def test_static(config: dict[str, object], pools: list[str], invalid: list[str]) -> None:
    found = ipam.analyse_ipam(config)
    assert [str(p.first) for p in found.pools] == pools
    assert len(found.invalid) == len(invalid)
    for problem, fragment in zip(found.invalid, invalid):
        assert fragment in problem.message


def test_static_gateway_address_is_handed_out() -> None:
    (pool,) = ipam.analyse_ipam({"type": "static", "addresses": [{"address": "10.0.0.1/24", "gateway": "10.0.0.1"}]}).pools
    assert ipam.gateway_in_pool(pool)
    assert [r.role for r in ipam.reserved_in_pool(pool)] == ["VPC router"]


@pytest.mark.parametrize("value", [None, "x", 3, [], {"type": "dhcp"}, {"type": 7}])
def test_other_input_yields_nothing(value: object) -> None:
    found = ipam.analyse_ipam(value)
    assert (found.pools, found.invalid, found.suspicious) == ((), (), ())


def test_unknown_values_are_skipped() -> None:
    def unknown(value: object) -> bool:
        return isinstance(value, str) and value.startswith("__") and value.endswith("__")

    # the VPC CNI template's egress-cni ipam (misc/10-aws.conflist)
    config = hl(ranges=[[{"subnet": "__EGRESSPLUGINIPAMSUBNET__"}]], routes=[{"dst": "__EGRESSPLUGINIPAMDST__"}])
    found = ipam.analyse_ipam(config, unknown=unknown)
    assert (found.pools, found.invalid) == ((), ())


def test_runtime_ranges_need_no_subnet() -> None:
    assert not ipam.analyse_ipam(hl(), runtime_ranges=True).invalid


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        ("10.0.0.10-10.0.0.20", "10.0.0.15-10.0.0.30", ("10.0.0.15", "10.0.0.20")),
        ("10.0.0.10-10.0.0.20", "10.0.0.21-10.0.0.30", None),
        ("10.0.0.10-10.0.0.20", "fd00::1-fd00::5", None),
    ],
)
def test_pool_overlap(a: str, b: str, overlap: tuple[str, str] | None) -> None:
    def pool(text: str) -> ipam.Pool:
        first, last = (ip_address(x) for x in text.split("-"))
        return ipam.Pool("host-local", ip_network(f"{first}/{'120' if first.version == 6 else '24'}", strict=False), first, last, ())

    found = pool(a).overlap(pool(b))
    assert (tuple(map(str, found)) if found else None) == overlap
