"""Tests for eks_net_lint.cni_version: tags, add-on versions, image references, partitions."""
from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import pytest

from eks_net_lint.cni_version import (
    TAG_EKSBUILD,
    TAG_NONE,
    TAG_OTHER,
    TAG_PRERELEASE,
    TAG_RELEASE,
    CniVersion,
    account_partition,
    domain_partitions,
    parse_addon_version,
    parse_image,
    parse_version,
    region_partition,
    registry_account,
    registry_partition,
    tag_kind,
)

from conftest import SHARED


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("v1.18.3", CniVersion(1, 18, 3)),
        ("v1.18.3-eksbuild.1", CniVersion(1, 18, 3)),
        ("1.19.2", CniVersion(1, 19, 2)),
        ("v1.12.1-rc1", CniVersion(1, 12, 1)),
        (" v1.7.10 ", CniVersion(1, 7, 10)),
        ("latest", None),
        ("master", None),
        ("v1.18", None),
        ("v1.18.3-custom", None),
        ("", None),
        (None, None),
        (1.18, None),
    ],
)
def test_parse_version(text: object, expected: CniVersion | None) -> None:
    assert parse_version(text) == expected


def test_versions_compare_numerically() -> None:
    assert CniVersion(1, 9, 3) < CniVersion(1, 10, 0) < CniVersion(1, 13, 4)
    assert str(CniVersion(1, 23, 1)) == "v1.23.1"
    assert sorted([CniVersion(1, 12, 6), CniVersion(1, 7, 10), CniVersion(1, 12, 0)])[0] == CniVersion(1, 7, 10)


@pytest.mark.parametrize(
    ("tag", "kind"),
    [
        ("v1.23.1", TAG_RELEASE),
        ("v1.16.4-eksbuild.2", TAG_EKSBUILD),
        ("v1.12.1-rc1", TAG_PRERELEASE),
        ("latest", TAG_OTHER),
        ("master", TAG_OTHER),
        ("1.23.1", TAG_OTHER),  # image tags carry the leading v
        (None, TAG_NONE),
        ("", TAG_NONE),
    ],
)
def test_tag_kind(tag: str | None, kind: str) -> None:
    assert tag_kind(tag) == kind


def test_addon_versions() -> None:
    exact = parse_addon_version("v1.12.5-eksbuild.2")
    assert exact is not None and exact.parts == (1, 12, 5) and exact.eksbuild == 2
    assert exact.version == CniVersion(1, 12, 5)
    assert exact.matches(CniVersion(1, 12, 5)) and not exact.matches(CniVersion(1, 12, 6))
    partial = parse_addon_version("1.18")
    assert partial is not None and partial.version is None
    assert partial.matches(CniVersion(1, 18, 6)) and not partial.matches(CniVersion(1, 19, 0))
    bare = parse_addon_version("1.19.2")
    assert bare is not None and bare.version == CniVersion(1, 19, 2)
    for unknown in ("", "latest", None, 1.19, "v1"):
        assert parse_addon_version(unknown) is None


def test_parse_image_ecr() -> None:
    ref = parse_image("602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.18.3-eksbuild.1")
    assert ref is not None
    assert ref.registry == "602401143452.dkr.ecr.us-west-2.amazonaws.com"
    assert ref.repository == "amazon-k8s-cni" and ref.component == "aws-node"
    assert ref.version == CniVersion(1, 18, 3) and ref.tag_kind == TAG_EKSBUILD
    ecr = ref.ecr
    assert ecr is not None and (ecr.account, ecr.endpoint, ecr.region, ecr.domain) == (
        "602401143452",
        "ecr",
        "us-west-2",
        "amazonaws.com",
    )


def test_parse_image_other_shapes() -> None:
    agent = parse_image("961992271922.dkr.ecr.cn-northwest-1.amazonaws.com.cn/amazon/aws-network-policy-agent:v1.4.2")
    assert agent is not None and agent.component == "aws-eks-nodeagent" and agent.version == CniVersion(1, 4, 2)
    assert agent.ecr is not None and agent.ecr.domain == "amazonaws.com.cn"
    init = parse_image("amazon-k8s-cni-init:latest")
    assert init is not None and init.registry is None and init.component == "aws-vpc-cni-init"
    assert init.version is None and init.tag_kind == TAG_OTHER
    digest = "sha256:" + "a" * 64
    pinned = parse_image(f"602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni@{digest}")
    assert pinned is not None and pinned.tag is None and pinned.digest == digest and pinned.tag_kind == TAG_NONE
    both = parse_image(f"registry.local:5000/mirror/amazon-k8s-cni:v1.19.0@{digest}")
    assert both is not None and both.registry == "registry.local:5000" and both.tag == "v1.19.0"
    assert both.repository == "mirror/amazon-k8s-cni" and both.component == "aws-node" and both.ecr is None
    other = parse_image("docker.io/library/nginx:1.25")
    assert other is not None and other.component is None
    for bad in ("", "  ", None, 5, "a b:c", "repo:", "x@sha256:zz", "reg.io/"):
        assert parse_image(bad) is None, bad


