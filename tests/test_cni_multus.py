"""Table-driven tests of eks_net_lint.cni.multus (reference/multus-cni.md § 1a.1, § 1b)."""
from __future__ import annotations

import pytest

from eks_net_lint.cni import multus

ECR = "602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/multus-cni"


@pytest.mark.parametrize(
    ("image", "version", "limit"),
    [
        (f"{ECR}:v3.7.2-eksbuild.2", (3, 7, 2), "0.4.0"),
        (f"{ECR}:v3.9.2-eksbuild.1", (3, 9, 2), "0.4.0"),
        (f"{ECR}:v4.0.2-eksbuild.1", (4, 0, 2), "1.0.0"),
        (f"{ECR}:v4.1.4-eksbuild.3_thick", (4, 1, 4), "1.1.0"),
        ("ghcr.io/k8snetworkplumbingwg/multus-cni:v4.2", (4, 2, 0), "1.1.0"),
        ("ghcr.io/k8snetworkplumbingwg/multus-cni:snapshot-thick", None, None),
        ("ghcr.io/k8snetworkplumbingwg/multus-cni:latest", None, None),
        ("localhost:5000/multus-cni", None, None),  # a registry port is not a tag
        (f"{ECR}@sha256:abcd", None, None),
        ("multus:v2.0.0", (2, 0, 0), None),  # not covered by the reference
        (None, None, None),
    ],
)
def test_image_version(image: object, version: tuple[int, int, int] | None, limit: str | None) -> None:
    assert multus.image_version(image) == version
    assert multus.max_cni_version(version) == limit


def test_image_kind() -> None:
    assert multus.is_multus_image(f"{ECR}:v3.7.2-eksbuild.2")
    assert not multus.is_multus_image("602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.19.0")
    assert multus.is_thick_image(f"{ECR}:v4.1.4-eksbuild.3_thick")
    assert not multus.is_thick_image(f"{ECR}:v3.7.2-eksbuild.2")


@pytest.mark.parametrize(
    ("version", "limit", "result"),
    [("1.0.0", "0.4.0", True), ("0.4.0", "0.4.0", False), ("0.3.1", "0.4.0", False), ("1.0", "0.4.0", False)],
)
def test_above(version: str, limit: str, result: bool) -> None:
    assert multus.above(version, limit) is result


THIN = {"cniVersion": "0.3.1", "name": "multus-cni-network", "type": "multus", "delegates": [{"type": "flannel"}]}
DAEMON = {"cniVersion": "0.3.1", "multusConfigFile": "auto", "multusMasterCNI": "10-aws.conflist", "cniConfigDir": "/host/etc/cni/net.d"}


@pytest.mark.parametrize(
    ("config", "filename", "is_multus", "flavour"),
    [
        (THIN, None, True, "thin"),
        ({"type": "multus-shim", "clusterNetwork": "/host/etc/cni/net.d/10-aws.conflist"}, None, True, "thick"),
        (DAEMON, "daemon-config.json", False, "daemon"),
        ({"type": "bridge"}, "00-multus.conf", True, None),  # a Multus file name with another type
        ({"type": "bridge"}, "10-bridge.conf", False, None),
    ],
)
def test_recognition(config: dict[str, object], filename: str | None, is_multus: bool, flavour: str | None) -> None:
    assert multus.is_multus_config(config, filename) is is_multus
    assert multus.flavour(config) == flavour


@pytest.mark.parametrize(
    ("config", "paths", "fragment"),
    [
        (THIN, [], None),
        ({"type": "multus", "clusterNetwork": "aws-cni"}, [], None),
        ({"type": "multus", "name": "m"}, [()], "neither delegates nor clusterNetwork"),
        ({"type": "multus", "delegates": []}, [("delegates",)], "neither delegates nor clusterNetwork"),
        ({"type": "multus", "delegates": {"type": "x"}}, [("delegates",)], "not a list"),
        ({"type": "bridge", "delegates": [{"type": "x"}]}, [("type",)], "is not multus or multus-shim"),
    ],
)
def test_config_problems(config: dict[str, object], paths: list[tuple[str, ...]], fragment: str | None) -> None:
    found = multus.config_problems(config)
    assert [p.path for p in found] == paths
    if fragment:
        assert fragment in found[0].message


def test_master() -> None:
    assert multus.master_delegate(THIN) == (("delegates", 0), {"type": "flannel"})
    with_cluster = {**THIN, "clusterNetwork": "/etc/cni/net.d/99-flannel.conf"}
    assert multus.master_delegate(with_cluster) is None  # § 1b.3: delegates are ignored
    assert multus.cluster_network_file(with_cluster) == "99-flannel.conf"
    assert multus.cluster_network_file(DAEMON) == "10-aws.conflist"
    assert multus.cluster_network_file({"clusterNetwork": "aws-cni"}) is None  # a NAD or network name


@pytest.mark.parametrize(
    ("top", "master", "fragment"),
    [
        ("0.3.1", "0.4.0", None),  # EKS v4 thick daemon over 10-aws.conflist: compatible
        ("0.4.0", "0.4.0", None),
        ("1.0.0", "0.4.0", None),
        ("0.4.0", "0.3.1", "below 0.4.0"),
        ("1.0.0", None, "has none"),
        ("0.3.1", None, None),
        (None, "0.3.1", None),
    ],
)
def test_version_compat(top: object, master: object, fragment: str | None) -> None:
    found = multus.version_compat_problem(top, master, "10-aws.conflist")
    assert (found is None) if fragment is None else (found is not None and fragment in found)


def test_thin_arg_problem() -> None:
    assert multus.thin_arg_problem("0.4.0", "0.4.0", "10-aws.conflist") is None
    assert "differs" in (multus.thin_arg_problem("0.3.1", "0.4.0", "10-aws.conflist") or "")
    assert "no cniVersion" in (multus.thin_arg_problem("0.3.1", None, "10-aws.conflist") or "")


def test_parse_args() -> None:
    args = ["--multus-conf-file=auto", "--cni-version", "0.4.0", "--multus-master-cni-file-name=10-aws.conflist", 7]
    assert multus.parse_args(args) == {
        "multus-conf-file": (0, "auto"),
        "cni-version": (2, "0.4.0"),
        "multus-master-cni-file-name": (3, "10-aws.conflist"),
    }


def _template(value: object) -> bool:
    return isinstance(value, str) and value.startswith("__") and value.endswith("__")


def test_drift() -> None:
    real = {
        "cniVersion": "0.4.0",
        "name": "aws-cni",
        "plugins": [
            {"name": "aws-cni", "type": "aws-cni", "mtu": "__MTU__", "capabilities": {"io.kubernetes.cri.pod-annotations": True}},
            {"type": "portmap", "capabilities": {"portMappings": True}, "snat": True},
        ],
    }
    copy = {
        "cniVersion": "0.3.1",
        "name": "aws-cni",
        "plugins": [
            {"name": "aws-cni", "type": "aws-cni", "mtu": "9001"},
            {"type": "portmap", "capabilities": {"portMappings": True}, "snat": True},
        ],
    }
    found = multus.drift(copy, real, _template)
    assert [path for path, _ in found] == [("cniVersion",), ("plugins", 0)]
    assert found[1][1].startswith("aws-cni capabilities absent vs")
    assert multus.drift(real, real, _template) == []
    shorter = {**copy, "cniVersion": "0.4.0", "plugins": copy["plugins"][:1]}
    assert [d for _, d in multus.drift(shorter, real, _template)] == ["plugins aws-cni vs aws-cni, portmap"]
