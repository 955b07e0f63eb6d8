"""How documents become CNI config, Multus, ConfigMap, DaemonSet and NAD views (eks_net_lint.cni.views)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from eks_net_lint.classify import classify
from eks_net_lint.cni.views import (
    CniConfigFile,
    CniConfigMap,
    CniDaemonSet,
    MultusDaemonConfig,
    NetworkAttachment,
    looks_like_cni_json,
    pod_metadata,
    replicas,
)
from eks_net_lint.load import Limits, read_source
from eks_net_lint.views import Workload


def views_of(tmp_path: Path, name: str, text: str) -> list[object]:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    source = read_source(name, path, Limits())
    return list(classify(source)[0])


@pytest.mark.parametrize(
    ("name", "content", "kind", "strong"),
    [
        ("10-aws.conflist", {"cniVersion": "0.4.0", "name": "aws-cni", "plugins": []}, CniConfigFile, True),
        ("20-br.conf", {"name": "br", "type": "bridge"}, CniConfigFile, True),  # no keyword: still read (.conf)
        ("05-x.json", {"cniVersion": "0.4.0", "name": "x", "type": "bridge"}, CniConfigFile, True),
        ("05-x.json", {"name": "x", "type": "bridge"}, None, None),  # no CNI keyword in a .json: the pre-filter skips it
        ("schema.json", {"$schema": "x", "type": "object", "cniVersion": "0.4.0"}, CniConfigFile, True),
        ("daemon-config.json", {"cniVersion": "0.3.1", "multusMasterCNI": "10-aws.conflist"}, MultusDaemonConfig, None),
        ("subnets.json", {"Subnets": []}, None, None),
    ],
)
def test_json_files(tmp_path: Path, name: str, content: dict[str, object], kind: type | None, strong: bool | None) -> None:
    found = views_of(tmp_path, name, json.dumps(content))
    if kind is None:
        assert not any(isinstance(v, (CniConfigFile, MultusDaemonConfig)) for v in found)
        return
    (view,) = found
    assert isinstance(view, kind)
    if strong is not None:
        assert isinstance(view, CniConfigFile) and view.strong is strong


def test_weak_json_in_a_cni_dir(tmp_path: Path) -> None:
    text = json.dumps({"name": "multus", "type": "multus", "delegates": []})  # "multus" passes the pre-filter
    (view,) = views_of(tmp_path, "01-m.json", text)
    assert isinstance(view, CniConfigFile) and not view.strong


@pytest.mark.parametrize(
    ("text", "named_like_file", "expected"),
    [
        ('{"cniVersion": "0.3.1"}', False, True),
        ('  {"type": "bridge"}', True, True),
        ('{"type": "bridge"}', False, False),
        ("cniVersion: 0.3.1", True, False),
        (7, True, False),
    ],
)
def test_looks_like_cni_json(text: object, named_like_file: bool, expected: bool) -> None:
    assert looks_like_cni_json(text, named_like_file=named_like_file) is expected


CONFIGMAP = """apiVersion: v1
kind: ConfigMap
metadata: {name: multus-cni-config, namespace: kube-system}
data:
  cni-conf.json: |
    {"name": "multus-cni-network", "type": "multus", "delegates": [{"type": "aws-cni"}]}
  notes.txt: plain text about multus
  other.json: '{"enabled": true}'
"""


def test_configmap_entries(tmp_path: Path) -> None:
    (view,) = views_of(tmp_path, "cm.yaml", CONFIGMAP)
    assert isinstance(view, CniConfigMap)
    assert [key for _data, key in view.entries()] == ["cni-conf.json"]
    assert [what for _c, _k, what in view.embedded_fields()] == ["cni-conf.json of ConfigMap kube-system/multus-cni-config"]


def test_unrelated_configmap_is_not_taken(tmp_path: Path) -> None:
    found = views_of(tmp_path, "cm.yaml", CONFIGMAP.replace("cni-conf.json: |\n", "x: |\n").replace('"type": "multus", ', ""))
    assert not any(isinstance(v, CniConfigMap) for v in found)


DAEMONSET = """apiVersion: apps/v1
kind: DaemonSet
metadata: {name: kube-multus-ds, namespace: kube-system}
spec:
  template:
    spec:
      containers:
        - name: kube-multus
          image: ghcr.io/k8snetworkplumbingwg/multus-cni:v4.1.4
          env:
            - name: CNI_CONF
              value: '{"cniVersion": "0.4.0", "name": "x", "type": "bridge"}'
"""


def test_multus_daemonset(tmp_path: Path) -> None:
    (view,) = views_of(tmp_path, "ds.yaml", DAEMONSET)
    assert isinstance(view, CniDaemonSet) and isinstance(view, Workload)
    assert [c.name for c in view.multus_containers()] == ["kube-multus"]
    assert [env.name for env in view.env_configs()] == ["CNI_CONF"]


@pytest.mark.parametrize(
    ("api", "kind", "taken"),
    [
        ("k8s.cni.cncf.io/v1", "NetworkAttachmentDefinition", True),
        ("k8s.v1.cni.cncf.io/v1", "NetworkAttachmentDefinition", True),
        ("k8s.cni.cncf.io/v1", "NetworkAttachmentDefinitions", True),
        ("k8s.cni.cncf.io/v1", "networkattachmentdefinition", True),
        ("apiextensions.k8s.io/v1", "CustomResourceDefinition", False),
    ],
)
def test_nad_recognition(tmp_path: Path, api: str, kind: str, taken: bool) -> None:
    text = f"apiVersion: {api}\nkind: {kind}\nmetadata: {{name: a}}\nspec: {{config: '{{}}'}}\n# NetworkAttachmentDefinition\n"
    found = views_of(tmp_path, "nad.yaml", text)
    assert any(isinstance(v, NetworkAttachment) for v in found) is taken


@pytest.mark.parametrize(
    ("text", "count", "annotation_path"),
    [
        ("apiVersion: v1\nkind: Pod\nmetadata: {name: p, annotations: {a: b}}\nspec: {}\n", None, "a"),
        ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: 4\n  template: {metadata: {annotations: {a: b}}}\n", 4, "a"),
        ("apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s}\nspec:\n  template: {metadata: {annotations: {a: b}}}\n", 1, "a"),
        ("apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: r}\nspec:\n  replicas: '${N}'\n  template: {metadata: {annotations: {a: b}}}\n", None, "a"),
        ("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  jobTemplate: {spec: {template: {metadata: {annotations: {a: b}}}}}\n", None, "a"),
    ],
)
def test_pod_templates(tmp_path: Path, text: str, count: int | None, annotation_path: str) -> None:
    (view,) = views_of(tmp_path, "w.yaml", text + "# k8s.v1.cni.cncf.io\n")
    assert isinstance(view, Workload)
    meta = pod_metadata(view)
    assert meta is not None and annotation_path in meta["annotations"]
    if view.sig.kind in ("Deployment", "StatefulSet", "ReplicaSet"):
        assert replicas(view) == count
