"""Tests of the max-pods calculator against every worked example of reference/max-pods.md."""
from __future__ import annotations

from pathlib import Path

import pytest

from eks_net_lint.instances import instance_table, lookup
from eks_net_lint.maxpods import (
    CniMode,
    MaxPods,
    NoData,
    calculate,
    default_max_pods,
    guidance_cap,
    parse_cni_version,
)

SECONDARY = CniMode(cni_version="1.18.0", pd_nitro_only=True)
CN = CniMode(custom_networking=True, cni_version="1.18.0", pd_nitro_only=True)
PD = CniMode(prefix_delegation=True, cni_version="1.18.0", pd_nitro_only=True)
PD_CN = CniMode(prefix_delegation=True, custom_networking=True, cni_version="1.18.0", pd_nitro_only=True)

# reference/max-pods.md § 5: per mode, uncapped → capped (the script's own output, CNI 1.18.0).
WORKED = {
    "m5.large": ((29, 29), (20, 20), (434, 110), (290, 110)),
    "t3.medium": ((17, 17), (12, 12), (242, 110), (162, 110)),
    "c5.large": ((29, 29), (20, 20), (434, 110), (290, 110)),
    "m5.24xlarge": ((737, 250), (688, 250), (11762, 250), (10978, 250)),
    "m5.metal": ((737, 250), (688, 250), (737, 250), (688, 250)),
    "t2.medium": ((17, 17), (12, 12), (17, 17), (12, 12)),
    "m4.xlarge": ((58, 58), (44, 44), (58, 58), (44, 44)),
    "m5.8xlarge": ((234, 234), (205, 205), (3714, 250), (3250, 250)),
    "c6in.32xlarge": ((394, 250), (345, 250), (6274, 250), (5490, 250)),
    "p5.48xlarge": ((100, 100), (51, 51), (1570, 250), (786, 250)),
    "c8i.48xlarge": ((1514, 250), (1451, 250), (24194, 250), (23186, 250)),
    "t3.micro": ((4, 4), (3, 3), (34, 34), (18, 18)),
}


def computed(name: str, mode: CniMode) -> MaxPods:
    result = calculate(name, mode)
    assert isinstance(result, MaxPods), result
    return result


@pytest.mark.parametrize("name", sorted(WORKED))
@pytest.mark.parametrize("index", range(4), ids=["secondary", "custom-networking", "pd", "pd+cn"])
def test_reference_worked_examples(name: str, index: int) -> None:
    result = computed(name, (SECONDARY, CN, PD, PD_CN)[index])
    assert (result.eni_limited, result.recommended) == WORKED[name][index]


def test_issue_done_when_figures() -> None:
    assert computed("m5.large", CniMode()).recommended == 29
    assert computed("m5.large", CniMode(custom_networking=True)).recommended == 20
    assert computed("m5.large", CniMode(prefix_delegation=True)).recommended == 110
    assert computed("m5.8xlarge", CniMode(cni_version="1.11.2")).recommended == 234
    assert computed("m5.8xlarge", CniMode(prefix_delegation=True, cni_version="1.11.2")).recommended == 250
    assert computed("m4.xlarge", CniMode()).recommended == 58
    assert computed("c6in.32xlarge", CniMode()).eni_limited == 394


def test_formula_text_shows_the_arithmetic() -> None:
    assert computed("m5.large", CniMode()).formula == "3 ENIs x (10 IPv4 per ENI - 1) + 2 = 29"
    assert computed("m5.large", CniMode(custom_networking=True)).formula == "(3 - 1) ENIs x (10 IPv4 per ENI - 1) + 2 = 20"
    pd = computed("m5.large", CniMode(prefix_delegation=True))
    assert pd.formula == "3 ENIs x (10 IPv4 per ENI - 1) x 16 addresses per /28 prefix + 2 = 434"
    assert pd.cap_rule == "110 for 2 vCPUs (30 or fewer)"
    assert "recommended: min(434, 110) = 110" in pd.lines()


def test_max_enis_clamps_before_custom_networking() -> None:
    # reference/max-pods.md § 5: m5.24xlarge, PD, --cni-max-eni 4 → 3,138 → 250.
    result = computed("m5.24xlarge", CniMode(prefix_delegation=True, max_enis=4))
    assert (result.eni_limited, result.recommended, result.enis_for_pods) == (3138, 250, 4)
    # § 2 step 2/3: m5.large, max ENI 1 with custom networking → 2.
    assert computed("m5.large", CniMode(custom_networking=True, max_enis=1)).eni_limited == 2
    assert computed("m5.large", CniMode(max_enis=9)).eni_limited == 29


def test_max_enis_below_one_is_ignored_like_the_cni() -> None:
    result = computed("m5.large", CniMode(custom_networking=True, max_enis=0))
    assert result.eni_limited == 20
    assert any("ignored" in note for note in result.notes)


def test_prefix_delegation_falls_back_with_a_note() -> None:
    old = computed("m5.large", CniMode(prefix_delegation=True, cni_version="1.8.0"))
    assert (old.eni_limited, old.prefix_delegation) == (29, False)
    assert any("1.9" in note for note in old.notes)
    xen = computed("m4.xlarge", CniMode(prefix_delegation=True))
    assert (xen.eni_limited, xen.prefix_delegation) == (58, False)
    assert any("xen" in note for note in xen.notes)


