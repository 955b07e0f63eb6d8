"""Exact positions inside quoted YAML scalars (eks_net_lint.cni.embedded) and through the CLI path."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml

from eks_net_lint.cni.embedded import quoted_positions
from eks_net_lint.config import Config
from eks_net_lint.engine import lint

SINGLE = """apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata:
  name: ipvlan-a
spec:
  config: '{
      "cniVersion": "0.3.1",
      "type": "ipvlan",
      "master": "eth0",
      "mode": "L2",

      "ipam": {"type": "static", "addresses": [{"address": "10.0.4.70/24", "note": "it''s"}]}
    }'
"""


def _find(text: str, needle: str) -> tuple[int, int]:
    for number, line in enumerate(text.split("\n"), 1):
        col = line.find(needle)
        if col >= 0:
            return number, col + 1
    raise AssertionError(needle)


@pytest.mark.parametrize(
    ("source", "base"),
    [
        (SINGLE, (6, 11)),
        ('k: "{\\"a\\": \\"x\\\\y\\",\n  \\"b\\": 1}"\n', (1, 4)),
        ('k: "line\\\n    continued \\u00e9"\n', (1, 4)),
        ("k: 'a\n\n\n  b  \n  c'\n", (1, 4)),
    ],
)
def test_rebuilt_string_equals_the_yaml_value(source: str, base: tuple[int, int]) -> None:
    found = quoted_positions(source, (*base, 0, 0))
    assert found is not None
    value, positions = found
    expected = yaml.safe_load(source)
    expected = expected["spec"]["config"] if "spec" in expected else expected["k"]
    assert value == expected
    assert len(positions) == len(value)


def test_every_character_maps_to_its_own_place() -> None:
    value, positions = quoted_positions(SINGLE, (6, 11, 0, 0)) or ("", [])
    lines = SINGLE.split("\n")
    for offset, char in enumerate(value):
        line, col = positions[offset]
        if char in " \n" and (col > len(lines[line - 1]) or lines[line - 1][col - 1] != char):
            continue  # a folded line break stands for the end of its line
        if char == "'":
            assert lines[line - 1][col - 1 : col + 1] == "''"
        else:
            assert lines[line - 1][col - 1] == char, (offset, char, line, col)


@pytest.mark.parametrize("source", ["k: plain text\n", "k: 'unterminated\n", "k: \"bad \\q escape\"\n"])
def test_unmappable_scalars_give_up(source: str) -> None:
    assert quoted_positions(source, (1, 4, 0, 0)) is None


def test_findings_in_a_single_quoted_nad_point_at_their_line(tmp_path: Path) -> None:
    target = tmp_path / "nad.yaml"
    target.write_text(SINGLE, "utf-8")
    (tmp_path / "cluster.yaml").write_text(
        "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: prod, region: us-west-2}\n", "utf-8"
    )
    config = dataclasses.replace(Config(base=tmp_path), select=frozenset({"NAD008", "NAD009"}))
    report = lint([str(tmp_path)], config)
    got = {(f.rule.id, f.location.line, f.location.col) for f in report.findings}
    assert got == {
        ("NAD008", *_find(SINGLE, '"L2"')),
        ("NAD009", *_find(SINGLE, '"eth0"')),
    }
