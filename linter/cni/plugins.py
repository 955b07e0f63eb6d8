"""Field rules of the plugins NADs on EKS carry (ipvlan, macvlan, host-device, sriov), as pure checks.

Facts: reference/multus-cni.md § 1d.1 (ipvlan), § 1d.2 (macvlan), § 1d.3 (host-device),
§ 1d.4 (sriov), § 1d.7 (static IPAM without addresses), § 1c.2 (``resourceName`` injects
``deviceID``) and § 1e pitfall 5 (``master`` on an EKS node).
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping

from .annotation import parse_mac
from .spec import JsonPath, Problem, show

IPVLAN_MODES = ("", "l2", "l3", "l3s")  # § 1d.1, case-sensitive
MACVLAN_MODES = ("", "bridge", "private", "vepa", "passthru")  # § 1d.2
HOST_DEVICE_KEYS = ("device", "hwaddr", "kernelpath", "pciBusID")  # § 1d.3 ``loadConf``
SRIOV_VLAN_PROTOS = ("802.1q", "802.1ad")  # § 1d.4, case-insensitive
SRIOV_LINK_STATES = ("auto", "enable", "disable")
SRIOV_ON_OFF = ("on", "off")
MASTER_PLUGINS = ("ipvlan", "macvlan")
PRIMARY_INTERFACE = "eth0"  # § 1e pitfall 5: the primary ENI the VPC CNI manages
IFNAME_MAX = 15  # IFNAMSIZ - 1


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _capability(plugin: Mapping[str, object], name: str) -> bool:
    caps = plugin.get("capabilities")
    return isinstance(caps, Mapping) and caps.get(name) is True


def plugin_problems(
    plugin: Mapping[str, object], path: JsonPath, *, first_in_chain: bool, resource_name: bool
) -> list[Problem]:
    """NAD008: fields of one plugin object that the plugin itself rejects at ADD.

    ``first_in_chain`` is False for a plugin chained after another (ipvlan may then take the
    previous result's IPs); ``resource_name`` is True when the NAD carries
    ``k8s.v1.cni.cncf.io/resourceName`` (Multus then injects ``deviceID``).
    """
    kind = plugin.get("type")
    if kind == "ipvlan":
        return list(_ipvlan(plugin, path, first_in_chain))
    if kind == "macvlan":
        return list(_macvlan(plugin, path))
    if kind == "host-device":
        return list(_host_device(plugin, path, resource_name))
    if kind == "sriov":
        return list(_sriov(plugin, path, resource_name))
    return []


def _mtu(plugin: Mapping[str, object], path: JsonPath, *, non_negative: bool) -> Iterator[Problem]:
    if "mtu" not in plugin or plugin["mtu"] is None:
        return
    mtu = plugin["mtu"]
    if not _is_int(mtu):
        yield Problem((*path, "mtu"), f"{plugin.get('type')} mtu {show(mtu)} is not an integer")
    elif non_negative and isinstance(mtu, int) and mtu < 0:
        yield Problem((*path, "mtu"), f"{plugin.get('type')} mtu {mtu} is negative")


def _mode(plugin: Mapping[str, object], path: JsonPath, allowed: tuple[str, ...]) -> Iterator[Problem]:
    if "mode" not in plugin or plugin["mode"] is None:
        return
    mode = plugin["mode"]
    if not isinstance(mode, str) or mode not in allowed:
        names = ", ".join(m for m in allowed if m)
        yield Problem((*path, "mode"), f"{plugin.get('type')} mode {show(mode)} is not one of {names}")


def _static_without_addresses(plugin: Mapping[str, object], path: JsonPath) -> Iterator[Problem]:
    ipam = plugin.get("ipam")
    if not isinstance(ipam, Mapping) or ipam.get("type") != "static":
        return
    addresses = ipam.get("addresses")
    if (not isinstance(addresses, list) or not addresses) and not _capability(plugin, "ips"):
        yield Problem(
            (*path, "ipam"),
            f"{plugin.get('type')} uses static ipam without addresses and without the ips capability",
        )


def _ipvlan(plugin: Mapping[str, object], path: JsonPath, first_in_chain: bool) -> Iterator[Problem]:
    yield from _mode(plugin, path, IPVLAN_MODES)
    yield from _mtu(plugin, path, non_negative=False)
    if first_in_chain and not isinstance(plugin.get("ipam"), Mapping):
        yield Problem(path, "ipvlan has no ipam and is not chained after a plugin that assigns addresses")
    yield from _static_without_addresses(plugin, path)


def _macvlan(plugin: Mapping[str, object], path: JsonPath) -> Iterator[Problem]:
    yield from _mode(plugin, path, MACVLAN_MODES)
    yield from _mtu(plugin, path, non_negative=True)
    mac = plugin.get("mac")
    if mac not in (None, "") and (not isinstance(mac, str) or parse_mac(mac) is None):
        yield Problem((*path, "mac"), f"macvlan mac {show(mac)} is not a MAC address")
    yield from _static_without_addresses(plugin, path)


def _host_device(plugin: Mapping[str, object], path: JsonPath, resource_name: bool) -> Iterator[Problem]:
    named = any(isinstance(plugin.get(k), str) and plugin.get(k) for k in HOST_DEVICE_KEYS)
    if not named and not resource_name and not _capability(plugin, "deviceID") and not plugin.get("deviceID"):
        yield Problem(path, "host-device names no device (device, hwaddr, kernelpath or pciBusID)")


def _sriov(plugin: Mapping[str, object], path: JsonPath, resource_name: bool) -> Iterator[Problem]:
    if not plugin.get("deviceID") and not resource_name:
        yield Problem(path, "sriov has no deviceID and the NAD has no k8s.v1.cni.cncf.io/resourceName annotation")
    vlan = plugin.get("vlan")
    if vlan is not None and (not _is_int(vlan) or not 0 <= vlan <= 4094):  # type: ignore[operator]
        yield Problem((*path, "vlan"), f"sriov vlan {show(vlan)} is not an integer from 0 to 4094")
    vlan_set = _is_int(vlan) and vlan != 0
    qos = plugin.get("vlanQoS")
    if qos is not None:
        if not _is_int(qos) or not 0 <= qos <= 7:  # type: ignore[operator]
            yield Problem((*path, "vlanQoS"), f"sriov vlanQoS {show(qos)} is not an integer from 0 to 7")
        elif qos != 0 and not vlan_set:
            yield Problem((*path, "vlanQoS"), f"sriov vlanQoS {qos} needs a non-zero vlan")
    proto = plugin.get("vlanProto")
    if proto is not None:
        if not isinstance(proto, str) or proto.lower() not in SRIOV_VLAN_PROTOS:
            yield Problem((*path, "vlanProto"), f"sriov vlanProto {show(proto)} is not 802.1q or 802.1ad")
        elif proto.lower() == "802.1ad" and not vlan_set:
            yield Problem((*path, "vlanProto"), "sriov vlanProto 802.1ad needs a non-zero vlan")
    state = plugin.get("link_state")
    if state is not None and state not in SRIOV_LINK_STATES:
        yield Problem((*path, "link_state"), f"sriov link_state {show(state)} is not one of auto, enable, disable")
    for key in ("spoofchk", "trust"):
        value = plugin.get(key)
        if value is not None and value not in SRIOV_ON_OFF:
            yield Problem((*path, key), f"sriov {key} {show(value)} is not on or off")
    low, high = plugin.get("min_tx_rate"), plugin.get("max_tx_rate")
    if _is_int(low) and _is_int(high) and low > high:  # type: ignore[operator]
        yield Problem((*path, "min_tx_rate"), f"sriov min_tx_rate {low} is above max_tx_rate {high}")


def master_problem(plugin: Mapping[str, object]) -> str | None:
    """NAD009: why an ipvlan/macvlan ``master`` lands on the VPC CNI's primary ENI, or None.

    An absent or empty master means "the default-route interface", on EKS the primary ENI,
    exactly as ``eth0`` does (§ 1d.1, § 1d.2, § 1e pitfall 5).
    """
    if plugin.get("type") not in MASTER_PLUGINS:
        return None
    master = plugin.get("master")
    if "master" not in plugin or master is None:
        return f"{plugin.get('type')} has no master, so it attaches to the default-route interface (eth0)"
    if master == "":
        return f"{plugin.get('type')} master is empty, so it attaches to the default-route interface (eth0)"
    if master == PRIMARY_INTERFACE:
        return f"{plugin.get('type')} master is {PRIMARY_INTERFACE}, the primary ENI the VPC CNI manages"
    return None