def test_region_partitions() -> None:
    assert region_partition("us-west-2") == "aws"
    assert region_partition("mx-central-1") == "aws"
    assert region_partition("cn-northwest-1") == "aws-cn"
    assert region_partition("us-gov-east-1") == "aws-us-gov"
    assert region_partition("us-iso-east-1") == "aws-iso"
    assert region_partition("eusc-de-east-1") == "aws-eusc"
    assert region_partition("moon-1") is None
    assert region_partition(None) is None
    assert domain_partitions("amazonaws.com") == {"aws", "aws-us-gov"}
    assert domain_partitions("amazonaws.com.cn") == {"aws-cn"}
    assert account_partition("961992271922") == "aws-cn"
    assert account_partition("013241004608") == "aws-us-gov"
    assert account_partition("877085696533") == "aws"
    assert account_partition("123456789012") is None
    assert registry_account("eu-south-2") == "455263428931"
    assert registry_account("ap-southeast-7") is None


def test_registry_partition_conflicts() -> None:
    china = parse_image("961992271922.dkr.ecr.cn-northwest-1.amazonaws.com.cn/amazon-k8s-cni:v1.23.1")
    assert china is not None
    evidence = registry_partition(china)
    assert evidence is not None
    assert evidence.conflicts_with("aws-cn") == ()
    assert evidence.conflicts_with("aws") == ("domain", "account", "region")
    gov = parse_image("151742754352.dkr.ecr.us-gov-east-1.amazonaws.com/amazon-k8s-cni:v1.23.1")
    assert gov is not None
    gov_evidence = registry_partition(gov)
    assert gov_evidence is not None
    assert gov_evidence.conflicts_with("aws") == ("account", "region")
    # a commercial account in another commercial region pulls fine (reference/vpc-cni.md § 3.2)
    commercial = parse_image("602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon-k8s-cni:v1.23.1")
    assert commercial is not None
    commercial_evidence = registry_partition(commercial)
    assert commercial_evidence is not None and commercial_evidence.conflicts_with("aws") == ()
    private = parse_image("123456789012.dkr.ecr.us-east-1.amazonaws.com/amazon-k8s-cni:v1.23.1")
    assert private is not None
    private_evidence = registry_partition(private)
    assert private_evidence is not None and private_evidence.by_account is None
    assert registry_partition(parse_image("quay.io/x/amazon-k8s-cni:v1.0.0")) is None  # type: ignore[arg-type]


def _reference(name: str) -> str:
    path = SHARED / "reference" / name
    if not path.is_file():
        pytest.skip(f"{path} not found: the shared reference is only beside a team checkout")
    return path.read_text(encoding="utf-8")


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n#", start + len(heading))
    return text[start : end if end != -1 else len(text)]


def _data() -> dict[str, object]:
    text = resources.files("eks_net_lint.data").joinpath("cni_registries.json").read_text(encoding="utf-8")
    loaded: dict[str, object] = json.loads(text)
    return loaded


def test_registry_table_matches_reference() -> None:
    section = _section(_reference("vpc-cni.md"), "### 3.2 Image references")
    expected: dict[str, tuple[str, list[str]]] = {}
    for row in re.findall(r"^\| (.+?) \| (\d{12}) \| (amazonaws\.com(?:\.cn)?) \|$", section, re.M):
        regions: list[str] = []
        for item in row[0].split(", "):
            # `ap-northeast-1/2/3` abbreviates ap-northeast-1, -2 and -3
            head, *more = item.split("/")
            regions.append(head)
            base = head.rsplit("-", 1)[0]
            regions.extend(f"{base}-{n}" for n in more)
        expected[row[1]] = (row[2], sorted(regions))
    assert len(expected) == 17
    accounts = _data()["accounts"]
    assert isinstance(accounts, dict)
    assert {a: (e["domain"], e["regions"]) for a, e in accounts.items()} == expected


def test_partition_table_matches_reference() -> None:
    section = _section(_reference("vpc-and-eniconfig.md"), "### c.1 Region names by partition")
    expected = {}
    for name, suffix, regex in re.findall(r"^\| `([a-z-]+)` \| ([a-z0-9.-]+) \| `([^`]+)` \|", section, re.M):
        expected[name] = {"dns_suffix": suffix, "region_regex": regex.replace("\\|", "|")}
    assert len(expected) == 8
    assert _data()["partitions"] == expected


def test_regions_json_agrees(upstream: Path) -> None:
    """The chart's regions.json (four registries) agrees with the bundled account table."""
    rows = json.loads((upstream / "vpc-cni" / "helm" / "regions.json").read_text(encoding="utf-8"))
    for row in rows:
        assert registry_account(row["ecrRegion"]) == row["ecrAccount"]
        assert row["ecrDomain"] in {"amazonaws.com", "amazonaws.com.cn"}
        assert region_partition(row["ecrRegion"]) in domain_partitions(row["ecrDomain"])
