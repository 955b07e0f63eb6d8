"""The VPC CNI settings model: every source read with its origin, merged into scopes, judged the same way."""
from __future__ import annotations

import dataclasses
import textwrap
from pathlib import Path

import pytest

from eks_net_lint.cni_sources import HelmValues, VpcCniConfigMap, eks_managed_paths, helm_image
from eks_net_lint.config import Config
from eks_net_lint.engine import Report, lint
from eks_net_lint.settings import ASSUMED, CHART, DEFAULT, STATED
from eks_net_lint.views import AwsNode

CLUSTER = """\
apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata: {name: prod, region: us-west-2}
iam: {withOIDC: true}
"""


def run(tmp_path: Path, files: dict[str, str], select: set[str] | None = None) -> Report:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), "utf-8")
    config = Config(base=tmp_path)
    if select is not None:
        config = dataclasses.replace(config, select=frozenset(select))
    report = lint([str(tmp_path)], config)
    assert not report.internal_errors, report.internal_errors
    return report


def patch(env: dict[str, str], init_env: dict[str, str] | None = None) -> str:
    lines = ["apiVersion: apps/v1", "kind: DaemonSet", "metadata: {name: aws-node, namespace: kube-system}",
             "spec:", "  template:", "    spec:"]
    if init_env:
        lines += ["      initContainers:", "        - name: aws-vpc-cni-init", "          env:"]
        lines += [f'            - {{name: {k}, value: "{v}"}}' for k, v in init_env.items()]
    lines += ["      containers:", "        - name: aws-node", "          env:"]
    lines += [f'            - {{name: {k}, value: "{v}"}}' for k, v in env.items()]
    return "\n".join(lines) + "\n"


def helm(env: dict[str, str], init_env: dict[str, str] | None = None) -> str:
    lines = ["nodeAgent:", "  enabled: true", "env:"] + [f'  {k}: "{v}"' for k, v in env.items()]
    if init_env:
        lines += ["init:", "  env:"] + [f'    {k}: "{v}"' for k, v in init_env.items()]
    return "\n".join(lines) + "\n"


def addon(env: dict[str, str], init_env: dict[str, str] | None = None) -> str:
    lines = [CLUSTER.rstrip(), "addons:", "  - name: vpc-cni", "    configurationValues: |", "      env:"]
    lines += [f'        {k}: "{v}"' for k, v in env.items()]
    if init_env:
        lines += ["      init:", "        env:"] + [f'          {k}: "{v}"' for k, v in init_env.items()]
    return "\n".join(lines) + "\n"


CASES = [
    ({"WARM_IP_TARGET": "ten"}, None, "CNI001", 'WARM_IP_TARGET "ten" is not an integer: ipamd silently uses the default 0'),
    ({"ENABLE_PREFIX_DELEGATIONS": "true"}, None, "CNI002", "did you mean ENABLE_PREFIX_DELEGATION"),
    ({"WARM_ENI_TARGET": "2", "WARM_IP_TARGET": "5"}, None, "CNI003", "WARM_ENI_TARGET 2 is ignored: WARM_IP_TARGET 5"),
    ({"WARM_IP_TARGET": "1"}, None, "CNI004", "WARM_IP_TARGET 1 is below 2"),
    ({"ENABLE_POD_ENI": "true"}, {"DISABLE_TCP_EARLY_DEMUX": "false"}, "CNI012", 'DISABLE_TCP_EARLY_DEMUX="false"'),
    ({"AWS_VPC_ENI_MTU": "100"}, None, "CNI010", "AWS_VPC_ENI_MTU 100 is outside 576-9001"),
    ({"AWS_VPC_K8S_CNI_VETHPREFIX": "vlan"}, None, "CNI011", '"vlan" is reserved'),
    ({"ENABLE_IPv6": "true", "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": "true"}, None, "CNI007", "custom networking is on"),
]


@pytest.mark.parametrize(("env", "init_env", "rule_id", "text"), CASES, ids=[c[2] for c in CASES])
def test_same_settings_same_findings_in_every_source(tmp_path: Path, env: dict[str, str],
                                                     init_env: dict[str, str] | None, rule_id: str, text: str) -> None:
    """Helm values, a Kustomize patch and configurationValues give the same finding, each in its own file."""
    found = {}
    for kind, render in (("patch", patch), ("helm", helm), ("addon", addon)):
        report = run(tmp_path / kind, {f"{kind}.yaml": render(env, init_env)}, {rule_id})
        messages = sorted((f.rule.id, f.message) for f in report.findings)
        assert messages and all(text in m for _, m in messages), (kind, messages)
        assert {Path(f.location.path).name for f in report.findings} == {f"{kind}.yaml"}
        found[kind] = messages
    assert found["patch"] == found["helm"] == found["addon"]


