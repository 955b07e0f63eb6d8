"""Tests for the ClusterConfig schema generator and the committed schemas/clusterconfig.schema.json."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from eks_net_lint.tools import gen_clusterconfig_schema as gen

from conftest import REPO, SHARED

COMMITTED = REPO / "schemas" / "clusterconfig.schema.json"


def committed() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(COMMITTED.read_text(encoding="utf-8"))
    return data


def validator() -> Any:
    import jsonschema

    return jsonschema.Draft7Validator(committed())


def test_committed_schema_is_current(upstream: Path) -> None:
    assert COMMITTED.read_text(encoding="utf-8") == gen.generate(SHARED), (
        "schemas/clusterconfig.schema.json is stale: run python -m eks_net_lint.tools.gen_clusterconfig_schema"
    )


def test_committed_schema_is_canonical_and_valid() -> None:
    import jsonschema

    text = COMMITTED.read_text(encoding="utf-8")
    data = json.loads(text)
    assert text == json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert data["_source"]["inputs"][0]["upstream"].startswith("eksctl-io/eksctl:")
    assert re.fullmatch(r"[0-9a-f]{64}", data["_source"]["inputs"][0]["sha256"])
    jsonschema.Draft7Validator.check_schema(data)


def test_case_insensitive_pattern() -> None:
    pat = re.compile(gen.case_insensitive_pattern(["IPv4", "IPv6"], allow_empty=True))
    for ok in ("IPv4", "ipv6", "iPv6", "IPV4", ""):
        assert pat.search(ok), ok
    for bad in ("IPv5", "ipv4 ", "xIPv4", "IPv"):
        assert not pat.search(bad), bad
    dotted = re.compile(gen.case_insensitive_pattern(["a.b"]))
    assert dotted.search("A.b") and not dotted.search("axb") and not dotted.search("")


def test_strip_annotations_keeps_property_names() -> None:
    node = {"type": "object", "description": "d", "default": "{}", "preferredOrder": ["default"],
            "properties": {"default": {"type": "string", "x-intellij-html-description": "h"}}}
    assert gen.strip_annotations(node) == {"type": "object", "properties": {"default": {"type": "string"}}}


def test_transform_on_a_small_schema() -> None:
    published = {
        "definitions": {
            "KubernetesNetworkConfig": {"properties": {"ipFamily": {"type": "string", "enum": ["IPv4", "IPv6"]}}},
            "NodeGroup": {"properties": {"amiFamily": {"type": "string", "enum": ["Bottlerocket"], "default": "x"}}},
            "ManagedNodeGroup": {"properties": {"amiFamily": {"type": "string", "enum": ["Bottlerocket"]}}},
            "RemoteNetworkConfig": {"required": ["vpcGatewayID", "remoteNodeNetworks"]},
            "taintsWrapper": {"type": "array"},
            "ClusterVPC": {"properties": {"hostnameType": {"type": "string", "description": "d"}}},
        }
    }
    out = gen.transform(published)
    defs = out["definitions"]
    assert defs["KubernetesNetworkConfig"]["properties"]["ipFamily"]["x-enum-ci"] == ["IPv4", "IPv6"]
    assert "enum" not in defs["NodeGroup"]["properties"]["amiFamily"]
    assert "default" not in defs["NodeGroup"]["properties"]["amiFamily"]
    assert defs["RemoteNetworkConfig"]["required"] == ["remoteNodeNetworks"]
    assert [b["type"] for b in defs["taintsWrapper"]["anyOf"]] == ["array", "object"]
    assert defs["ClusterVPC"]["properties"]["hostnameType"]["enum"] == ["", "ip-name", "resource-name"]
    assert published["definitions"]["RemoteNetworkConfig"]["required"] == ["vpcGatewayID", "remoteNodeNetworks"]


def test_upstream_identity_parses_sources_table() -> None:
    text = (
        "| eksctl-io/eksctl | " + "a" * 40 + " | 2026-08-21 | Apache-2.0 |\n"
        "| `clusterconfig.schema.json` | `eksctl-io/eksctl:pkg/x/schema.json@" + "a" * 40 + "` | b | c | d |\n"
    )
    assert gen.upstream_identity(text) == ("eksctl-io/eksctl:pkg/x/schema.json@" + "a" * 40, "2026-08-21")


def _doc(**overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "apiVersion": "eksctl.io/v1alpha5",
        "kind": "ClusterConfig",
        "metadata": {"name": "c", "region": "us-west-2", "version": "1.31"},
    }
    doc.update(overrides)
    return doc


@pytest.mark.parametrize(
    "doc",
    [
        _doc(kubernetesNetworkConfig={"ipFamily": "ipv6"}),  # eksctl: case-insensitive (K3)
        _doc(kubernetesNetworkConfig={"ipFamily": ""}),
        _doc(managedNodeGroups=[{"name": "a", "amiFamily": "bottlerocket"}]),
        _doc(nodeGroups=[{"name": "a", "taints": {"dedicated": "x:NoSchedule"}}]),  # map-form taints
        _doc(nodeGroups=[{"name": "a", "taints": [{"key": "k", "value": "v", "effect": "NoSchedule"}]}]),
        _doc(remoteNetworkConfig={"remoteNodeNetworks": [{"cidrs": ["10.80.0.0/16"]}]}),
        _doc(vpc={"hostnameType": "resource-name"}),
    ],
)
def test_relaxations_accept_what_eksctl_accepts(doc: dict[str, Any]) -> None:
    assert list(validator().iter_errors(doc)) == []


@pytest.mark.parametrize(
    ("doc", "path"),
    [
        (_doc(availabilityZone=["us-west-2a"]), []),  # unknown key (L1)
        (_doc(metadata={"name": "c", "region": "us-west-2", "version": 1.22}), ["metadata", "version"]),  # L3
        (_doc(kubernetesNetworkConfig={"ipFamily": "IPv5"}), ["kubernetesNetworkConfig", "ipFamily"]),
        (_doc(vpc={"hostnameType": "dns-name"}), ["vpc", "hostnameType"]),  # V9
        (_doc(vpc={"nat": {"gateway": "Double"}}), ["vpc", "nat", "gateway"]),
        (_doc(managedNodeGroups=[{"name": "a", "taints": {"k": "v:NoSchedule"}}]), ["managedNodeGroups", 0, "taints"]),
        (_doc(managedNodeGroups=[{"name": "a", "kubeletExtraConfig": {}}]), ["managedNodeGroups", 0]),  # M12
    ],
)
def test_schema_still_rejects(doc: dict[str, Any], path: list[object]) -> None:
    errors = list(validator().iter_errors(doc))
    assert errors, doc
    assert any(list(e.absolute_path) == path for e in errors), [list(e.absolute_path) for e in errors]


def test_upstream_examples_validate(upstream: Path) -> None:
    v = validator()
    failures: dict[str, list[str]] = {}
    for path in sorted((upstream / "eksctl").glob("*/*.yaml")):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            errs = [f"{list(e.absolute_path)}: {e.message}" for e in v.iter_errors(doc)]
            if errs:
                failures[path.name] = errs
    # reference/eksctl.md § 8: only the region-less test-data template fails (L4); 43-hybrid-nodes
    # fails the published schema but passes eksctl, and so passes ours.
    assert failures == {"integration_crud_taints-max-pods.yaml": ["['metadata']: 'region' is a required property"]}
