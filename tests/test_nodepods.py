"""Tests of max-pods extraction: every configured max pods with its location and instance types."""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eks_net_lint.config import Config
from eks_net_lint.engine import lint
from eks_net_lint.nodepods import KARPENTER, LAUNCH_TEMPLATE, MANAGED, NODECONFIG, SELF_MANAGED, PodsGroup, pods_groups

CLUSTER = """\
apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata:
  name: prod
  region: us-west-2
nodeGroups:
  - name: self
    instanceType: m5.large
    amiFamily: AmazonLinux2
    maxPodsPerNode: 25
    kubeletExtraConfig:
      maxPods: 26
    preBootstrapCommands:
      - "echo --max-pods=27"
    overrideBootstrapCommand: |
      #!/bin/bash
      # --max-pods=1 in a comment does not count
      /etc/eks/bootstrap.sh prod --use-max-pods false --kubelet-extra-args '--max-pods=28'
managedNodeGroups:
  - name: managed
    instanceTypes: [m5.large, m5.xlarge]
    kubeletExtraConfig:
      maxPods: 99
    overrideBootstrapCommand: |
      apiVersion: node.eks.aws/v1alpha1
      kind: NodeConfig
      spec:
        kubelet:
          config:
            maxPods: 29
          flags: ["--node-labels=a=b", "--max-pods=30"]
  - name: plain
    ami: auto
"""

KARPENTER_DOCS = """\
apiVersion: karpenter.k8s.aws/v1
kind: EC2NodeClass
metadata:
  name: default
spec:
  kubelet:
    maxPods: 40
  userData: |
    MIME-Version: 1.0
    Content-Type: multipart/mixed; boundary="B"

    --B
    Content-Type: text/x-shellscript

    #!/bin/bash
    echo --max-pods=41
    --B
    Content-Type: application/node.eks.aws

    apiVersion: node.eks.aws/v1alpha1
    kind: NodeConfig
    spec:
      kubelet:
        config:
          maxPods: 42
    --B--
---
apiVersion: karpenter.sh/v1
kind: NodePool
metadata:
  name: general
spec:
  template:
    spec:
      nodeClassRef:
        kind: EC2NodeClass
        name: default
      requirements:
        - key: node.kubernetes.io/instance-type
          operator: In
          values: [c5.large, c5.xlarge]
        - key: kubernetes.io/arch
          operator: In
          values: [amd64]
---
apiVersion: node.eks.aws/v1alpha1
kind: NodeConfig
metadata:
  name: standalone
spec:
  kubelet:
    config:
      maxPods: 43
"""

CFN = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Template:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        InstanceType: t3.medium
        UserData:
          Fn::Base64: !Sub |
            #!/bin/bash
            /etc/eks/bootstrap.sh ${Cluster} --kubelet-extra-args '--max-pods=50'
  Group:
    Type: AWS::EKS::Nodegroup
    Properties:
      InstanceTypes: [t3.large]
      LaunchTemplate:
        Name: {Ref: Template}
