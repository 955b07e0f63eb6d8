"""Table-driven tests of eks_net_lint.cni.spec (reference/multus-cni.md § 1a)."""
from __future__ import annotations

import pytest

from eks_net_lint.cni import spec


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("0.1.0", None),
        ("0.3.1", None),
        ("0.4.0", None),
        ("1.0.0", None),
        ("1.1.0", None),
        # § 1a.1: the exact-string comparison rejects these
        ("1.0", "not a CNI spec version"),
        ("v1.0.0", "not a CNI spec version"),
        ("0.3", "not a CNI spec version"),
        ("1.2.0", "not a CNI spec version"),
        (1.0, "is a number, not a string"),
        (True, "is a boolean, not a string"),
        (None, "is a null, not a string"),
        (["1.0.0"], "is a list, not a string"),
    ],
)
def test_cni_version_problem(value: object, problem: str | None) -> None:
    found = spec.cni_version_problem(value)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"cniVersion": "0.4.0"}, "0.4.0"),
        ({}, "0.1.0"),  # § 1a.1 DecodeVersion
        ({"cniVersion": ""}, "0.1.0"),
        ({"cniVersion": 1}, None),
    ],
)
def test_effective_version(config: dict[str, object], expected: str | None) -> None:
    assert spec.effective_version(config) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0.4.0", (0, 4, 0)), ("1.10.2", (1, 10, 2)), ("1.0", None), ("v1.0.0", None), (4, None), ("1.0.0-rc1", None)],
)
def test_version_tuple(text: object, expected: tuple[int, int, int] | None) -> None:
    assert spec.version_tuple(text) == expected


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("aws-cni", True),
        ("multus-cni-network", True),
        ("flannel.1", True),
        ("a", True),
        ("9net_x", True),
        ("-net", False),
        ("_net", False),
        ("net/1", False),
        ("my net", False),
        ("", False),
        (5, False),
    ],
)
def test_network_name_problem(name: object, ok: bool) -> None:
    assert (spec.network_name_problem(name) is None) is ok


@pytest.mark.parametrize(
    ("filename", "ext", "loaded"),
    [
        ("10-aws.conflist", ".conflist", True),
        ("00-multus.conf", ".conf", True),
        ("/etc/cni/net.d/05-custom.json", ".json", True),
        ("10-aws.conflist.bak", ".bak", False),  # § 1a.6: backups are ignored
        ("10-aws.conflist.old", ".old", False),
        ("README", "", False),
        ("example.conflist.jsonc", ".jsonc", False),
    ],
)
def test_extension(filename: str, ext: str, loaded: bool) -> None:
    assert spec.extension(filename) == ext
    assert spec.is_config_filename(filename) is loaded


LIST = {"cniVersion": "0.4.0", "name": "n", "plugins": [{"type": "bridge"}, {"type": "portmap"}]}


@pytest.mark.parametrize(
    ("config", "as_list", "paths", "fragment"),
    [
        (LIST, True, [], None),
        ({"name": "n"}, True, [()], "no 'plugins' key"),
        ({"name": "n", "plugins": []}, True, [("plugins",)], "empty list"),
        ({"name": "n", "plugins": {"type": "x"}}, True, [("plugins",)], "not a list"),
        ({"name": "n", "plugins": ["bridge"]}, True, [("plugins", 0)], "not an object"),
        ({"name": "n", "plugins": [{"type": "bridge"}, {"mtu": 1}]}, True, [("plugins", 1)], "has no 'type'"),
        ({"name": "n", "plugins": [{"type": ""}]}, True, [("plugins", 0, "type")], "empty 'type'"),
        ({"name": "n", "plugins": [{"type": "/opt/cni/bin/bridge"}]}, True, [("plugins", 0, "type")], "path separator"),
        ({"name": "n", "plugins": [{"type": "a\\b"}]}, True, [("plugins", 0, "type")], "path separator"),
        ({"type": "ptp", "ipam": {"type": "../host-local"}}, False, [("ipam", "type")], "path separator"),
        ({"type": 3}, False, [("type",)], "not a string"),
        ({"name": "n"}, False, [()], "has no 'type'"),
    ],
)
def test_structure_problems(
    config: dict[str, object], as_list: bool, paths: list[tuple[object, ...]], fragment: str | None
) -> None:
    found = spec.structure_problems(config, as_list=as_list)
    assert [p.path for p in found] == paths
    if fragment:
        assert fragment in found[0].message


