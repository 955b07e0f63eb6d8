"""The pre-filter: what is parsed, what is only syntax-checked, and the keyword trie."""
from __future__ import annotations

import json
import re
from importlib import resources

import pytest

from eks_net_lint.prefilter import ALL_WORDS, _trie_pattern, has_keyword, is_kindless_yaml

# Setting names shared with unrelated software, deliberately not keywords (prefilter.py).
GENERIC = {"CLUSTER_NAME", "CLUSTER_ENDPOINT", "HTTP_TIMEOUT", "MY_NODE_NAME", "MY_POD_NAME", "DISABLE_METRICS",
           "VPC_CNI_VERSION"}


def test_every_cni_setting_of_the_catalogue_makes_a_file_relevant() -> None:
    data = json.loads(resources.files("eks_net_lint.data").joinpath("cni_settings.json").read_text())
    for container in ("aws-node", "aws-vpc-cni-init"):
        for name in data["containers"][container]:
            if name not in GENERIC:
                assert has_keyword(f"env:\n  {name}: '1'\n"), f"{name} is not a pre-filter keyword"


@pytest.mark.parametrize("word", ALL_WORDS)
def test_trie_matches_each_word_in_context(word: str) -> None:
    assert has_keyword(f"x: a {word} b\n")


def test_trie_equals_plain_alternation_on_prefixes() -> None:
    words = ("ab", "abc", "abd", "b", "ENI_CONFIG_", "ENIConfig")
    trie = re.compile(_trie_pattern(words))
    plain = re.compile("|".join(map(re.escape, words)))
    for text in ("xabcx", "ab", "a", "bb", "ENI_CONFIG_LABEL_DEF", "ENIConf", "zzz", "ENIConfigs"):
        assert bool(trie.search(text)) == bool(plain.search(text)), text


@pytest.mark.parametrize(
    ("text", "kindless"),
    [("replicaCount: 3\n", True), ("apiVersion: v1\nkind: Service\n", False), ("", False), ("# only\n", True)],
)
def test_kindless_yaml(text: str, kindless: bool) -> None:
    assert is_kindless_yaml(text) is kindless


def test_unrelated_manifest_is_not_relevant() -> None:
    assert not has_keyword("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: shop}\n")