"""


def groups(tmp_path: Path, name: str, text: str) -> list[PodsGroup]:
    (tmp_path / name).write_text(text)
    report = lint([str(tmp_path / name)], dataclasses.replace(Config(base=tmp_path), select=frozenset()))
    (ctx,) = report.contexts
    return pods_groups(ctx)


def summary(group: PodsGroup) -> list[tuple[int, str, int, int]]:
    return [(v.value, v.field, v.location.line, v.location.col) for v in group.max_pods]


def test_eksctl_node_groups(tmp_path: Path) -> None:
    self_managed, managed, plain = groups(tmp_path, "cluster.yaml", CLUSTER)
    assert (self_managed.producer, self_managed.label, self_managed.ami_family) == (SELF_MANAGED, "node group self", "AmazonLinux2")
    assert [t.name for t in self_managed.instance_types] == ["m5.large"]
    assert self_managed.instance_types[0].location.line == 8
    assert summary(self_managed) == [
        (25, "maxPodsPerNode", 10, 21),
        (26, "kubeletExtraConfig.maxPods", 12, 16),
        (28, "--max-pods in overrideBootstrapCommand", 18, 88),
        (27, "--max-pods in preBootstrapCommands", 14, 26),
    ]
    assert self_managed.default_disabled and not self_managed.custom_ami
    assert managed.producer == MANAGED and [t.name for t in managed.instance_types] == ["m5.large", "m5.xlarge"]
    assert summary(managed) == [
        (29, "overrideBootstrapCommand NodeConfig kubelet.config.maxPods", 30, 22),
        (30, "overrideBootstrapCommand NodeConfig kubelet --max-pods flag", 31, 40),
    ]
    assert plain.max_pods == () and plain.anchor.line == 32 and not plain.custom_ami
    assert plain.amazon_linux and plain.ami_family == "AmazonLinux2023"


def test_located_values_point_at_the_number(tmp_path: Path) -> None:
    self_managed = groups(tmp_path, "cluster.yaml", CLUSTER)[0]
    lines = CLUSTER.splitlines()
    for value in self_managed.max_pods:  # every shell flag value, in a | block and in a quoted item
        line = lines[value.location.line - 1]
        assert line[value.location.col - 1 :].startswith(str(value.value)), (value, line)


def test_karpenter_and_standalone_nodeconfig(tmp_path: Path) -> None:
    pool, standalone = groups(tmp_path, "karpenter.yaml", KARPENTER_DOCS)
    assert pool.producer == KARPENTER and pool.label == "NodePool general (EC2NodeClass default)"
    assert [(t.name, t.location.line) for t in pool.instance_types] == [("c5.large", 41), ("c5.xlarge", 41)]
    assert [(v, f, line) for v, f, line, _col in summary(pool)] == [
        (40, "EC2NodeClass spec.kubelet.maxPods", 7),
        (41, "--max-pods in EC2NodeClass spec.userData", 16),
        (42, "EC2NodeClass spec.userData NodeConfig kubelet.config.maxPods", 25),
    ]
    assert pool.related and pool.related[0].location.line == pool.anchor.line
    assert standalone.producer == NODECONFIG and standalone.instance_types == ()
    assert summary(standalone) == [(43, "NodeConfig kubelet.config.maxPods", 53, 16)]


def test_cloudformation_launch_template(tmp_path: Path) -> None:
    (template,) = groups(tmp_path, "template.yaml", CFN)
    assert template.producer == LAUNCH_TEMPLATE and template.label == "launch template Template"
    assert [t.name for t in template.instance_types] == ["t3.medium", "t3.large"]
    assert summary(template) == [(50, "--max-pods in UserData", 11, 79)]


def test_wrong_shapes_give_nothing(tmp_path: Path) -> None:
    text = CLUSTER.replace("maxPodsPerNode: 25", "maxPodsPerNode: [25]").replace("maxPods: 26", "maxPods: '26'")
    self_managed = groups(tmp_path, "cluster.yaml", text)[0]
    assert [v.field for v in self_managed.max_pods] == [
        "--max-pods in overrideBootstrapCommand",
        "--max-pods in preBootstrapCommands",
    ]


SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 500), st.sampled_from(
    ["m5.large", "m5.larg", "M5", "${X}", "", "--max-pods=30", "kind: NodeConfig", "!Ref", "110", "true"]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.sampled_from(
                                                           ["maxPods", "kubelet", "config", "flags", "userData",
                                                            "values", "key", "operator", "name", "Type", "Properties",
                                                            "LaunchTemplateData", "UserData", "InstanceType"]),
                                                           inner, max_size=3)), max_leaves=8)
SHAPES = st.sampled_from([
    ("eksctl.io/v1alpha5", "ClusterConfig", ("managedNodeGroups", 0)),
    ("eksctl.io/v1alpha5", "ClusterConfig", ("nodeGroups", 0)),
    ("karpenter.k8s.aws/v1", "EC2NodeClass", ("spec",)),
    ("karpenter.sh/v1", "NodePool", ("spec", "template", "spec")),
    ("node.eks.aws/v1alpha1", "NodeConfig", ("spec",)),
])
FIELDS = st.dictionaries(st.sampled_from(
    ["instanceType", "instanceTypes", "maxPodsPerNode", "kubeletExtraConfig", "overrideBootstrapCommand",
     "preBootstrapCommands", "amiFamily", "ami", "kubelet", "userData", "requirements", "nodeClassRef", "name"]),
    VALUES, max_size=5)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shape=SHAPES, fields=FIELDS)
def test_pods_rules_never_raise_on_wrong_shapes(tmp_path: Path, shape: tuple[str, str, tuple[Any, ...]], fields: dict[str, Any]) -> None:
    api, kind, path = shape
    doc: dict[str, Any] = {"apiVersion": api, "kind": kind, "metadata": {"name": "x"}}
    node: Any = fields
    for step in reversed(path):
        node = [node] if isinstance(step, int) else {step: node}
    doc.update(node)
    target = tmp_path / "doc.yaml"
    target.write_text(yaml.safe_dump(doc))
    config = dataclasses.replace(Config(base=tmp_path), select=frozenset({"PODS001", "PODS002", "PODS003", "PODS004", "PODS005"}))
    report = lint([str(target)], config)
    assert not report.internal_errors, report.internal_errors