@pytest.mark.parametrize(
    ("filename", "config", "path"),
    [
        ("00-x.conf", {"name": "n", "plugins": [{"type": "bridge"}]}, ("plugins",)),
        ("00-x.json", {"name": "n", "plugins": [{"type": "bridge"}]}, ("plugins",)),
        ("00-x.conflist", {"name": "n", "type": "bridge"}, ("type",)),
        ("00-x.conf", {"name": "n", "type": "bridge"}, None),
        ("00-x.conflist", {"name": "n", "plugins": []}, None),
        # both keys: containerd runs the single plugin, libcni the list — either way it loads
        ("00-x.conf", {"type": "multus", "plugins": [{"type": "x"}]}, None),
    ],
)
def test_extension_problem(filename: str, config: dict[str, object], path: tuple[str, ...] | None) -> None:
    found = spec.extension_problem(filename, config)
    assert (found.path if found else None) == path


@pytest.mark.parametrize(
    ("names", "multus", "expected"),
    [
        (["10-aws.conflist"], [], None),
        (["10-aws.conflist", "10-aws.conflist.bak"], [], None),
        # the issue's example: a stray file sorts before the VPC CNI list
        (["10-aws.conflist", "05-custom.conf"], [], ("05-custom.conf", "10-aws.conflist", "05-custom.conf")),
        (["00-multus.conf", "10-aws.conflist"], ["00-multus.conf"], None),
        # § 1a.7: a Multus file sorting after 10-aws.conflist is never used: rename it
        (["10-aws.conflist", "70-multus.conf"], ["70-multus.conf"], ("10-aws.conflist", "70-multus.conf", "70-multus.conf")),
        (["00-multus.conf", "00-aaa.conf", "10-aws.conflist"], ["00-multus.conf"], ("00-aaa.conf", "00-multus.conf", "00-aaa.conf")),
        # byte-wise order: upper case sorts before lower case, digits before both
        (["10-aws.conflist", "Z.conf"], [], None),
        (["10-aws.conflist", "09-Z.conf"], [], ("09-Z.conf", "10-aws.conflist", "09-Z.conf")),
        (["a.conf", "b.conf"], [], None),  # not a node CNI dir
        (["00-multus.conflist", "10-aws.conflist", "99-x.json"], ["00-multus.conflist"], None),
    ],
)
def test_conf_dir_order(names: list[str], multus: list[str], expected: tuple[str, str, str] | None) -> None:
    found = spec.conf_dir_order_problem(names, multus)
    assert ((found.first, found.expected, found.report_on) if found else None) == expected


def test_load_order_is_bytewise() -> None:
    assert spec.load_order(["b.conf", "B.conf", "1.json", "a.txt", "a.conflist"]) == ["1.json", "B.conf", "a.conflist", "b.conf"]


@pytest.mark.parametrize(
    ("config", "as_list", "types"),
    [
        (LIST, True, ("bridge", "portmap")),
        ({"type": "ptp"}, False, ("ptp",)),
        ({"plugins": [{"type": 1}, {"type": "x"}, "y"]}, True, ("x",)),
        ({"type": "multus", "plugins": [{"type": "x"}]}, False, ("multus",)),
    ],
)
def test_plugin_types(config: dict[str, object], as_list: bool, types: tuple[str, ...]) -> None:
    assert spec.plugin_types(config, as_list=as_list) == types


def test_is_plugin_list_follows_multus() -> None:
    assert spec.is_plugin_list({"plugins": []})
    assert not spec.is_plugin_list({"type": "x", "plugins": []})  # § 1b.3: type wins
    assert not spec.is_plugin_list({"name": "n"})
