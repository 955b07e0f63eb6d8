"""Generate a deterministic GitOps monorepo for the benchmarks (DESIGN.md § Performance targets).

The corpus looks like a platform team's repository: ``base/`` holds shared Kustomize bases, and
``clusters/<name>/`` holds one EKS cluster each. Most files are unrelated Kubernetes manifests
(Deployments, Services, ConfigMaps, Ingresses, HPAs, Kustomizations, Helm values of other
charts, HelmReleases, Grafana dashboards as JSON, ...). Every cluster also holds every kind
eks-net-lint reads:

- ``cluster.yaml``: an eksctl ``ClusterConfig`` (VPC, subnets per zone, node groups, add-ons);
- the VPC CNI settings, one of three ways: a full ``aws-node`` DaemonSet manifest, values of the
  ``aws-vpc-cni`` Helm chart, or ``addons[].configurationValues`` plus a Kustomize patch of aws-node;
- one ``ENIConfig`` per zone, ``10-aws.conflist``, a Multus ``00-multus.conf``, two
  ``NetworkAttachmentDefinition``s and a Deployment that attaches them;
- an AL2023 nodeadm ``NodeConfig``, a Karpenter ``EC2NodeClass`` and ``NodePool``;
- in every fifth cluster, saved ``aws ec2 describe-subnets`` output.

Everything is derived from ``random.Random(f"{seed}:{cluster}")``, so the same arguments always give
byte-identical files, and a corpus of 2N clusters holds the N-cluster corpus plus N more.

Usage: ``python benchmarks/gen_corpus.py [--clusters 50] [--seed 1] [--out DIR] [--force]``
(default ``DIR``: ``benchmarks/corpus/c<clusters>-s<seed>``). About 98 files per cluster plus 100
in ``base/``: 5,000 files for 50 clusters.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

GENERATOR_VERSION = "1"
MANIFEST = ".corpus-manifest"  # no linted suffix: neither eks-net-lint nor the bare loader reads it
HERE = Path(__file__).resolve().parent
DEFAULT_ROOT = HERE / "corpus"

_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

REGIONS = ("us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1", "ap-northeast-1")
ENVS = ("prod", "staging", "dev", "qa", "perf")
TEAMS = ("payments", "search", "checkout", "identity", "catalog", "ml", "data", "growth", "platform", "ads")
APP_WORDS = (
    "api", "web", "worker", "gateway", "billing", "orders", "ledger", "notifier", "scheduler", "indexer",
    "profile", "session", "cart", "pricing", "inventory", "reports", "audit", "export", "feeds", "render",
    "thumbnail", "mailer", "webhooks", "ranking", "recommender", "fraud", "tokens", "quotas", "search", "geo",
)
INSTANCE_TYPES = ("m5.large", "m5.xlarge", "m5.2xlarge", "m6i.large", "m6i.xlarge", "c5.xlarge", "c6i.2xlarge",
                  "r5.xlarge", "r6i.large", "m7g.large", "c7g.xlarge", "t3.large")
CNI_VERSIONS = ("v1.18.6", "v1.19.2", "v1.20.4", "v1.21.1", "v1.22.4")
K8S_VERSIONS = ("1.29", "1.30", "1.31", "1.32", "1.33")
# Third-party charts whose values files sit next to the apps (no top-level kind: the pre-filter parses them).
CHARTS = ("ingress-nginx", "cert-manager", "external-dns", "redis", "postgresql", "kafka", "grafana",
          "loki", "fluent-bit", "argo-rollouts", "keda", "vault", "opensearch", "rabbitmq")


def dump(*docs: Any, header: str = "") -> str:
    """Block-style YAML of one or more documents, with an optional comment header."""
    body = "---\n".join(yaml.dump(d, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=120)
                        for d in docs)
    return header + body


def comment(*lines: str) -> str:
    return "".join(f"# {line}\n" for line in lines)


class Cluster:
    """The random choices of one cluster, shared by every file generator."""

    def __init__(self, seed: int, index: int) -> None:
        self.index = index
        self.env = ENVS[index % len(ENVS)]
        self.region = REGIONS[index % len(REGIONS)]
        self.name = f"{self.env}-{self.region.replace('-', '')}-{index:03d}"
        self.rng = random.Random(f"{seed}:{self.name}")
        r = self.rng
        self.zones = [f"{self.region}{z}" for z in ("a", "b", "c")]
        self.second_octet = index % 200 + 10
        self.vpc_cidr = f"10.{self.second_octet}.0.0/16"
        self.pod_cidr = f"100.{64 + index % 64}.0.0/16"
        self.vpc_id = f"vpc-{r.getrandbits(68):017x}"
        self.account = f"{r.randrange(10**11, 10**12)}"
        self.private_subnets = {z: f"subnet-{r.getrandbits(68):017x}" for z in self.zones}
        self.public_subnets = {z: f"subnet-{r.getrandbits(68):017x}" for z in self.zones}
        self.pod_subnets = {z: f"subnet-{r.getrandbits(68):017x}" for z in self.zones}
        self.pod_sg = f"sg-{r.getrandbits(68):017x}"
        self.node_sg = f"sg-{r.getrandbits(68):017x}"
        self.cni_version = r.choice(CNI_VERSIONS)
        self.k8s_version = r.choice(K8S_VERSIONS)
        self.cni_mode = ("daemonset", "helm", "addon")[index % 3]
        self.prefix_delegation = r.random() < 0.5
        self.custom_networking = True
        self.max_pods = 110 if self.prefix_delegation else r.choice((29, 35, 58))
        self.team_apps = r.sample(APP_WORDS, 12)

    def image(self, repo: str, tag: str) -> str:
        return f"602401143452.dkr.ecr.{self.region}.amazonaws.com/{repo}:{tag}"


# --- relevant kinds -------------------------------------------------------------------------


def cni_env(c: Cluster) -> dict[str, str]:
    return {
        "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": "true" if c.custom_networking else "false",
        "ENI_CONFIG_LABEL_DEF": "topology.kubernetes.io/zone",
        "ENABLE_PREFIX_DELEGATION": "true" if c.prefix_delegation else "false",
        "WARM_PREFIX_TARGET": "1",
        "WARM_ENI_TARGET": "1",
        "AWS_VPC_K8S_CNI_EXTERNALSNAT": "false",
        "AWS_VPC_K8S_CNI_LOGLEVEL": "INFO",
        "ENABLE_POD_ENI": "false",
    }


def cluster_config(c: Cluster) -> str:
    r = c.rng
    subnets = {
        "private": {z: {"id": c.private_subnets[z], "cidr": f"10.{c.second_octet}.{i * 32}.0/19"}
                    for i, z in enumerate(c.zones)},
        "public": {z: {"id": c.public_subnets[z], "cidr": f"10.{c.second_octet}.{96 + i * 16}.0/20"}
                   for i, z in enumerate(c.zones)},
    }
    node_groups = []
    for n in range(r.randint(2, 4)):
        types = r.sample(INSTANCE_TYPES, r.randint(1, 3))
        ng: dict[str, Any] = {
            "name": f"ng-{c.team_apps[n]}-{n}",
            "instanceTypes": types,
            "minSize": 2,
            "maxSize": r.choice((6, 10, 20)),
            "desiredCapacity": 3,
            "privateNetworking": True,
            "subnets": list(c.private_subnets.values()),
            "volumeSize": r.choice((50, 80, 100)),
            "volumeType": "gp3",
            "maxPodsPerNode": c.max_pods,
            "labels": {"role": c.team_apps[n], "team": r.choice(TEAMS)},
            "tags": {"k8s.io/cluster-autoscaler/enabled": "true", f"k8s.io/cluster-autoscaler/{c.name}": "owned"},
            "iam": {"withAddonPolicies": {"autoScaler": True, "cloudWatch": True, "ebs": True}},
            "updateConfig": {"maxUnavailablePercentage": 33},
        }
        if r.random() < 0.3:
            ng["taints"] = [{"key": "dedicated", "value": c.team_apps[n], "effect": "NoSchedule"}]
        node_groups.append(ng)
    addons: list[dict[str, Any]] = [
        {"name": "coredns", "version": "latest"},
        {"name": "kube-proxy", "version": "latest"},
        {"name": "aws-ebs-csi-driver", "version": "latest",
         "serviceAccountRoleARN": f"arn:aws:iam::{c.account}:role/{c.name}-ebs-csi"},
    ]
    if c.cni_mode == "addon":
        values = {"env": cni_env(c), "enableNetworkPolicy": "true",
                  "eniConfig": {"create": False}, "resources": {"requests": {"cpu": "25m"}}}
        addons.insert(0, {"name": "vpc-cni", "version": c.cni_version.lstrip("v") + "-eksbuild.1",
                          "configurationValues": json.dumps(values), "resolveConflicts": "overwrite"})
    doc = {
        "apiVersion": "eksctl.io/v1alpha5",
        "kind": "ClusterConfig",
        "metadata": {"name": c.name, "region": c.region, "version": c.k8s_version,
                     "tags": {"env": c.env, "owner": "platform", "karpenter.sh/discovery": c.name}},
        "availabilityZones": c.zones,
        "iam": {"withOIDC": True},
        "vpc": {"id": c.vpc_id, "cidr": c.vpc_cidr, "subnets": subnets,
                "clusterEndpoints": {"privateAccess": True, "publicAccess": c.env != "prod"}},
        "kubernetesNetworkConfig": {"ipFamily": "IPv4", "serviceIPv4CIDR": "172.20.0.0/16"},
        "managedNodeGroups": node_groups,
        "addons": addons,
        "cloudWatch": {"clusterLogging": {"enableTypes": ["api", "audit", "authenticator"]}},
    }
    return dump(doc, header=comment(f"eksctl config of {c.name}", "Managed by the platform team; apply with eksctl."))


def aws_node_daemonset(c: Cluster) -> str:
    env = [{"name": k, "value": v} for k, v in cni_env(c).items()]
    env += [
        {"name": "AWS_VPC_ENI_MTU", "value": "9001"},
        {"name": "AWS_VPC_K8S_CNI_LOG_FILE", "value": "/host/var/log/aws-routed-eni/ipamd.log"},
        {"name": "AWS_VPC_K8S_PLUGIN_LOG_FILE", "value": "/var/log/aws-routed-eni/plugin.log"},
        {"name": "AWS_VPC_K8S_CNI_VETHPREFIX", "value": "eni"},
        {"name": "DISABLE_INTROSPECTION", "value": "false"},
        {"name": "DISABLE_METRICS", "value": "false"},
        {"name": "ENABLE_IPv4", "value": "true"},
        {"name": "ENABLE_IPv6", "value": "false"},
        {"name": "VPC_CNI_VERSION", "value": c.cni_version},
        {"name": "MY_NODE_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}}},
        {"name": "MY_POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
    ]
    probe = {"exec": {"command": ["/app/grpc-health-probe", "-addr=:50051", "-connect-timeout=5s", "-rpc-timeout=5s"]},
             "timeoutSeconds": 10}
    mounts = [{"mountPath": p, "name": n} for p, n in (
        ("/host/opt/cni/bin", "cni-bin-dir"), ("/host/etc/cni/net.d", "cni-net-dir"),
        ("/host/var/log/aws-routed-eni", "log-dir"), ("/var/run/aws-node", "run-dir"),
        ("/run/xtables.lock", "xtables-lock"))]
    sa = {"apiVersion": "v1", "kind": "ServiceAccount",
          "metadata": {"name": "aws-node", "namespace": "kube-system",
                       "annotations": {"eks.amazonaws.com/role-arn": f"arn:aws:iam::{c.account}:role/{c.name}-vpc-cni"}}}
    role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "aws-node"},
            "rules": [{"apiGroups": ["crd.k8s.amazonaws.com"], "resources": ["eniconfigs"],
                       "verbs": ["list", "watch", "get"]},
                      {"apiGroups": [""], "resources": ["namespaces", "pods", "nodes"], "verbs": ["list", "watch", "get"]},
                      {"apiGroups": ["", "events.k8s.io"], "resources": ["events"], "verbs": ["create", "patch", "list"]}]}
    ds = {
        "apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": {"name": "aws-node", "namespace": "kube-system",
                     "labels": {"app.kubernetes.io/name": "aws-node", "k8s-app": "aws-node",
                                "app.kubernetes.io/version": c.cni_version}},
        "spec": {
            "updateStrategy": {"rollingUpdate": {"maxUnavailable": "10%"}, "type": "RollingUpdate"},
            "selector": {"matchLabels": {"k8s-app": "aws-node"}},
            "template": {
                "metadata": {"labels": {"app.kubernetes.io/name": "aws-node", "k8s-app": "aws-node"}},
                "spec": {
                    "priorityClassName": "system-node-critical",
                    "serviceAccountName": "aws-node",
                    "hostNetwork": True,
                    "initContainers": [{
                        "name": "aws-vpc-cni-init", "image": c.image("amazon-k8s-cni-init", c.cni_version),
                        "env": [{"name": "DISABLE_TCP_EARLY_DEMUX", "value": "false"},
                                {"name": "ENABLE_IPv6", "value": "false"}],
                        "securityContext": {"privileged": True},
                        "resources": {"requests": {"cpu": "25m"}},
                        "volumeMounts": [{"mountPath": "/host/opt/cni/bin", "name": "cni-bin-dir"}]}],
                    "terminationGracePeriodSeconds": 10,
                    "tolerations": [{"operator": "Exists"}],
                    "containers": [
                        {"name": "aws-node", "image": c.image("amazon-k8s-cni", c.cni_version),
                         "ports": [{"containerPort": 61678, "name": "metrics"}],
                         "livenessProbe": {**probe, "initialDelaySeconds": 60},
                         "readinessProbe": {**probe, "initialDelaySeconds": 1},
                         "env": env,
                         "resources": {"requests": {"cpu": "25m"}},
                         "securityContext": {"capabilities": {"add": ["NET_ADMIN", "NET_RAW"]}},
                         "volumeMounts": mounts},
                        {"name": "aws-eks-nodeagent", "image": c.image("amazon/aws-network-policy-agent", "v1.2.0"),
                         "args": ["--enable-ipv6=false", "--enable-network-policy=false", "--metrics-bind-addr=:8162"],
                         "resources": {"requests": {"cpu": "25m"}},
                         "securityContext": {"capabilities": {"add": ["NET_ADMIN"]}, "privileged": True},
                         "volumeMounts": [{"mountPath": "/host/opt/cni/bin", "name": "cni-bin-dir"},
                                          {"mountPath": "/sys/fs/bpf", "name": "bpf-pin-path"}]},
                    ],
                    "volumes": [{"name": n, "hostPath": {"path": p}} for n, p in (
                        ("bpf-pin-path", "/sys/fs/bpf"), ("cni-bin-dir", "/opt/cni/bin"),
                        ("cni-net-dir", "/etc/cni/net.d"), ("log-dir", "/var/log/aws-routed-eni"),
                        ("run-dir", "/var/run/aws-node"), ("xtables-lock", "/run/xtables.lock"))],
                    "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
                        "nodeSelectorTerms": [{"matchExpressions": [
                            {"key": "kubernetes.io/os", "operator": "In", "values": ["linux"]},
                            {"key": "kubernetes.io/arch", "operator": "In", "values": ["amd64", "arm64"]}]}]}}},
                },
            },
        },
    }
    return dump(sa, role, ds, header=comment(f"Amazon VPC CNI {c.cni_version} for {c.name} (self-managed)."))


def vpc_cni_helm_values(c: Cluster) -> str:
    doc = {
        "nameOverride": "aws-node",
        "init": {"image": {"tag": c.cni_version, "region": c.region, "account": "602401143452"},
                 "env": {"DISABLE_TCP_EARLY_DEMUX": "false", "ENABLE_IPv6": "false"}},
        "image": {"tag": c.cni_version, "region": c.region, "account": "602401143452", "pullPolicy": "Always"},
        "nodeAgent": {"enabled": True, "image": {"tag": "v1.2.0"}, "enableCloudWatchLogs": "false"},
        "env": {**cni_env(c), "AWS_VPC_ENI_MTU": "9001", "AWS_VPC_K8S_CNI_VETHPREFIX": "eni",
                "VPC_CNI_VERSION": c.cni_version},
        "serviceAccount": {"create": True, "name": "aws-node",
                           "annotations": {"eks.amazonaws.com/role-arn": f"arn:aws:iam::{c.account}:role/{c.name}-vpc-cni"}},
        "resources": {"requests": {"cpu": "25m"}},
        "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "10%"}},
        "eniConfig": {"create": False},
        "tolerations": [{"operator": "Exists"}],
    }
    return dump(doc, header=comment(f"Values of the aws-vpc-cni chart for {c.name}."))


def aws_node_patch(c: Cluster) -> str:
    doc = {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "aws-node", "namespace": "kube-system"},
           "spec": {"template": {"spec": {"containers": [
               {"name": "aws-node", "env": [{"name": "WARM_IP_TARGET", "value": str(c.rng.choice((2, 5, 10)))},
                                            {"name": "MINIMUM_IP_TARGET", "value": "10"}]}]}}}}
    return dump(doc, header=comment("Kustomize patch: IP warm pool tuning on top of the managed add-on."))


def eni_config(c: Cluster, zone: str) -> str:
    doc = {"apiVersion": "crd.k8s.amazonaws.com/v1alpha1", "kind": "ENIConfig",
           "metadata": {"name": zone}, "spec": {"subnet": c.pod_subnets[zone], "securityGroups": [c.pod_sg, c.node_sg]}}
    return dump(doc, header=comment(f"Pod subnet for {zone} (custom networking, {c.pod_cidr})."))


def aws_conflist(c: Cluster) -> str:
    doc = {"cniVersion": "0.4.0", "name": "aws-cni", "disableCheck": True, "plugins": [
        {"name": "aws-cni", "type": "aws-cni", "vethPrefix": "eni", "mtu": "9001", "podSGEnforcingMode": "strict",
         "pluginLogFile": "/var/log/aws-routed-eni/plugin.log", "pluginLogLevel": "DEBUG",
         "capabilities": {"io.kubernetes.cri.pod-annotations": True}},
        {"name": "egress-cni", "type": "egress-cni", "mtu": "9001", "enabled": "false", "randomizeSNAT": "prng",
         "nodeIP": "", "ipam": {"type": "host-local", "ranges": [[{"subnet": "fd00::ac:00/118"}]],
                                "routes": [{"dst": "::/0"}], "dataDir": "/run/cni/v4pd/egress-v6-ipam"},
         "pluginLogFile": "/var/log/aws-routed-eni/egress-v6-plugin.log", "pluginLogLevel": "DEBUG"},
        {"type": "portmap", "capabilities": {"portMappings": True}, "snat": True}]}
    return json.dumps(doc, indent=2) + "\n"


def multus_conf(c: Cluster) -> str:
    doc = {"cniVersion": "0.4.0", "name": "multus-cni-network", "type": "multus",
           "kubeconfig": "/etc/cni/net.d/multus.d/multus.kubeconfig", "confDir": "/etc/cni/net.d",
           "readinessindicatorfile": "", "logLevel": "verbose", "logFile": "/var/log/multus.log",
           "delegates": [json.loads(aws_conflist(c))]}
    return json.dumps(doc, indent=2) + "\n"


def nad(c: Cluster, plugin: str, master: str, n: int) -> str:
    base = 64 + n * 16
    config = {"cniVersion": "0.3.1", "type": plugin, "master": master,
              "mode": "l2" if plugin == "ipvlan" else "bridge",
              "ipam": {"type": "whereabouts", "range": f"10.{c.second_octet}.{base}.0/24",
                       "range_start": f"10.{c.second_octet}.{base}.10", "range_end": f"10.{c.second_octet}.{base}.200",
                       "gateway": f"10.{c.second_octet}.{base}.1", "routes": [{"dst": f"10.{c.second_octet}.{base + 1}.0/24"}]}}
    text = json.dumps(config, indent=2).replace("\n", "\n    ")
    return (f'apiVersion: "k8s.cni.cncf.io/v1"\nkind: NetworkAttachmentDefinition\nmetadata:\n'
            f"  name: {plugin}-net{n}\n  namespace: telco\nspec:\n  config: |\n    {text}\n")


def attaching_workload(c: Cluster) -> str:
    doc = deployment(c, "packet-router", "telco", c.rng, extra_annotations={
        "k8s.v1.cni.cncf.io/networks": "ipvlan-net1, macvlan-net2"})
    return dump(doc)


def node_config(c: Cluster) -> str:
    doc = {"apiVersion": "node.eks.aws/v1alpha1", "kind": "NodeConfig",
           "spec": {"cluster": {"name": c.name, "apiServerEndpoint": f"https://{c.rng.getrandbits(64):016X}.gr7.{c.region}.eks.amazonaws.com",
                                "certificateAuthority": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUM=" * 6,
                                "cidr": "172.20.0.0/16"},
                    "kubelet": {"config": {"maxPods": c.max_pods, "clusterDNS": ["172.20.0.10"]},
                                "flags": ["--node-labels=karpenter.sh/capacity-type=on-demand"]}}}
    return dump(doc, header=comment("AL2023 nodeadm config used by the launch template user data."))


def ec2_node_class(c: Cluster) -> str:
    doc = {"apiVersion": "karpenter.k8s.aws/v1", "kind": "EC2NodeClass", "metadata": {"name": "default"},
           "spec": {"amiFamily": "AL2023", "role": f"KarpenterNodeRole-{c.name}",
                    "amiSelectorTerms": [{"alias": "al2023@latest"}],
                    "subnetSelectorTerms": [{"tags": {"karpenter.sh/discovery": c.name}}],
                    "securityGroupSelectorTerms": [{"tags": {"karpenter.sh/discovery": c.name}}],
                    "kubelet": {"maxPods": c.max_pods},
                    "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"volumeSize": "100Gi", "volumeType": "gp3",
                                                                                "encrypted": True}}],
                    "tags": {"team": "platform", "env": c.env}}}
    return dump(doc)


def node_pool(c: Cluster) -> str:
    doc = {"apiVersion": "karpenter.sh/v1", "kind": "NodePool", "metadata": {"name": "general"},
           "spec": {"template": {"spec": {
               "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": "default"},
               "requirements": [
                   {"key": "node.kubernetes.io/instance-type", "operator": "In", "values": c.rng.sample(INSTANCE_TYPES, 4)},
                   {"key": "karpenter.sh/capacity-type", "operator": "In", "values": ["on-demand", "spot"]},
                   {"key": "kubernetes.io/arch", "operator": "In", "values": ["amd64"]}]}},
               "limits": {"cpu": 1000, "memory": "1000Gi"},
               "disruption": {"consolidationPolicy": "WhenEmptyOrUnderutilized", "consolidateAfter": "1m"}}}
    return dump(doc)


def inventory(c: Cluster) -> str:
    subnets = []
    for i, z in enumerate(c.zones):
        for kind, ids, third in (("private", c.private_subnets, i * 32), ("pods", c.pod_subnets, i * 64)):
            cidr = f"10.{c.second_octet}.{third}.0/19" if kind == "private" else f"100.{64 + c.index % 64}.{third}.0/18"
            subnets.append({"AvailabilityZone": z, "AvailabilityZoneId": f"use1-az{i + 1}", "AvailableIpAddressCount": 8000,
                            "CidrBlock": cidr, "DefaultForAz": False, "MapPublicIpOnLaunch": False, "State": "available",
                            "SubnetId": ids[z], "VpcId": c.vpc_id, "OwnerId": c.account,
                            "Tags": [{"Key": "Name", "Value": f"{c.name}-{kind}-{z}"}]})
    return json.dumps({"Subnets": subnets}, indent=4) + "\n"


# --- unrelated manifests -------------------------------------------------------------------


def _env_vars(rng: random.Random, n: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i in range(n):
        name = f"{rng.choice(('APP', 'SVC', 'FEATURE', 'DB', 'CACHE', 'OTEL'))}_{rng.choice(APP_WORDS).upper()}_{i}"
        if rng.random() < 0.2:
            out.append({"name": name, "valueFrom": {"secretKeyRef": {"name": "app-secrets", "key": name.lower()}}})
        else:
            out.append({"name": name, "value": rng.choice(("true", "false", "info", "30s", str(rng.randrange(1, 5000))))})
    return out


def deployment(c: Cluster, app: str, ns: str, rng: random.Random,
               extra_annotations: dict[str, str] | None = None) -> dict[str, Any]:
    containers = []
    for k in range(rng.choice((1, 1, 1, 2))):
        name = app if k == 0 else "sidecar"
        containers.append({
            "name": name,
            "image": f"{c.account}.dkr.ecr.{c.region}.amazonaws.com/{ns}/{name}:{rng.randrange(1, 300)}.{rng.randrange(0, 40)}.0",
            "ports": [{"name": "http", "containerPort": 8080}, {"name": "metrics", "containerPort": 9090}],
            "env": _env_vars(rng, rng.randint(4, 24)),
            "resources": {"requests": {"cpu": f"{rng.choice((100, 250, 500))}m", "memory": f"{rng.choice((128, 256, 512))}Mi"},
                          "limits": {"memory": f"{rng.choice((512, 1024, 2048))}Mi"}},
            "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 10},
            "readinessProbe": {"httpGet": {"path": "/ready", "port": "http"}, "periodSeconds": 5},
            "securityContext": {"runAsNonRoot": True, "readOnlyRootFilesystem": True,
                                "allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}},
            "volumeMounts": [{"name": "config", "mountPath": "/etc/app"}, {"name": "tmp", "mountPath": "/tmp"}],
        })
    annotations = {"prometheus.io/scrape": "true", "prometheus.io/port": "9090"}
    annotations.update(extra_annotations or {})
    spec: dict[str, Any] = {
        "serviceAccountName": app,
        "containers": containers,
        "volumes": [{"name": "config", "configMap": {"name": f"{app}-config"}}, {"name": "tmp", "emptyDir": {}}],
        "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone",
                                       "whenUnsatisfiable": "ScheduleAnyway",
                                       "labelSelector": {"matchLabels": {"app.kubernetes.io/name": app}}}],
    }
    if rng.random() < 0.05:  # a workload pinned to Karpenter capacity: the pre-filter cannot skip it
        spec["nodeSelector"] = {"karpenter.sh/capacity-type": "on-demand"}
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": app, "namespace": ns, "labels": {"app.kubernetes.io/name": app, "team": ns}},
            "spec": {"replicas": rng.choice((2, 3, 4, 6)), "revisionHistoryLimit": 5,
                     "selector": {"matchLabels": {"app.kubernetes.io/name": app}},
                     "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}},
                     "template": {"metadata": {"labels": {"app.kubernetes.io/name": app, "team": ns},
                                               "annotations": annotations},
                                  "spec": spec}}}


def service(app: str, ns: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": app, "namespace": ns,
                                                               "labels": {"app.kubernetes.io/name": app}},
            "spec": {"type": "ClusterIP", "selector": {"app.kubernetes.io/name": app},
                     "ports": [{"name": "http", "port": 80, "targetPort": "http"},
                               {"name": "metrics", "port": 9090, "targetPort": "metrics"}]}}


def config_map(app: str, ns: str, rng: random.Random) -> dict[str, Any]:
    props = "".join(f"{rng.choice(APP_WORDS)}.{rng.choice(APP_WORDS)}.setting{i}={rng.randrange(0, 10**6)}\n"
                    for i in range(rng.randint(10, 120)))
    data = {"application.properties": props, "LOG_LEVEL": rng.choice(("info", "debug", "warn"))}
    if rng.random() < 0.3:
        data["nginx.conf"] = "".join(f"location /{rng.choice(APP_WORDS)}/{i} {{ proxy_pass http://{app}:8080; }}\n"
                                     for i in range(rng.randint(5, 40)))
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"{app}-config", "namespace": ns}, "data": data}


def ingress(c: Cluster, app: str, ns: str) -> dict[str, Any]:
    host = f"{app}.{c.env}.example.com"
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": {"name": app, "namespace": ns, "annotations": {
                "alb.ingress.kubernetes.io/scheme": "internal", "alb.ingress.kubernetes.io/target-type": "ip",
                "alb.ingress.kubernetes.io/group.name": f"{c.name}-internal",
                "external-dns.alpha.kubernetes.io/hostname": host}},
            "spec": {"ingressClassName": "alb", "tls": [{"hosts": [host]}],
                     "rules": [{"host": host, "http": {"paths": [
                         {"path": p, "pathType": "Prefix", "backend": {"service": {"name": app, "port": {"number": 80}}}}
                         for p in ("/", "/api", "/static")]}}]}}


def hpa(app: str, ns: str, rng: random.Random) -> dict[str, Any]:
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": app, "namespace": ns},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": app},
                     "minReplicas": 2, "maxReplicas": rng.choice((10, 20, 50)),
                     "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                         "type": "Utilization", "averageUtilization": 70}}}]}}


def kustomization(resources: list[str], ns: str, rng: random.Random, base: str) -> str:
    doc: dict[str, Any] = {}
    if rng.random() < 0.7:  # many real kustomizations omit apiVersion/kind (then the pre-filter parses them)
        doc.update({"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization"})
    doc.update({"namespace": ns, "resources": [base, *resources],
                "commonLabels": {"app.kubernetes.io/part-of": ns},
                "images": [{"name": "app", "newTag": f"{rng.randrange(1, 300)}.{rng.randrange(0, 40)}.0"}]})
    return dump(doc)


def _nested_values(rng: random.Random, depth: int, width: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for i in range(width):
        key = f"{rng.choice(APP_WORDS)}{i}"
        roll = rng.random()
        if depth > 0 and roll < 0.35:
            out[key] = _nested_values(rng, depth - 1, rng.randint(2, width))
        elif roll < 0.45:
            out[key] = [f"{rng.choice(APP_WORDS)}-{rng.randrange(100)}" for _ in range(rng.randint(1, 5))]
        else:
            out[key] = rng.choice((True, False, rng.randrange(0, 10000), f"{rng.choice(APP_WORDS)}", "", None))
    return out


def chart_values(chart: str, rng: random.Random) -> str:
    doc = {"replicaCount": rng.choice((1, 2, 3)),
           "image": {"repository": f"public.ecr.aws/bitnami/{chart}", "tag": f"{rng.randrange(1, 20)}.{rng.randrange(0, 9)}.0"},
           "resources": {"requests": {"cpu": "100m", "memory": "256Mi"}},
           "podAnnotations": {"prometheus.io/scrape": "true"},
           **_nested_values(rng, 3, rng.randint(6, 16))}
    return dump(doc, header=comment(f"Values of the {chart} chart."))


def helm_release(chart: str, ns: str, rng: random.Random) -> str:
    doc = {"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease", "metadata": {"name": chart, "namespace": ns},
           "spec": {"interval": "10m", "chart": {"spec": {"chart": chart, "version": f">={rng.randrange(1, 20)}.0.0",
                                                          "sourceRef": {"kind": "HelmRepository", "name": "charts"}}},
                    "valuesFrom": [{"kind": "ConfigMap", "name": f"{chart}-values"}],
                    "values": _nested_values(rng, 2, rng.randint(4, 10))}}
    return dump(doc)


def dashboard(title: str, rng: random.Random) -> str:
    panels = [{"id": i, "type": rng.choice(("timeseries", "stat", "table", "gauge")), "title": f"{title} {rng.choice(APP_WORDS)} {i}",
               "gridPos": {"h": 8, "w": 12, "x": (i % 2) * 12, "y": (i // 2) * 8},
               "datasource": {"type": "prometheus", "uid": "prom"},
               "targets": [{"expr": f'sum(rate(http_requests_total{{service="{rng.choice(APP_WORDS)}",code=~"5.."}}[5m])) by (pod)',
                            "legendFormat": "{{pod}}", "refId": "A"}],
               "fieldConfig": {"defaults": {"unit": rng.choice(("reqps", "s", "bytes", "percent")),
                                            "thresholds": {"mode": "absolute", "steps": [{"color": "green", "value": None},
                                                                                          {"color": "red", "value": 80}]}},
                               "overrides": []},
               "options": {"legend": {"displayMode": "list", "placement": "bottom"}, "tooltip": {"mode": "multi"}}}
              for i in range(rng.randint(8, 40))]
    return json.dumps({"title": title, "uid": f"{rng.getrandbits(40):010x}", "schemaVersion": 39, "version": rng.randrange(1, 50),
                       "time": {"from": "now-6h", "to": "now"}, "templating": {"list": []}, "panels": panels}, indent=2) + "\n"


def prometheus_rules(ns: str, rng: random.Random) -> str:
    rules = [{"alert": f"{rng.choice(APP_WORDS).title()}{i}HighErrorRate",
              "expr": f'sum(rate(http_requests_total{{namespace="{ns}",code=~"5.."}}[5m])) / sum(rate(http_requests_total{{namespace="{ns}"}}[5m])) > 0.0{rng.randrange(1, 9)}',
              "for": "10m", "labels": {"severity": rng.choice(("page", "ticket"))},
              "annotations": {"summary": "Error rate above the SLO", "runbook_url": f"https://runbooks.example.com/{ns}/{i}"}}
             for i in range(rng.randint(4, 20))]
    return dump({"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule", "metadata": {"name": f"{ns}-slo", "namespace": ns},
                 "spec": {"groups": [{"name": f"{ns}.rules", "rules": rules}]}})


def platform_files(c: Cluster) -> dict[str, str]:
    r = c.rng
    namespaces = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": t, "labels": {"team": t}}} for t in TEAMS]
    files = {
        "platform/namespaces.yaml": dump(*namespaces),
        "platform/priority-classes.yaml": dump(*({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
                                                  "metadata": {"name": n}, "value": v, "globalDefault": False}
                                                 for n, v in (("critical", 1000000), ("high", 10000), ("batch", 100)))),
        "platform/storage-class.yaml": dump({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
                                             "metadata": {"name": "gp3", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
                                             "provisioner": "ebs.csi.aws.com", "volumeBindingMode": "WaitForFirstConsumer",
                                             "parameters": {"type": "gp3", "encrypted": "true"}}),
        "platform/rbac.yaml": dump(*({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                                      "metadata": {"name": f"{t}-edit", "namespace": t},
                                      "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"},
                                      "subjects": [{"kind": "Group", "name": f"{t}-developers"}]} for t in TEAMS)),
        "platform/network-policies.yaml": dump(*({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                                                  "metadata": {"name": "default-deny", "namespace": t},
                                                  "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"],
                                                           "egress": [{"to": [{"namespaceSelector": {"matchLabels": {"name": "kube-system"}}}],
                                                                       "ports": [{"port": 53, "protocol": "UDP"}]}]}} for t in TEAMS)),
        "platform/cluster-issuer.yaml": dump({"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer",
                                              "metadata": {"name": "letsencrypt"},
                                              "spec": {"acme": {"server": "https://acme-v02.api.letsencrypt.org/directory",
                                                                "email": "platform@example.com", "privateKeySecretRef": {"name": "le-key"},
                                                                "solvers": [{"dns01": {"route53": {"region": c.region}}}]}}}),
        "platform/monitoring/slo-rules.yaml": prometheus_rules("platform", r),
        "platform/monitoring/dashboard-overview.json": dashboard(f"{c.name} overview", r),
        "platform/monitoring/dashboard-ingress.json": dashboard(f"{c.name} ingress", r),
    }
    for chart in r.sample(CHARTS, 4):
        files[f"platform/charts/{chart}/values.yaml"] = chart_values(chart, r)
    return files


def app_files(c: Cluster, app: str, ns: str) -> dict[str, str]:
    r = c.rng
    d = f"apps/{ns}/{app}"
    files: dict[str, str] = {}
    resources = []
    if r.random() < 0.25:  # Deployment and Service in one multi-document file
        files[f"{d}/manifests.yaml"] = dump(deployment(c, app, ns, r), service(app, ns))
        resources.append("manifests.yaml")
    else:
        files[f"{d}/deployment.yaml"] = dump(deployment(c, app, ns, r))
        files[f"{d}/service.yaml"] = dump(service(app, ns))
        resources += ["deployment.yaml", "service.yaml"]
    files[f"{d}/configmap.yaml"] = dump(config_map(app, ns, r))
    resources.append("configmap.yaml")
    if r.random() < 0.5:
        files[f"{d}/ingress.yaml"] = dump(ingress(c, app, ns))
        resources.append("ingress.yaml")
    if r.random() < 0.5:
        files[f"{d}/hpa.yaml"] = dump(hpa(app, ns, r))
        resources.append("hpa.yaml")
    if r.random() < 0.3:
        chart = r.choice(CHARTS)
        files[f"{d}/{chart}-values.yaml"] = chart_values(chart, r)
    elif r.random() < 0.3:
        files[f"{d}/helmrelease.yaml"] = helm_release(r.choice(CHARTS), ns, r)
    files[f"{d}/kustomization.yaml"] = kustomization(resources, ns, r, f"../../../../../base/{app.split('-')[0]}")
    return files


def cluster_files(c: Cluster) -> dict[str, str]:
    """Every file of one cluster, by path relative to ``clusters/<name>/``."""
    files: dict[str, str] = {"cluster.yaml": cluster_config(c)}
    if c.cni_mode == "daemonset":
        files["networking/vpc-cni/aws-node.yaml"] = aws_node_daemonset(c)
    elif c.cni_mode == "helm":
        files["networking/vpc-cni/values.yaml"] = vpc_cni_helm_values(c)
    else:
        files["networking/vpc-cni/aws-node-patch.yaml"] = aws_node_patch(c)
    for zone in c.zones:
        files[f"networking/eniconfigs/{zone}.yaml"] = eni_config(c, zone)
    files["networking/cni/10-aws.conflist"] = aws_conflist(c)
    files["networking/multus/00-multus.conf"] = multus_conf(c)
    files["networking/multus/nad-ipvlan.yaml"] = nad(c, "ipvlan", "eth1", 1)
    files["networking/multus/nad-macvlan.yaml"] = nad(c, "macvlan", "eth2", 2)
    files["apps/telco/packet-router/deployment.yaml"] = attaching_workload(c)
    files["nodes/nodeconfig.yaml"] = node_config(c)
    files["karpenter/ec2nodeclass.yaml"] = ec2_node_class(c)
    files["karpenter/nodepool.yaml"] = node_pool(c)
    if c.index % 5 == 0:
        files["inventory/describe-subnets.json"] = inventory(c)
    files.update(platform_files(c))
    budget = 98 - len(files)
    for k in range(40):
        app = c.team_apps[k % len(c.team_apps)] + ("" if k < len(c.team_apps) else f"-{k // len(c.team_apps)}")
        extra = app_files(c, app, TEAMS[k % len(TEAMS)])
        if len(extra) > budget:
            break
        files.update(extra)
        budget -= len(extra)
    for k in range(budget):  # top up to a stable count per cluster with small ConfigMaps
        files[f"apps/extra/configmap-{k:02d}.yaml"] = dump(config_map(f"extra{k}", "platform", c.rng))
    return files


def base_files(seed: int) -> dict[str, str]:
    rng = random.Random(f"{seed}:base")
    fake = Cluster(seed, 0)
    files: dict[str, str] = {}
    for word in APP_WORDS:
        app = word
        files[f"base/{app}/deployment.yaml"] = dump(deployment(fake, app, "base", rng))
        files[f"base/{app}/service.yaml"] = dump(service(app, "base"))
        files[f"base/{app}/kustomization.yaml"] = dump({"apiVersion": "kustomize.config.k8s.io/v1beta1",
                                                        "kind": "Kustomization",
                                                        "resources": ["deployment.yaml", "service.yaml"]})
    for k in range(100 - len(files)):
        files[f"base/common/configmap-{k:02d}.yaml"] = dump(config_map(f"common{k}", "base", rng))
    return files


def generate(out: Path, clusters: int = 50, seed: int = 1, *, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Write the corpus into ``out`` (emptied first) and return its manifest."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    count = 0
    size = 0

    def write(rel: str, text: str) -> None:
        nonlocal count, size
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode()
        path.write_bytes(data)
        count += 1
        size += len(data)

    for rel, text in sorted(base_files(seed).items()):
        write(rel, text)
    names = []
    for index in range(clusters):
        c = Cluster(seed, index)
        names.append(c.name)
        for rel, text in sorted(cluster_files(c).items()):
            write(f"clusters/{c.name}/{rel}", text)
        if progress and (index + 1) % 25 == 0:
            progress(f"  {index + 1}/{clusters} clusters")
    # A git repository, so that the pre-commit mode (--in-repo) finds its root here.
    if shutil.which("git"):
        subprocess.run(["git", "init", "-q", str(out)], check=True)
    else:
        (out / ".git").mkdir()
    manifest = {"generator": GENERATOR_VERSION, "clusters": clusters, "seed": seed, "files": count, "bytes": size,
                "cluster_names": names}
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


def read_manifest(out: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((out / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def ensure(out: Path, clusters: int, seed: int, *, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """The corpus at ``out``, generated only when missing or made by another generator version/arguments."""
    manifest = read_manifest(out)
    if manifest and (manifest.get("generator"), manifest.get("clusters"), manifest.get("seed")) == (
            GENERATOR_VERSION, clusters, seed):
        return manifest
    if progress:
        progress(f"generating {clusters} clusters into {out}")
    return generate(out, clusters, seed, progress=progress)


def default_dir(clusters: int, seed: int) -> Path:
    return DEFAULT_ROOT / f"c{clusters}-s{seed}"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--clusters", type=int, default=50, help="number of clusters (default 50, about 5,000 files)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", type=Path, help="target directory (default benchmarks/corpus/c<N>-s<seed>)")
    p.add_argument("--force", action="store_true", help="regenerate even if the directory holds this corpus")
    args = p.parse_args(argv)
    out = args.out or default_dir(args.clusters, args.seed)
    say = lambda m: print(m, file=sys.stderr)  # noqa: E731
    manifest = (generate(out, args.clusters, args.seed, progress=say) if args.force
                else ensure(out, args.clusters, args.seed, progress=say))
    print(f"{out}: {manifest['files']} files, {manifest['bytes'] / 1e6:.1f} MB, {manifest['clusters']} clusters")
    return 0


if __name__ == "__main__":
    sys.exit(main())
