"""Tests of the VPC CNI data generator: its pure functions, and that the shipped files are current."""
from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest
import yaml

from eks_net_lint.cni_version import (
    CniVersion,
    addon_schema,
    chart_release,
    managed_fields,
    newest_addon_schema,
    newest_release,
    shipped_release,
)
from eks_net_lint.tools import gen_vpc_cni_data as gen

from conftest import SHARED

DAEMONSET = """
kind: DaemonSet
apiVersion: apps/v1
metadata: {name: aws-node, namespace: kube-system, labels: {k8s-app: aws-node}}
spec:
  template:
    spec:
      serviceAccountName: aws-node
      initContainers:
      - name: aws-vpc-cni-init
        image: 602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni-init:v1.2.3
        env: [{name: ENABLE_IPv6, value: "false"}]
      containers:
      - name: aws-node
        image: 602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.2.3
        env:
        - {name: WARM_ENI_TARGET, value: "1"}
        - name: MY_NODE_NAME
          valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
        livenessProbe: {timeoutSeconds: 10}
---
kind: ServiceAccount
apiVersion: v1
metadata: {name: aws-node}
"""


def test_resolve_named_list_items() -> None:
    doc = yaml.safe_load(DAEMONSET.split("---")[0])
    assert gen.resolve(doc, "spec.template.spec.containers[aws-node].livenessProbe.timeoutSeconds") == 10
    assert gen.resolve(doc, "spec.template.spec.containers[missing].image") is None
    assert gen.resolve(doc, "metadata.labels") == {"k8s-app": "aws-node"}
    assert gen.resolve(doc, "spec.template.spec.serviceAccountName.x") is None
    assert gen.resolve(doc, "bad step!") is None


def test_read_manifest() -> None:
    entry = gen.read_manifest(DAEMONSET, "x.yaml")
    assert entry["env"] == {"aws-node": {"WARM_ENI_TARGET": "1"}, "aws-vpc-cni-init": {"ENABLE_IPv6": "false"}}
    assert entry["value_from"] == {"aws-node": {"MY_NODE_NAME": "spec.nodeName"}}
    assert entry["images"]["aws-node"].endswith("amazon-k8s-cni:v1.2.3")
    assert entry["fields"]["spec.template.spec.serviceAccountName"] == "aws-node"
    assert "spec.template.spec.volumes" not in entry["fields"]  # absent fields are left out
    with pytest.raises(gen.InputError):
        gen.read_manifest("kind: ServiceAccount\n", "y.yaml")


def test_helm_quote_and_entry() -> None:
    assert [gen.helm_quote(v) for v in (True, False, 5, "DEBUG", None)] == ["true", "false", "5", "DEBUG", None]
    entry = gen.helm_entry({
        "env": {"WARM_IP_TARGET": 5, "ENABLE_IPv6": False, "DROPPED": None},
        "init": {"env": {"DISABLE_TCP_EARLY_DEMUX": True}, "image": {"tag": "v1.0.0", "pullPolicy": "Always"}},
        "image": {"tag": "v1.0.0", "account": "602401143452"},
        "livenessProbeTimeoutSeconds": 10,
        "enableNetworkPolicy": True,
    })
    assert entry["env"] == {"WARM_IP_TARGET": "5", "ENABLE_IPv6": "false"}
    assert entry["init_env"] == {"DISABLE_TCP_EARLY_DEMUX": "true"}
    assert entry["images"]["aws-vpc-cni-init"] == {"tag": "v1.0.0"}
    assert entry["probes"]["livenessProbe"] == {"command": None, "timeoutSeconds": 10}
    assert entry["enableNetworkPolicy"] == "true"
    assert "node_agent" not in entry and entry["keys"][0] == "enableNetworkPolicy"


def test_schema_entry() -> None:
    schema = {"definitions": {
        "VpcCni": {"properties": {"env": {}, "resources": {}}},
        "Env": {"properties": {"WARM_IP_TARGET": {"type": "string", "format": "integer"}, "CLUSTER_ENDPOINT": {"type": "string"}}},
    }}
    entry = gen.schema_entry(schema)
    assert entry == {"top_level": ["env", "resources"], "env": {"WARM_IP_TARGET": "integer", "CLUSTER_ENDPOINT": "string"},
                     "init_env": {}, "node_agent": {}}


def test_recorded_sources_and_hash_check() -> None:
    sha = gen.sha256(DAEMONSET.encode())
    md = (
        "| file | upstream | last change | sha256 | notes |\n|---|---|---|---|---|\n"
        f"| `manifests/a_v1.2.3.yaml` | `org/repo:path@abc` | abc | {sha} | note |\n"
        f"| `addon-schema/s.json` | `org/cli:doc.rst@def` (Example 1) | {'0' * 64} | note |\n"
    )
    rows = gen.recorded_sources(md)
    assert rows["manifests/a_v1.2.3.yaml"] == ("org/repo:path@abc", sha)
    assert rows["addon-schema/s.json"] == ("org/cli:doc.rst@def (Example 1)", "0" * 64)
    with pytest.raises(gen.InputError, match="differs from SOURCES.md"):
        gen.build({"manifests/a_v1.2.3.yaml": DAEMONSET.encode() + b"\n"}, md)


