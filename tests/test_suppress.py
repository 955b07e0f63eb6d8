"""Suppression grammar (table-driven) and its effect through the API."""
from __future__ import annotations

import pytest

from eks_net_lint.api import lint_text
from eks_net_lint.load import SourceFile
from eks_net_lint.suppress import parse_comments

BAD = """apiVersion: crd.k8s.amazonaws.com/v1alpha1
kind: ENIConfig
metadata:
  name: us-west-2a
spec:
  subnet: NEW-SUBNET-ID1{trailing}
"""


@pytest.mark.parametrize(
    ("line", "kind", "names", "first"),
    [
        ("a: 1  # eks-net-lint: disable=ENI001", "line", ("ENI001",), 1),
        ("# eks-net-lint: disable=ENI001,missing-zone-eniconfig", "line", ("ENI001", "missing-zone-eniconfig"), 2),
        ("#eks-net-lint:disable-file=ENI005 , LNT003", "file", ("ENI005", "LNT003"), 1),
        ("a: 1 # eks-net-lint: disable=ENI001 # another comment", "line", ("ENI001",), 1),
    ],
)
def test_comment_grammar(line: str, kind: str, names: tuple[str, ...], first: int) -> None:
    (s,) = parse_comments(SourceFile("f.yaml", text=line + "\nb: 2\n"))
    assert (s.kind, s.names, s.first_line) == (kind, names, first)


@pytest.mark.parametrize(
    "line",
    ["a: '# eks-net-lint: disable=ENI001'x", "# eks-net-lint: disable=", "# eks-net-lint: enable=ENI001",
     "a: 1 #eks-net-lint disable=ENI001"],
)
def test_not_a_suppression(line: str) -> None:
    assert parse_comments(SourceFile("f.yaml", text=line + "\n")) == []


def rules_fired(text: str) -> list[str]:
    return [f.rule.id for f in lint_text(text).findings]


def test_trailing_comment_suppresses_by_id_or_name() -> None:
    assert rules_fired(BAD.format(trailing="")) == ["ENI005"]
    assert rules_fired(BAD.format(trailing="  # eks-net-lint: disable=ENI005")) == []
    assert rules_fired(BAD.format(trailing="  # eks-net-lint: disable=eniconfig-invalid-subnet")) == []


def test_comment_on_the_line_above() -> None:
    text = BAD.format(trailing="").replace("  subnet:", "  # eks-net-lint: disable=ENI005\n  subnet:")
    assert rules_fired(text) == []


def test_disable_file_and_annotation() -> None:
    assert rules_fired("# eks-net-lint: disable-file=ENI005\n" + BAD.format(trailing="")) == []
    annotated = BAD.format(trailing="").replace(
        "  name: us-west-2a\n", '  name: us-west-2a\n  annotations:\n    eks-net-lint.io/ignore: "ENI005"\n')
    assert rules_fired(annotated) == []


def test_unused_and_unknown_suppressions_are_lnt006() -> None:
    good = BAD.format(trailing="").replace("NEW-SUBNET-ID1", "subnet-0a1b2c3d4e5f60718")
    assert rules_fired(good.replace("us-west-2a\n", "us-west-2a  # eks-net-lint: disable=ENI005\n", 1)) == ["LNT006"]
    assert rules_fired(good + "# eks-net-lint: disable-file=NOPE999\n") == ["LNT006"]