def test_prefix_delegation_on_bare_metal_follows_the_vpc_cni_unless_script_compatible() -> None:
    cni = computed("m5.metal", CniMode(prefix_delegation=True))
    assert (cni.eni_limited, cni.recommended, cni.prefix_delegation) == (11762, 250, True)
    script = computed("m5.metal", CniMode(prefix_delegation=True, pd_nitro_only=True))
    assert (script.eni_limited, script.prefix_delegation) == (737, False)


def test_unknown_cni_version_text_still_allows_prefix_delegation() -> None:
    result = computed("m5.large", CniMode(prefix_delegation=True, cni_version="latest"))
    assert result.prefix_delegation and any("not a version" in n for n in result.notes)


@pytest.mark.parametrize(
    ("text", "version"),
    [
        ("1.11.2", (1, 11, 2)),
        ("v1.18.0", (1, 18, 0)),
        ("1.9.0-eksbuild.1", (1, 9, 0)),
        ("1.9", (1, 9, 0)),
        ("2", None),
        ("latest", None),
        ("", None),
        (None, None),
        (1.9, None),
    ],
)
def test_parse_cni_version(text: object, version: tuple[int, int, int] | None) -> None:
    assert parse_cni_version(text) == version


@pytest.mark.parametrize(("vcpus", "cap"), [(1, 110), (24, 110), (30, 110), (31, 250), (32, 250), (None, None)])
def test_guidance_cap_threshold_is_strictly_more_than_30(vcpus: int | None, cap: int | None) -> None:
    assert guidance_cap(vcpus) == cap


def test_caps_are_configurable() -> None:
    result = calculate("m5.large", CniMode(prefix_delegation=True), small_cap=100)
    assert isinstance(result, MaxPods) and (result.guidance_cap, result.recommended) == (100, 100)
    large = calculate("m5.24xlarge", CniMode(), large_cap=300)
    assert isinstance(large, MaxPods) and (large.guidance_cap, large.recommended) == (300, 300)


def test_unknown_type_gives_no_data() -> None:
    assert calculate("m5.larg") == NoData("m5.larg", "no instance data for m5.larg")


def test_file_only_type_gives_its_figure_uncapped_in_secondary_ip_mode() -> None:
    hpc = lookup("hpc7a.12xlarge")
    assert hpc is not None and hpc.eni_max_pods is not None
    result = computed("hpc7a.12xlarge", CniMode())
    assert (result.eni_limited, result.guidance_cap, result.recommended) == (hpc.eni_max_pods, None, hpc.eni_max_pods)
    for mode in (CniMode(custom_networking=True), CniMode(prefix_delegation=True), CniMode(max_enis=2)):
        assert isinstance(calculate("hpc7a.12xlarge", mode), NoData)


def test_type_without_vcpus_has_no_cap() -> None:
    result = computed("mac1.metal", CniMode())
    assert (result.eni_limited, result.guidance_cap, result.recommended) == (234, None, 234)
    assert result.notes


def test_default_max_pods_by_producer() -> None:
    assert default_max_pods("m5.24xlarge", managed=False) == 737
    assert default_max_pods("m5.24xlarge", managed=True) == 250
    assert default_max_pods("m5.large", managed=True) == 29
    assert default_max_pods("mac1.metal", managed=True) is None
    assert default_max_pods("m5.larg", managed=False) is None


def test_secondary_ip_figure_equals_eni_max_pods_txt_for_every_type_both_list() -> None:
    both = [t for t in instance_table().values() if t.has_eni_data and t.eni_max_pods is not None]
    assert len(both) == 1163
    mismatches = [
        (t.name, computed(t.name, CniMode()).eni_limited, t.eni_max_pods)
        for t in both
        if computed(t.name, CniMode()).eni_limited != t.eni_max_pods
    ]
    assert mismatches == []


def test_secondary_ip_figure_equals_the_upstream_file(upstream: Path) -> None:
    text = (upstream / "amazon-eks-ami" / "eni-max-pods.txt").read_text()
    figures = dict(line.split() for line in text.splitlines() if line.strip() and not line.startswith("#"))
    checked = 0
    for name, figure in figures.items():
        itype = lookup(name)
        assert itype is not None, name
        if itype.has_eni_data:
            assert computed(name, CniMode()).eni_limited == int(figure), name
            checked += 1
    assert checked == 1163


def test_cap_split_matches_the_reference() -> None:
    # reference/max-pods.md § 2: 555 of the 1,156 types with vCPU data get 110, 601 get 250;
    # for 576 of them the uncapped secondary-IP figure is above the cap.
    with_vcpus = [t for t in instance_table().values() if t.vcpus is not None]
    caps = [guidance_cap(t.vcpus) for t in with_vcpus]
    assert (len(with_vcpus), caps.count(110), caps.count(250)) == (1156, 555, 601)
    above = [t for t in with_vcpus if computed(t.name, CniMode()).eni_limited > (guidance_cap(t.vcpus) or 0)]
    assert len(above) == 576


def test_prefix_delegation_on_bare_metal_needs_cni_1_10_3() -> None:
    old = computed("m5.metal", CniMode(prefix_delegation=True, cni_version="1.10.2"))
    assert (old.eni_limited, old.prefix_delegation) == (737, False)
    assert any("1.10.3" in note for note in old.notes)
    new = computed("m5.metal", CniMode(prefix_delegation=True, cni_version="1.10.3"))
    assert (new.eni_limited, new.prefix_delegation) == (11762, True)
    nitro = computed("m5.24xlarge", CniMode(prefix_delegation=True, cni_version="1.9.0"))
    assert nitro.prefix_delegation
