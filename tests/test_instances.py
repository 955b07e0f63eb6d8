"""Tests of the bundled instance-type lookup, the type-name regex and did-you-mean."""
from __future__ import annotations

import csv
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from eks_net_lint import instances
from eks_net_lint.instances import did_you_mean, edit_distance, instance_table, is_valid_type_name, lookup


def test_lookup_returns_figures_of_both_files() -> None:
    m5 = lookup("m5.large")
    assert m5 is not None
    assert (m5.enis, m5.enis_default_card, m5.ipv4_per_eni, m5.vcpus) == (3, 3, 10, 2)
    assert (m5.hypervisor, m5.bare_metal, m5.trunking_compatible, m5.eni_max_pods) == ("nitro", False, True, 29)
    assert m5.nitro and m5.has_eni_data


def test_multi_card_type_keeps_both_eni_counts() -> None:
    p5 = lookup("p5.48xlarge")
    assert p5 is not None
    assert (p5.enis, p5.enis_default_card, p5.network_cards, p5.eni_max_pods) == (64, 2, 32, 100)


def test_bare_metal_has_no_hypervisor() -> None:
    metal = lookup("m5.metal")
    assert metal is not None and metal.bare_metal is True and metal.hypervisor is None and not metal.nitro


def test_type_only_in_eni_max_pods_txt_has_only_its_figure() -> None:
    hpc = lookup("hpc7a.12xlarge")
    assert hpc is not None and hpc.eni_max_pods is not None
    assert not hpc.has_eni_data and hpc.vcpus is None and hpc.hypervisor is None


def test_type_only_in_csv_has_no_file_figure() -> None:
    i3 = lookup("i3.metal")
    assert i3 is not None and i3.eni_max_pods is None and i3.has_eni_data


@pytest.mark.parametrize("name", ["m5.larg", "", None, 5, ["m5.large"], "M5.LARGE"])
def test_lookup_of_unknown_or_wrong_type_is_none(name: object) -> None:
    assert lookup(name) is None


def test_table_is_immutable_and_cached() -> None:
    table = instance_table()
    assert table is instance_table()
    with pytest.raises(TypeError):
        table["x.large"] = table["m5.large"]  # type: ignore[index]
    with pytest.raises(FrozenInstanceError):
        table["m5.large"].vcpus = 4  # type: ignore[misc]


def test_table_covers_every_type_of_both_upstream_files(upstream: Path) -> None:
    with (upstream / "instance-types.csv").open(newline="") as fh:
        csv_types = {row["instance_type"] for row in csv.DictReader(fh)}
    txt_types = {
        line.split()[0]
        for line in (upstream / "amazon-eks-ami" / "eni-max-pods.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert set(instance_table()) == csv_types | txt_types
    assert len(csv_types) == 1164 and len(txt_types) == 1197


def test_data_source_names_the_inputs() -> None:
    inputs = instances.data_source()["inputs"]
    assert set(inputs) == {"upstream/instance-types.csv", "upstream/amazon-eks-ami/eni-max-pods.txt"}


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("m5.large", True),
        ("u-6tb1.metal", True),
        ("p6-b200.48xlarge", True),
        ("c8gn.metal-48xl", True),
        ("m5.larg", True),
        ("M5.large", False),
        ("m5large", False),
        ("m5.", False),
        (".large", False),
        ("5m.large", False),
        ("m5.large ", False),
        ("m5.large.x", False),
        ("${INSTANCE_TYPE}", False),
        (None, False),
        (3, False),
    ],
)
def test_type_name_regex(name: object, valid: bool) -> None:
    assert is_valid_type_name(name) is valid


def test_every_bundled_type_matches_the_regex() -> None:
    assert [n for n in instance_table() if not is_valid_type_name(n)] == []


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [("m5.large", "m5.large", 0), ("m5.larg", "m5.large", 1), ("m5.lagre", "m5.large", 2), ("kitten", "sitting", 3)],
)
def test_edit_distance(a: str, b: str, distance: int) -> None:
    assert edit_distance(a, b, limit=5) == distance


def test_edit_distance_stops_at_the_limit() -> None:
    assert edit_distance("m5.large", "c7gn.16xlarge", limit=2) == 3


def test_did_you_mean_suggests_the_nearest_known_type() -> None:
    assert did_you_mean("m5.larg") == ("m5.large",)
    ties = did_you_mean("m6.large")
    assert len(ties) > 1 and ties == tuple(sorted(ties))
    assert len({edit_distance("m6.large", n) for n in ties}) == 1 and "m6i.large" in ties
    assert "m5.large" in did_you_mean("m5.lrage")
    assert did_you_mean("M5.LARGE") == ("m5.large",)


@pytest.mark.parametrize("name", ["m5.large", "zz9.enormous", "", None, 7])
def test_did_you_mean_is_empty_for_known_far_or_wrong_names(name: object) -> None:
    assert did_you_mean(name) == ()


def test_did_you_mean_respects_the_distance() -> None:
    assert all(edit_distance("m5.lrg", n) <= 2 for n in did_you_mean("m5.lrg"))
    assert did_you_mean("m5.lrg", max_distance=1) == ()