def test_version_of_file_names() -> None:
    assert gen._version_of("addon-schema/vpc-cni_v1.15.1-eksbuild.1_configuration-schema.json") == "v1.15.1-eksbuild.1"
    with pytest.raises(gen.InputError):
        gen._version_of("addon-schema/schema.json")


def _data_dir() -> Path:
    return Path(str(resources.files("eks_net_lint.data")))


def test_shipped_files_are_current(upstream: Path) -> None:
    """Regenerating from ../shared gives exactly the committed files (run the generator if not)."""
    outputs = gen.generate(SHARED)
    assert set(outputs) == {gen.MANAGED_FILE, "vpc_cni_addon_schema_v1.12.0-eksbuild.1.json",
                            "vpc_cni_addon_schema_v1.15.1-eksbuild.1.json"}
    for name, text in outputs.items():
        committed = (_data_dir() / name).read_text(encoding="utf-8")
        assert committed == text, f"linter/data/{name} is stale: run {gen.GENERATOR}"


def test_schemas_are_the_upstream_schemas(upstream: Path) -> None:
    for path in sorted((upstream / "vpc-cni" / "addon-schema").glob("*.json")):
        version = gen._version_of(path.name)
        bundled = addon_schema(version)
        assert bundled is not None
        assert json.loads(json.dumps(bundled.schema, default=dict)) == json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["vpc_cni_managed.json", "vpc_cni_addon_schema_v1.12.0-eksbuild.1.json",
                                  "vpc_cni_addon_schema_v1.15.1-eksbuild.1.json", "cni_settings.json",
                                  "cni_registries.json"])
def test_data_files_are_canonical(name: str) -> None:
    text = (_data_dir() / name).read_text(encoding="utf-8")
    data = json.loads(text)
    assert text == json.dumps(data, sort_keys=True, indent=2) + "\n"
    assert text.isascii() and "_source" in data


def test_release_lookups() -> None:
    current = newest_release()
    assert current.version == CniVersion(1, 23, 1)
    assert current.env()["WARM_PREFIX_TARGET"] == "1"
    assert current.data["value_from"]["aws-node"]["MY_NODE_NAME"] == "spec.nodeName"
    stand_in = shipped_release(CniVersion(1, 19, 0))
    assert stand_in is not None and stand_in.version == CniVersion(1, 18, 6) and not stand_in.exact
    assert shipped_release(CniVersion(1, 6, 0)) is None and shipped_release(None) is None
    old = shipped_release(CniVersion(1, 7, 10))
    assert old is not None and "ENABLE_IPv4" not in old.env() and old.env("aws-vpc-cni-init") == {"DISABLE_TCP_EARLY_DEMUX": "false"}
    chart = chart_release(CniVersion(1, 22, 4))
    assert chart is not None and chart.exact and chart.env()["VPC_CNI_VERSION"] == "v1.22.4"
    assert chart.data["probes"]["livenessProbe"]["command"][1] == "-addr=:50051"
    assert chart_release(CniVersion(1, 11, 9)) is not None and chart_release(CniVersion(1, 10, 0)) is None


def test_addon_schema_lookups() -> None:
    old = addon_schema("v1.12.0-eksbuild.1")
    assert old is not None and "WARM_IP_TARGET" not in old.env and "AWS_VPC_K8S_CNI_CONFIGURE_RPFILTER" in old.env
    assert len(old.env) == 19 and old.top_level == ("cri", "env", "resources")
    new = newest_addon_schema()
    assert new.version == "v1.15.1-eksbuild.1" and len(new.env) == 37
    assert new.env["WARM_IP_TARGET"] == "integer" and new.env["ENABLE_POD_ENI"] == "boolean"
    assert set(new.init_env) == {"DISABLE_TCP_EARLY_DEMUX", "ENABLE_V6_EGRESS"}
    assert addon_schema("1.15.1-eksbuild.1") == new and addon_schema("v1.19.2-eksbuild.1") is None


def test_managed_fields() -> None:
    managed = managed_fields()
    assert "spec.template.spec.serviceAccountName" in managed.certain
    assert "spec.template.spec.containers[aws-node].livenessProbe" in managed.possible
    assert not set(managed.certain) & set(managed.possible)
    assert managed.env_unmanaged == {"WARM_ENI_TARGET", "WARM_IP_TARGET", "MINIMUM_IP_TARGET"}
    assert managed.targets["env.*"] == "spec.template.spec.containers[aws-node].env[*]"
    fields = newest_release().data["fields"]
    assert fields["spec.template.spec.containers[aws-node].image"].endswith("amazon-k8s-cni:v1.23.1")
    assert fields["spec.template.spec.containers[aws-node].livenessProbe"]["timeoutSeconds"] == 10
