"""Property tests (H24): no input makes the loader or the pipeline raise or report an internal error."""
from __future__ import annotations

import json

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eks_net_lint.api import lint_text
from eks_net_lint.load import Limits, SourceFile, load_text

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False),
                    st.text(max_size=20), st.sampled_from(["${X}", "{{ .V }}", "true", "yes", "subnet-1", "us-west-2a"]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                        st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                      max_leaves=12)

KINDS = [
    ("eksctl.io/v1alpha5", "ClusterConfig"),
    ("crd.k8s.amazonaws.com/v1alpha1", "ENIConfig"),
    ("apps/v1", "DaemonSet"),
    ("k8s.cni.cncf.io/v1", "NetworkAttachmentDefinition"),
    ("apps/v1", "Deployment"),
    ("karpenter.k8s.aws/v1", "EC2NodeClass"),
    ("node.eks.aws/v1alpha1", "NodeConfig"),
    ("v1", "List"),
]
FIELDS = ["metadata", "spec", "addons", "managedNodeGroups", "nodeGroups", "vpc", "availabilityZones",
          "kubernetesNetworkConfig", "iam", "items", "env", "data", "addonsConfig", "autoModeConfig"]


def assert_clean(text: str) -> None:
    report = lint_text(text)
    assert not report.internal_errors, report.internal_errors


@SETTINGS
@given(st.binary(max_size=400))
def test_loader_never_raises_on_bytes(data: bytes) -> None:
    source = SourceFile("x.yaml")
    load_text(source, data.decode("utf-8", "replace"), Limits())
    source = SourceFile("x.json", format="json")
    load_text(source, data.decode("utf-8", "replace"), Limits())


@SETTINGS
@given(st.text(alphabet="{}[]:,-&*!|>'\"#\n abcAPI1", max_size=200))
def test_pipeline_on_yaml_shaped_text(text: str) -> None:
    assert_clean(text)


@SETTINGS
@given(st.sampled_from(KINDS), st.dictionaries(st.sampled_from(FIELDS), values, max_size=6))
def test_pipeline_on_wrong_typed_fields(kind: tuple[str, str], fields: dict) -> None:
    doc = {"apiVersion": kind[0], "kind": kind[1], **fields}
    assert_clean(yaml.safe_dump(doc))
    assert_clean(json.dumps(doc))


@SETTINGS
@given(st.dictionaries(st.sampled_from(["name", "aws-node", "image", "env", "containers", "template", "spec",
                                        "value", "configurationValues", "version"]), values, max_size=5))
def test_aws_node_and_addon_shapes(fields: dict) -> None:
    daemonset = {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "aws-node"},
                 "spec": {"template": {"spec": {"containers": [{"name": "aws-node", **fields}],
                                                "initContainers": [fields]}}}}
    cluster = {"apiVersion": "eksctl.io/v1alpha5", "kind": "ClusterConfig",
               "metadata": {"name": "c", "region": "us-west-2"},
               "addons": [{"name": "vpc-cni", **fields}], "managedNodeGroups": [fields]}
    assert_clean(yaml.safe_dump_all([daemonset, cluster]))