def _scopes(report: Report) -> list:
    return [s for ctx in report.contexts for s in ctx.cni.scopes]


def test_sources_and_origins(tmp_path: Path) -> None:
    report = run(tmp_path, {
        "cluster.yaml": CLUSTER + "addons:\n  - name: vpc-cni\n    version: v1.19.0-eksbuild.1\n"
                        "    configurationValues: '{\"env\": {\"WARM_IP_TARGET\": \"10\"}}'\n",
        "list.yaml": """\
            apiVersion: v1
            kind: List
            items:
              - apiVersion: apps/v1
                kind: DaemonSet
                metadata: {name: aws-node, namespace: kube-system}
                spec:
                  selector: {matchLabels: {k8s-app: aws-node}}
                  template:
                    spec:
                      containers:
                        - name: aws-node
                          image: 602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.19.0
                          env: [{name: WARM_IP_TARGET, value: "5"}, {name: MINIMUM_IP_TARGET, value: "20"}]
            """,
        "zz-patch.yaml": patch({"MINIMUM_IP_TARGET": "30"}),
    }, set())
    [scope] = _scopes(report)
    assert scope.managed and scope.complete and scope.version is not None
    assert str(scope.version.version) == "v1.19.0" and scope.version.origin == "vpc-cni add-on version"
    warm_ip = scope.effective("WARM_IP_TARGET")
    assert (warm_ip.text, warm_ip.origin, warm_ip.value.source) == ("10", STATED, "configurationValues")
    assert [v.source for v in scope.all("WARM_IP_TARGET")] == ["daemonset", "configurationValues"]
    minimum = scope.effective("MINIMUM_IP_TARGET")
    assert (minimum.text, minimum.value.source) == ("30", "daemonset-patch")
    assert minimum.value.location.path.endswith("zz-patch.yaml")
    ipv4 = scope.effective("ENABLE_IPv4")
    assert (ipv4.text, ipv4.origin) == ("false", DEFAULT) and ipv4.because() == "no source sets ENABLE_IPv4"


def test_helm_values_merge_over_the_chart(tmp_path: Path) -> None:
    report = run(tmp_path, {"values.yaml": """\
        image: {tag: v1.23.1}
        env:
          WARM_PREFIX_TARGET: null
          ENABLE_PREFIX_DELEGATION: true
        extraEnv:
          - {name: MY_EXTRA, valueFrom: {secretKeyRef: {name: x, key: y}}}
        """}, set())
    [scope] = _scopes(report)
    [view] = scope.helm
    assert isinstance(view, HelmValues)
    assert scope.effective("ENABLE_PREFIX_DELEGATION").text == "true"
    assert (scope.effective("WARM_ENI_TARGET").text, scope.effective("WARM_ENI_TARGET").origin) == ("1", CHART)
    prefix = scope.effective("WARM_PREFIX_TARGET")
    assert prefix.origin == DEFAULT and prefix.text == "0"  # null removes the chart default
    assert scope.effective("DISABLE_TCP_EARLY_DEMUX", "aws-vpc-cni-init").origin == CHART
    extra = scope.get("MY_EXTRA")
    assert extra is not None and extra.from_ref and extra.text is None


def test_patch_alone_assumes_shipped_defaults(tmp_path: Path) -> None:
    report = run(tmp_path, {"patch.yaml": patch({"ENABLE_PREFIX_DELEGATION": "true"})}, set())
    [scope] = _scopes(report)
    assert not scope.complete and not scope.managed
    prefix = scope.effective("WARM_PREFIX_TARGET")
    assert (prefix.text, prefix.origin, prefix.certain) == ("1", ASSUMED, False)


def test_unassigned_directory_keeps_definitions_apart(tmp_path: Path) -> None:
    complete = """\
        apiVersion: apps/v1
        kind: DaemonSet
        metadata: {name: aws-node, namespace: kube-system}
        spec:
          selector: {matchLabels: {k8s-app: aws-node}}
          template: {spec: {containers: [{name: aws-node, image: "a/amazon-k8s-cni:v1.20.0", env: [{name: WARM_IP_TARGET, value: "%s"}]}]}}
        """
    report = run(tmp_path, {"a.yaml": complete % "5", "b.yaml": complete % "9"}, set())
    scopes = _scopes(report)
    assert [s.effective("WARM_IP_TARGET").text for s in scopes] == ["5", "9"]


