"""Wrong types anywhere in CNI configs, Multus configs, NADs and annotations never make a CONF/MUL/NAD rule raise."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eks_net_lint.config import Config
from eks_net_lint.engine import lint
from eks_net_lint.registry import all_rules

MINE = frozenset(r.id for r in all_rules() if r.family in ("CONF", "MUL", "NAD"))
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 70000), st.floats(allow_nan=False, allow_infinity=False),
                    st.sampled_from(["", "eth0", "10.0.4.0/24", "10.0.4.9", "fd00::/120", "1.0.0", "0.4.0", "l2", "__MTU__",
                                     "${X}", "host-local", "whereabouts", "static", "a/b", "x-y@z", "ipvlan", "macvlan"]))
JSONS = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.sampled_from(["type", "name", "cniVersion", "plugins", "ipam", "master", "mode", "subnet", "ranges", "range",
                     "rangeStart", "rangeEnd", "gateway", "addresses", "address", "delegates", "clusterNetwork",
                     "kubeconfig", "capabilities", "mtu", "exclude", "ipRanges", "range_start", "range_end"]), inner, max_size=5),
    max_leaves=12)

BASE = {
    "cniVersion": "0.4.0", "type": "ipvlan", "master": "eth1",
    "ipam": {"type": "host-local", "subnet": "10.0.4.0/24", "rangeStart": "10.0.4.5", "gateway": "10.0.4.1"},
}
CLUSTER = "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: prod, region: us-west-2}\n"
MULTUS_DS = """apiVersion: apps/v1
kind: DaemonSet
metadata: {name: kube-multus-ds, namespace: kube-system}
spec:
  template:
    spec:
      containers:
        - name: kube-multus
          image: ghcr.io/k8snetworkplumbingwg/multus-cni:v3.9.2
          args: %s
"""


def _run(folder: Path) -> None:
    config = dataclasses.replace(Config(base=folder), select=MINE)
    report = lint([str(folder)], config)
    assert not report.internal_errors, report.internal_errors


def _nad(config: object, annotation: object) -> str:
    text = json.dumps(json.dumps(config))
    return (f"apiVersion: k8s.cni.cncf.io/v1\nkind: NetworkAttachmentDefinition\nmetadata: {{name: x}}\nspec:\n  config: {text}\n"
            f"---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d}}\nspec:\n  replicas: {json.dumps(annotation)}\n"
            f"  template:\n    metadata:\n      annotations:\n        k8s.v1.cni.cncf.io/networks: {json.dumps(json.dumps(annotation))}\n"
            "    spec: {containers: [{name: a, image: b}]}\n")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from(sorted(BASE) + ["plugins", "delegates"]), value=JSONS, ipam_key=st.sampled_from(sorted(BASE["ipam"])), ipam_value=JSONS)
def test_nad_fields_of_any_type(tmp_path_factory: object, key: str, value: object, ipam_key: str, ipam_value: object) -> None:
    folder = tmp_path_factory.mktemp("nad")  # type: ignore[attr-defined]
    config = json.loads(json.dumps(BASE))
    config[key] = value
    if isinstance(config.get("ipam"), dict):
        config["ipam"][ipam_key] = ipam_value
    (folder / "cluster.yaml").write_text(CLUSTER)
    (folder / "nad.yaml").write_text(_nad(config, value))
    (folder / "multus.yaml").write_text(MULTUS_DS % json.dumps([value, "--cni-version=0.4.0", "--multus-master-cni-file-name=10-aws.conflist"]))
    _run(folder)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(whole=JSONS, multus=JSONS, annotation=st.text(max_size=40))
def test_node_configs_of_any_shape(tmp_path_factory: object, whole: object, multus: object, annotation: str) -> None:
    folder = tmp_path_factory.mktemp("conf")  # type: ignore[attr-defined]
    (folder / "cluster.yaml").write_text(CLUSTER)
    (folder / "10-aws.conflist").write_text(json.dumps(whole))
    (folder / "00-multus.conf").write_text(json.dumps({"type": "multus", "delegates": multus, "clusterNetwork": multus}))
    (folder / "05-x.json").write_text(json.dumps({"cniVersion": whole, "name": "x", "type": "bridge"}))
    (folder / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n"
        f"  10-aws.conflist: {json.dumps(json.dumps({'cniVersion': '0.4.0', 'name': 'aws-cni', 'plugins': whole}))}\n"
        f"  daemon-config.json: {json.dumps(json.dumps({'cniVersion': whole, 'multusMasterCNI': '10-aws.conflist'}))}\n"
        "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n"
        f"    k8s.v1.cni.cncf.io/networks: {json.dumps(annotation)}\nspec: {{containers: [{{name: a, image: b}}]}}\n"
    )
    _run(folder)
