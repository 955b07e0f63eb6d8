"""Table-driven tests of the VPC CNI chain checks in eks_net_lint.cni.chain (reference/vpc-cni.md § 3.3)."""
from __future__ import annotations

import pytest

from eks_net_lint.cni import chain

AWS = {"type": "aws-cni", "name": "aws-cni"}
EGRESS = {"type": "egress-cni"}
PORTMAP = {"type": "portmap", "capabilities": {"portMappings": True}, "snat": True}


def conf(*plugins: dict[str, object]) -> dict[str, object]:
    return {"cniVersion": "0.4.0", "name": "aws-cni", "plugins": list(plugins)}


@pytest.mark.parametrize(
    ("config", "egress", "paths", "fragment"),
    [
        (conf(AWS, EGRESS, PORTMAP), None, [], None),
        (conf(AWS, PORTMAP), None, [], None),
        (conf(AWS, EGRESS, PORTMAP), "ENABLE_IPv6 is true", [], None),
        (conf(AWS, PORTMAP), "ENABLE_IPv6 is true", [("plugins",)], "no egress plugin"),
        (conf(AWS, {"type": "egress-v4-cni"}, PORTMAP), "ENABLE_IPv6 is true", [], None),
        (conf(PORTMAP, AWS), None, [("plugins", 1, "type")], "not the first"),
        (conf(AWS, EGRESS), None, [("plugins",)], "no portmap"),
        (conf(AWS, {"type": "portmap", "snat": False}), None, [("plugins", 1, "snat")], "snat false"),
        (conf(AWS, PORTMAP, PORTMAP), None, [("plugins", 2, "type")], "listed twice"),
    ],
)
def test_chain_problems(config: dict[str, object], egress: str | None, paths: list[tuple[object, ...]], fragment: str | None) -> None:
    found = chain.chain_problems(config, egress_needed_because=egress)
    assert [p.path for p in found] == paths
    if fragment:
        assert fragment in found[0].message


def test_is_vpc_cni_chain() -> None:
    assert chain.is_vpc_cni_chain(conf(AWS, PORTMAP))
    assert not chain.is_vpc_cni_chain(conf({"type": "bridge"}))
    assert not chain.is_vpc_cni_chain({"type": "aws-cni"})  # a single plugin is not a chain
