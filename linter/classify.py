"""Documents → typed views: a table keyed on (group, kind), then content recognisers.

Kubernetes ``List`` items are expanded. Every document that no entry takes records why it was
skipped, which ``--explain-skips`` prints (kubeconform's Skipped status).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .load import Document, SourceFile
from .cfn import cfn_template
from .inventory import inventory_view
from .located import LMap
from .nodepods import Ec2NodeClass, NodeConfig, NodePool, cfn_launch_templates
from .views import AwsNode, ClusterConfig, EniConfig, Signature, View, Workload
from .cni import views as cni_views
from .cni_sources import recognise_helm_values, recognise_vpc_cni_configmap

ViewFactory = Callable[[Document, LMap, Signature], "View | None"]


def _aws_node(doc: Document, data: LMap, sig: Signature) -> View | None:
    return AwsNode(doc, data, sig) if sig.name == "aws-node" else None


def _make(cls: type[View]) -> ViewFactory:
    return lambda doc, data, sig: cls(doc, data, sig)


# (group, kind) → factory. A factory may decline (return None) so the content recognisers run.
KIND_TABLE: dict[tuple[str, str], ViewFactory] = {
    ("apps", "DaemonSet"): _aws_node,
    ("extensions", "DaemonSet"): _aws_node,
    ("crd.k8s.amazonaws.com", "ENIConfig"): _make(EniConfig),
    ("eksctl.io", "ClusterConfig"): _make(ClusterConfig),
    (cni_views.NAD_GROUP, cni_views.NAD_KIND): cni_views.nad_factory,
    ("node.eks.aws", "NodeConfig"): _make(NodeConfig),
    ("karpenter.k8s.aws", "EC2NodeClass"): _make(Ec2NodeClass),
    ("karpenter.sh", "NodePool"): _make(NodePool),
}

# Recognisers by content, tried in order for documents the table did not take.
CONTENT_RECOGNISERS: tuple[tuple[str, ViewFactory], ...] = (
    ("aws-inventory", inventory_view),
    ("cloudformation-launch-templates", cfn_launch_templates),
    ("cloudformation", cfn_template),
    ("cni-config-file", cni_views.recognise_cni_file),
    ("network-attachment-misspelt", cni_views.recognise_nad),
    ("cni-configmap", cni_views.recognise_configmap),
    ("cni-daemonset", cni_views.recognise_daemonset),
    ("vpc-cni-helm-values", recognise_helm_values),
    ("amazon-vpc-cni-configmap", recognise_vpc_cni_configmap),
)

WORKLOAD_KINDS = frozenset({"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"})


@dataclass(frozen=True, slots=True)
class Skip:
    """A document no view took, and why."""

    path: str
    line: int
    reason: str


def expand_lists(source: SourceFile) -> Iterator[tuple[Document, LMap]]:
    """Mapping documents of a file, with ``kind: List`` items in place of the List."""
    for doc in source.documents:
        data = doc.data
        if not isinstance(data, LMap):
            continue
        items = data.get("items")
        if data.get("kind") == "List" and isinstance(items, list):
            for index, item in enumerate(items):
                if isinstance(item, LMap):
                    yield Document(source, doc.index * 100_000 + index, item, item.pos), item
        else:
            yield doc, data


def classify(source: SourceFile) -> tuple[list[View], list[Skip]]:
    """Views for the documents of one file, and skip records for the rest."""
    views: list[View] = []
    skips: list[Skip] = []
    for doc, data in expand_lists(source):
        sig = Signature.of(data)
        view: View | None = None
        factory = KIND_TABLE.get((sig.group.split("/")[0], sig.kind))
        if factory is not None:
            view = factory(doc, data, sig)
        if view is None:
            for _name, recognise in CONTENT_RECOGNISERS:
                view = recognise(doc, data, sig)
                if view is not None:
                    break
        if view is None and sig.kind in WORKLOAD_KINDS:
            view = Workload(doc, data, sig)
        if view is None:
            what = str(sig) if sig.kind else "a document without kind"
            skips.append(Skip(source.path, doc.pos[0], f"{what}: not a kind eks-net-lint reads"))
            continue
        views.append(view)
    return views, skips
