"""Table-driven tests of eks_net_lint.cni.plugins (reference/multus-cni.md § 1d, § 1e)."""
from __future__ import annotations

import pytest

from eks_net_lint.cni.plugins import master_problem, plugin_problems


@pytest.mark.parametrize(
    ("plugin", "first", "resource", "fragments"),
    [
        ({"type": "ipvlan", "master": "eth1", "mode": "l2", "ipam": {"type": "host-local"}}, True, False, []),
        ({"type": "ipvlan", "mode": "L2", "ipam": {}}, True, False, ["mode 'L2' is not one of l2, l3, l3s"]),
        ({"type": "ipvlan", "mode": "", "ipam": {}}, True, False, []),
        ({"type": "ipvlan", "mtu": "9001", "ipam": {}}, True, False, ["mtu '9001' is not an integer"]),
        ({"type": "ipvlan", "mtu": 1500.0, "ipam": {}}, True, False, ["mtu 1500.0 is not an integer"]),
        ({"type": "ipvlan"}, True, False, ["ipvlan has no ipam"]),
        ({"type": "ipvlan"}, False, False, []),  # chained: takes the previous result's IPs
        ({"type": "ipvlan", "ipam": {"type": "static"}}, True, False, ["static ipam without addresses"]),
        ({"type": "macvlan", "capabilities": {"ips": True}, "ipam": {"type": "static"}}, True, False, []),  # macvlan-pod.yml
        ({"type": "macvlan", "mode": "bridge", "ipam": {}}, True, False, []),
        ({"type": "macvlan", "mode": "l2"}, True, False, ["mode 'l2' is not one of bridge, private, vepa, passthru"]),
        ({"type": "macvlan", "mtu": -1}, True, False, ["mtu -1 is negative"]),
        ({"type": "macvlan", "mac": "zz"}, True, False, ["mac 'zz' is not a MAC address"]),
        ({"type": "host-device", "device": "eth2"}, True, False, []),
        ({"type": "host-device", "pciBusID": "0000:00:06.0"}, True, False, []),
        ({"type": "host-device"}, True, False, ["names no device"]),
        ({"type": "host-device"}, True, True, []),
        ({"type": "host-device", "capabilities": {"deviceID": True}}, True, False, []),
        ({"type": "sriov", "vlan": 1000, "ipam": {}}, True, True, []),  # multus examples/sriov-pod.yml
        ({"type": "sriov"}, True, False, ["no deviceID"]),
        ({"type": "sriov", "deviceID": "0000:af:06.0", "vlan": 5000}, True, False, ["vlan 5000"]),
        ({"type": "sriov", "deviceID": "x", "vlanQoS": 3}, True, False, ["vlanQoS 3 needs a non-zero vlan"]),
        ({"type": "sriov", "deviceID": "x", "vlan": 10, "vlanQoS": 9}, True, False, ["vlanQoS 9 is not"]),
        ({"type": "sriov", "deviceID": "x", "vlanProto": "802.1AD"}, True, False, ["802.1ad needs a non-zero vlan"]),
        ({"type": "sriov", "deviceID": "x", "vlan": 3, "vlanProto": "802.1AD"}, True, False, []),
        ({"type": "sriov", "deviceID": "x", "link_state": "up"}, True, False, ["link_state 'up'"]),
        ({"type": "sriov", "deviceID": "x", "spoofchk": True}, True, False, ["spoofchk true is not on or off"]),
        ({"type": "sriov", "deviceID": "x", "min_tx_rate": 200, "max_tx_rate": 100}, True, False, ["min_tx_rate 200"]),
        ({"type": "bridge", "mode": "whatever"}, True, False, []),
    ],
)
def test_plugin_problems(plugin: dict[str, object], first: bool, resource: bool, fragments: list[str]) -> None:
    found = plugin_problems(plugin, (), first_in_chain=first, resource_name=resource)
    assert len(found) == len(fragments), found
    for problem, fragment in zip(found, fragments):
        assert fragment in problem.message


@pytest.mark.parametrize(
    ("plugin", "fragment"),
    [
        ({"type": "ipvlan", "master": "eth1"}, None),
        ({"type": "ipvlan", "master": "multus"}, None),  # a custom name: not this rule's business
        ({"type": "ipvlan"}, "has no master"),
        ({"type": "macvlan", "master": ""}, "master is empty"),
        ({"type": "macvlan", "master": "eth0"}, "master is eth0"),
        ({"type": "host-device", "device": "eth0"}, None),
    ],
)
def test_master_problem(plugin: dict[str, object], fragment: str | None) -> None:
    found = master_problem(plugin)
    assert (found is None) if fragment is None else (found is not None and fragment in found)
