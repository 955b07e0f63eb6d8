"""The cheap text test that decides which files are worth parsing at all.

Most files of a GitOps repo are unrelated manifests; parsing them would cost more than the whole
lint. A file is parsed when its text names a relevant kind, key or setting, or when it is a CNI
config file. A YAML file with no top-level ``kind:`` and no such word (other charts' values files,
broken YAML) gets only a syntax and alias-expansion check from libyaml's event stream.
"""
from __future__ import annotations

import re

# Words whose presence makes a document possibly relevant. Families add their own kinds here.
KEYWORDS = (
    "aws-node",
    "ENIConfig",
    "eniConfig",
    "eksctl.io",
    "ClusterConfig",
    "amazon-k8s-cni",
    "aws-vpc-cni",
    "amazon-vpc-cni",
    "k8s.v1.cni.cncf.io",
    "NetworkAttachmentDefinition",
    "cniVersion",
    "multus",
    "node.eks.aws",
    "NodeConfig",
    "EC2NodeClass",
    "NodePool",
    "karpenter.k8s.aws",
    "AWSTemplateFormatVersion",
    "AWS::EC2::",
    "eks-net-lint:",  # an inline suppression (LNT006 must see it)
    "eks-net-lint.io/ignore",
    "Subnets",
    "Vpcs",
    "enableNetworkPolicy",
    "enable-network-policy",
)
# VPC CNI setting names (linter/data/cni_settings.json), so that a Helm values override holding
# only `env:` is read; names shared with unrelated software (CLUSTER_NAME, MY_POD_NAME, …) are
# left out. tests/test_prefilter.py checks this against the catalogue.
CNI_SETTING_WORDS = (
    "AWS_VPC_", "ENI_CONFIG_", "HOST_CNI_", "WARM_ENI_TARGET", "WARM_IP_TARGET", "WARM_PREFIX_TARGET",
    "MINIMUM_IP_TARGET", "MAX_ENI", "ENABLE_PREFIX_DELEGATION", "ENABLE_POD_ENI", "ENABLE_IPv4", "ENABLE_IPv6",
    "ENABLE_V4_EGRESS", "ENABLE_V6_EGRESS", "ENABLE_BANDWIDTH_PLUGIN", "ENABLE_IMDS_ONLY_MODE", "ENABLE_MULTI_NIC",
    "ENABLE_NFTABLES", "ENABLE_SUBNET_DISCOVERY", "ADDITIONAL_ENI_TAGS", "ANNOTATE_POD_IP", "AWS_EC2_ENDPOINT",
    "AWS_EXTERNAL_SERVICE_CIDRS", "AWS_MANAGE_ENIS_NON_SCHEDULABLE", "DISABLE_INTROSPECTION",
    "DISABLE_LEAKED_ENI_CLEANUP", "DISABLE_NETWORK_RESOURCE_PROVISIONING", "DISABLE_POD_V6",
    "DISABLE_TCP_EARLY_DEMUX", "INTROSPECTION_BIND_ADDRESS", "IP_COOLDOWN_PERIOD", "MANAGE_UNTAGGED_ENI",
    "NETWORK_POLICY_ENFORCING_MODE", "POD_MTU", "POD_SECURITY_GROUP_ENFORCING_MODE",
)
ALL_WORDS = KEYWORDS + CNI_SETTING_WORDS


def _trie_pattern(words: tuple[str, ...]) -> str:
    """One regex for many literals, shaped as a trie so the engine branches once per character."""
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def render(node: dict) -> str:  # type: ignore[type-arg]
        if "" in node and len(node) == 1:
            return ""
        branches = [re.escape(c) + render(child) for c, child in sorted(node.items()) if c]
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return render(trie)


_RELEVANT = re.compile(_trie_pattern(ALL_WORDS))
_TOP_LEVEL_KIND = re.compile(r"^kind\s*:", re.M)


def has_keyword(text: str) -> bool:
    """The text names a relevant kind, key or VPC CNI setting: the file is parsed."""
    return _RELEVANT.search(text) is not None


def is_kindless_yaml(text: str) -> bool:
    """YAML without a top-level ``kind:`` (values files, broken YAML): only its syntax is checked."""
    return _TOP_LEVEL_KIND.search(text) is None and bool(text.strip())


def has_relevant_word(chunk: bytes) -> bool:
    """The streaming form used on files over the size limit."""
    return any(k.encode() in chunk for k in ALL_WORDS)


def skip_reason(display: str) -> str:
    return f"{display}: no relevant kind or setting in the text (pre-filter)"