def test_recognisers_and_helm_images(tmp_path: Path) -> None:
    report = run(tmp_path, {
        "values.yaml": "image:\n  region: cn-north-1\n  account: '918309763551'\n  domain: amazonaws.com.cn\n"
                       "  tag: v1.22.4\nenv: {}\ninit: {image: {override: 'mirror.local/amazon-k8s-cni-init:v1.22.4'}}\n",
        "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: amazon-vpc-cni, namespace: kube-system}\n"
                   "data: {enable-network-policy-controller: 'false'}\n",
        "other-values.yaml": "replicaCount: 2\nenv: {LOG_LEVEL: debug}\n",
    }, set())
    views = [v for ctx in report.contexts for v in ctx.views]
    assert sorted(type(v).__name__ for v in views) == ["HelmValues", "VpcCniConfigMap"]
    helm_view = next(v for v in views if isinstance(v, HelmValues))
    main = helm_image(helm_view, "image", "v1.22.4")
    assert main is not None and main.text == "918309763551.dkr.ecr.cn-north-1.amazonaws.com.cn/amazon-k8s-cni:v1.22.4"
    init = helm_image(helm_view, "init", "v1.22.4")
    assert init is not None and init.text == "mirror.local/amazon-k8s-cni-init:v1.22.4"
    agent = helm_image(helm_view, "nodeAgent", "v1.22.4")
    assert agent is not None and agent.text.endswith("amazon/aws-network-policy-agent:v1.4.0") and not agent.stated
    assert any(isinstance(v, VpcCniConfigMap) for v in views)


def test_managed_fields_paths(tmp_path: Path) -> None:
    report = run(tmp_path, {"ds.yaml": """\
        apiVersion: apps/v1
        kind: DaemonSet
        metadata:
          name: aws-node
          managedFields:
            - manager: kubectl
              fieldsV1: {f:spec: {f:replicas: {}}}
            - manager: eks
              fieldsV1:
                f:metadata: {f:labels: {f:app.kubernetes.io/name: {}}}
                f:spec:
                  f:template:
                    f:spec:
                      f:containers:
                        k:{"name":"aws-node"}:
                          .: {}
                          f:env:
                            k:{"name":"MY_NODE_NAME"}: {.: {}, f:name: {}, f:valueFrom: {f:fieldRef: {}}}
                          f:volumeMounts:
                            k:{"mountPath":"/host/opt/cni/bin"}: {f:name: {}}
        spec: {template: {spec: {containers: [{name: aws-node}]}}}
        """}, set())
    [node] = [v for ctx in report.contexts for v in ctx.views if isinstance(v, AwsNode)]
    paths = set(eks_managed_paths(node.data))
    assert ("metadata", "labels", "app.kubernetes.io/name") in paths
    assert ("spec", "template", "spec", "containers", "[aws-node]", "env", "[MY_NODE_NAME]", "valueFrom", "fieldRef") in paths
    assert ("spec", "template", "spec", "containers", "[aws-node]", "volumeMounts", "[/host/opt/cni/bin]", "name") in paths
    assert not any("replicas" in p for p in paths)


@pytest.mark.parametrize("junk", ["env: [1, 2]", "env: {WARM_IP_TARGET: [1]}\ninit: 5", "image: 7\nenv: {}\nnodeAgent: x",
                                  "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: aws-node}\nspec: {template: 5}",
                                  "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: aws-node}\n"
                                  "spec: {template: {spec: {containers: [{name: aws-node, env: [{name: 5}, 7, {value: x}]}]}}}"])
def test_wrong_types_never_raise(tmp_path: Path, junk: str) -> None:
    run(tmp_path, {"junk.yaml": junk + "\n", "cluster.yaml": CLUSTER + "addons: [{name: vpc-cni, configurationValues: '[]'}]\n"})


def test_templated_helm_image_is_unknown(tmp_path: Path) -> None:
    report = run(tmp_path, {"values.yaml": "init:\n  image:\n    region: ${region}\nenv:\n  WARM_ENI_TARGET: '1'\n"
                                           "eniConfig: {create: false}\n"}, set())
    [scope] = _scopes(report)
    assert scope.field("initContainers[aws-vpc-cni-init].image") is None
    assert scope.version is None
