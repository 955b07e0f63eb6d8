"""Table-driven tests of the networks annotation parser (reference/multus-cni.md § 1c.3, § 1c.4)."""
from __future__ import annotations

import pytest

from eks_net_lint.cni.annotation import default_route_problem, is_json_form, parse_mac, parse_networks


@pytest.mark.parametrize(
    ("value", "refs"),
    [
        ("ipvlan-conf-1", [(None, "ipvlan-conf-1", None)]),
        # aws-install-guide app-ipvlan-dual.yaml / app-ipvlan-name.yaml
        ("ipvlan-conf-1, ipvlan-conf-2", [(None, "ipvlan-conf-1", None), (None, "ipvlan-conf-2", None)]),
        ("ipvlan-conf-1@ipvlan1, ipvlan-conf-2@ipvlan2", [(None, "ipvlan-conf-1", "ipvlan1"), (None, "ipvlan-conf-2", "ipvlan2")]),
        ("multus/ipvlan-multus", [("multus", "ipvlan-multus", None)]),
        (" multus / ipvlan-multus @ net5 ", [("multus", "ipvlan-multus", "net5")]),
        ("", []),
        ('[{"name": "macvlan-conf", "namespace": "ns1", "interface": "m1"}]', [("ns1", "macvlan-conf", "m1")]),
        ('[{"Name": "upper-key"}]', [(None, "upper-key", None)]),  # Go matches keys case-insensitively
        ('[{"name": "a", "interfaceRequest": "old1"}]', [(None, "a", "old1")]),  # pre-v3.2 alias
        ("null", [(None, "null", None)]),  # no [ { or " : the comma form, a NAD named null
        ("[]", []),
    ],
)
def test_parse_valid(value: str, refs: list[tuple[str | None, str, str | None]]) -> None:
    parsed = parse_networks(value)
    assert parsed.problems == ()
    assert [(s.namespace, s.name, s.interface) for s in parsed.selections] == refs


def test_macvlan_pod_example_parses() -> None:
    # multus examples/macvlan-pod.yml: "gateway" is not a Multus key and is ignored, not an error
    value = """[
            { "name": "macvlan-conf",
              "ips": [ "10.1.1.101/24" ],
              "mac": "c2:b0:57:49:47:f1",
              "gateway": [ "10.1.1.1" ]
            }]"""
    parsed = parse_networks(value)
    assert parsed.form == "json" and parsed.problems == ()
    (sel,) = parsed.selections
    assert (sel.ips, sel.mac, sel.default_route) == (("10.1.1.101/24",), "c2:b0:57:49:47:f1", ())


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("a/b/c", "more than one '/'"),
        ("a@b@c", "more than one '@'"),
        ("Ipvlan-Conf", "not a DNS-1123 label"),
        ("ns_1/net", "not a DNS-1123 label"),
        ("net-", "not a DNS-1123 label"),
        ("net1,", "names no network"),
        ("net1@averyveryverylongname", "longer than 15"),
        ("net1@eth0", "collides with the cluster network"),
        ("a@x1, b@x1", "collides with interface x1 of a"),
        ("a, b@net1", "collides with interface net1 of a"),  # the first extra network is net1
        ('{"name": "x"}', "not a list"),
        ('["x"]', "not an object"),
        ("[{}]", "has no name"),
        ('[{"name": 5}]', "'name' is a number"),
        ('[{"name": "x", "ips": ["10.0.0.300"]}]', "not an IP address or CIDR"),
        ('[{"name": "x", "ips": "10.0.0.3"}]', "not a list of strings"),
        ('[{"name": "x", "mac": "c2:b0:57:49:47"}]', "not a MAC address"),
        ('[{"name": "x", "default-route": ["10.0.0.x"]}]', "not an IP address"),
        ('[{"name": "x", "interface": "a b"}]', "contains a space"),
        ('[{"name": "x"', "not valid json"),
        ('[{"name": "x", "cni-args": []}]', "'cni-args' is a list"),
    ],
)
def test_parse_invalid(value: str, fragment: str) -> None:
    parsed = parse_networks(value)
    assert any(fragment in p.message for p in parsed.problems), parsed.problems


def test_json_detection_matches_multus() -> None:
    assert is_json_form('"a"') and is_json_form("[") and is_json_form("{")
    assert not is_json_form("a,b/c@d")


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("c2:b0:57:49:47:f1", 6),
        ("C2-B0-57-49-47-F1", 6),
        ("c2b0.5749.47f1", 6),
        ("02:00:5e:10:00:00:00:01", 8),
        ("00:00:00:00:fe:80:00:00:00:00:00:00:02:00:5e:10:00:00:00:01", 20),
        ("c2:b0:57:49:47", None),
        ("c2:b0-57:49:47:f1", None),
        ("zz:b0:57:49:47:f1", None),
        ("c2 b0 57 49 47 f1", None),
    ],
)
def test_parse_mac(text: str, size: int | None) -> None:
    found = parse_mac(text)
    assert (len(found) if found is not None else None) == size


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ('[{"name": "a", "default-route": ["10.0.0.1"]}]', None),
        ('[{"name": "a", "default-route": ["10.0.0.1"]}, {"name": "b", "default-route": ["fd00::1"]}]', None),
        ('[{"name": "a", "default-route": ["10.0.0.1"]}, {"name": "b", "default-route": ["10.1.0.1"]}]', "2 IPv4 default routes"),
        ('[{"name": "a", "default-route": ["10.0.0.1", "10.0.0.2"]}]', "2 IPv4 default routes"),
        ('[{"name": "a", "default-route": ["fd00::1"]}, {"name": "b", "default-route": ["fd01::1"]}]', "2 IPv6 default routes"),
    ],
)
def test_default_route(value: str, fragment: str | None) -> None:
    found = default_route_problem(parse_networks(value).selections)
    assert (found is None) if fragment is None else (found is not None and fragment in found)


def test_reference_resolution() -> None:
    (a, b) = parse_networks("other/x, y").selections
    assert a.reference("apps") == ("other", "x")
    assert b.reference("apps") == ("apps", "y")
