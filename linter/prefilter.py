"""The cheap text test that decides which files are worth parsing at all.

Most files of a GitOps repo are unrelated manifests; parsing them would cost more than the whole
lint. A file is parsed when its text names a relevant kind or key, when it is a YAML file with
no top-level ``kind:`` (values files, broken YAML), or when it is a CNI config file.
"""
from __future__ import annotations

import re

# Words whose presence makes a document possibly relevant. Families add their own kinds here.
KEYWORDS = (
    "aws-node",
    "ENIConfig",
    "eksctl.io",
    "ClusterConfig",
    "amazon-k8s-cni",
    "aws-vpc-cni",
    "amazon-vpc-cni",
    "AWS_VPC_",
    "ENABLE_PREFIX_DELEGATION",
    "WARM_IP_TARGET",
    "k8s.v1.cni.cncf.io",
    "NetworkAttachmentDefinition",
    "cniVersion",
    "multus",
    "node.eks.aws",
    "NodeConfig",
    "EC2NodeClass",
    "NodePool",
    "karpenter",
    "AWSTemplateFormatVersion",
    "AWS::EC2::",
    "eks-net-lint:",  # an inline suppression (LNT006 must see it)
    "eks-net-lint.io/ignore",
    "Subnets",
    "Vpcs",
)
_RELEVANT = re.compile("|".join(re.escape(k) for k in KEYWORDS))
_TOP_LEVEL_KIND = re.compile(r"^kind\s*:", re.M)


def is_relevant(text: str, fmt: str) -> bool:
    """True when the file may hold a document some rule reads."""
    if _RELEVANT.search(text):
        return True
    if fmt == "yaml":
        return _TOP_LEVEL_KIND.search(text) is None and bool(text.strip())
    return False


def has_relevant_word(chunk: bytes) -> bool:
    """The streaming form used on files over the size limit."""
    return any(k.encode() in chunk for k in KEYWORDS)


def skip_reason(display: str) -> str:
    return f"{display}: no relevant kind or setting in the text (pre-filter)"
