"""Issue 4's Done-when list, each item run through the real CLI (python -m eks_net_lint … --format json)."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from conftest import REPO

FIXTURES = REPO / "tests" / "fixtures"
IMAGE = "602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni"


def cli(*args: str, cwd: Path | None = None) -> list[dict[str, Any]]:
    result = subprocess.run([sys.executable, "-m", "eks_net_lint", "--no-config", "--format", "json", *args],
                            capture_output=True, text=True, cwd=cwd, timeout=120)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    assert result.returncode in (0, 1), result.stderr
    findings: list[dict[str, Any]] = json.loads(result.stdout or "[]")
    return findings


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text), "utf-8")
    return folder


def where(findings: list[dict[str, Any]], rule: str) -> list[tuple[str, int]]:
    return [(Path(f["path"]).name, f["line"]) for f in findings if f["rule"] == rule]


def test_upstream_vpc_cni_gets_cni009_on_old_versions_only(upstream: Path) -> None:
    findings = cli(str(upstream / "vpc-cni"), "--select", "CNI,MGD")
    assert sorted((Path(f["path"]).name, f["line"], f["rule"]) for f in findings) == [
        ("aws-k8s-cni_config-v1.7_v1.7.10.yaml", 156, "CNI009"),
        ("aws-k8s-cni_config-v1.9_v1.9.3.yaml", 168, "CNI009"),
        ("aws-k8s-cni_v1.12.6.yaml", 142, "CNI009"),
        ("aws-vpc-cni_values_v1.11.5.yaml", 26, "CNI009"),
    ]


def test_unparsable_values_say_what_ipamd_does() -> None:
    findings = cli(str(FIXTURES / "CNI001" / "bad" / "daemonset-bool-and-int.yaml"), "--select", "CNI001")
    by_line = {f["line"]: f["message"] for f in findings}
    assert by_line[24] == ('ENABLE_PREFIX_DELEGATION "yes" is not accepted by Go strconv.ParseBool: '
                           "ipamd logs a parse error and uses the default false")
    assert by_line[28] == 'WARM_IP_TARGET "ten" is not an integer: ipamd silently uses the default 0'


def test_typo_gets_did_you_mean() -> None:
    findings = cli(str(FIXTURES / "CNI002" / "bad" / "typos-and-wrong-containers.yaml"), "--select", "CNI002")
    assert any(f["line"] == 17 and f["message"].endswith("did you mean ENABLE_PREFIX_DELEGATION") for f in findings)


def test_settings_against_each_other_and_the_nodes() -> None:
    assert where(cli(str(FIXTURES / "CNI003" / "bad" / "warm-eni-with-warm-ip-patch.yaml"), "--select", "CNI003"),
                 "CNI003") == [("warm-eni-with-warm-ip-patch.yaml", 13)]
    assert where(cli(str(FIXTURES / "CNI005" / "bad" / "xen-node-group.yaml"), "--select", "CNI005"),
                 "CNI005") == [("xen-node-group.yaml", 9)]
    assert ("prefix-delegation-on-v1-8.yaml", 14) in where(
        cli(str(FIXTURES / "CNI008" / "bad" / "prefix-delegation-on-v1-8.yaml"), "--select", "CNI008"), "CNI008")
    assert where(cli(str(FIXTURES / "CNI017" / "bad" / "complete-daemonset-no-warm-target.yaml"), "--select", "CNI017"),
                 "CNI017") == [("complete-daemonset-no-warm-target.yaml", 14)]


def test_ip_family_of_self_managed_aws_node(tmp_path: Path) -> None:
    dropped = cli(str(FIXTURES / "CNI006" / "bad" / "new-image-old-env-list.yaml"), "--select", "CNI006")
    assert [f["line"] for f in dropped] == [15] and "assuming the default" in dropped[0]["message"]
    ipv6 = cli(str(FIXTURES / "CNI006" / "bad" / "eksctl-ipv6-self-managed"), "--select", "CNI006")
    assert where(ipv6, "CNI006") == [("aws-node.yaml", 22)]
    assert ipv6[0]["related"][0]["path"].endswith("cluster.yaml")


def test_managed_addon_image_and_configuration_values(tmp_path: Path) -> None:
    image = cli(str(FIXTURES / "MGD001" / "bad" / "image-differs-from-addon"), "--select", "MGD001")
    assert any("v1.18.6" in f["message"] and "v1.19.2-eksbuild.1" in f["message"] for f in image)
    patched = cli(str(FIXTURES / "MGD001" / "bad" / "patch-overrides-configuration-values"), "--select", "MGD")
    assert where(patched, "MGD001") == [("aws-node-patch.yaml", 11)]
    assert '"5"' in patched[0]["message"] and '"10"' in patched[0]["message"]
    assert Path(patched[0]["related"][0]["path"]).name == "cluster.yaml"


def test_helm_values_beside_a_manifest_drift(tmp_path: Path) -> None:
    folder = write(tmp_path, {
        "cluster.yaml": """\
            apiVersion: eksctl.io/v1alpha5
            kind: ClusterConfig
            metadata: {name: prod, region: us-west-2}
            iam: {withOIDC: true}
            addonsConfig: {disableDefaultAddons: true}
            """,
        "aws-node.yaml": f"""\
            apiVersion: apps/v1
            kind: DaemonSet
            metadata: {{name: aws-node, namespace: kube-system}}
            spec:
              selector: {{matchLabels: {{k8s-app: aws-node}}}}
              template:
                spec:
                  containers:
                    - name: aws-node
                      image: {IMAGE}:v1.23.1
                      env: [{{name: WARM_IP_TARGET, value: "10"}}]
            """,
        "values.yaml": 'nodeAgent: {enabled: true}\nenv:\n  WARM_IP_TARGET: "5"\n',
    })
    findings = [f for f in cli(str(folder), "--select", "MGD") if f["rule"] == "MGD002"]
    assert [(Path(f["path"]).name, f["line"]) for f in findings] == [("values.yaml", 3)]
    assert [(Path(r["path"]).name, r["line"]) for r in findings[0]["related"]] == [("aws-node.yaml", 11)]
