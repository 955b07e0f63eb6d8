"""AWS partitions and their Regions: names, regexes and which partition a Region belongs to.

Source: reference/vpc-and-eniconfig.md § c.1 (botocore ``partitions.json`` /
``endpoints.json`` @0e6e2404b85d). The list grows over time, so an unknown Region that still
matches a partition's regex is *plausible* (``is_known_region`` False, ``partition_of`` set);
only a name that matches no partition regex is malformed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

SOURCE = (
    "reference/vpc-and-eniconfig.md § c.1 "
    "(boto/botocore:botocore/data/partitions.json@0e6e2404b85d, endpoints.json@0e6e2404b85d)"
)


@dataclass(frozen=True, slots=True)
class Partition:
    """One AWS partition: its name, DNS suffix, Region regex and known Regions."""

    name: str
    dns_suffix: str
    region_regex: str
    regions: tuple[str, ...]

    @property
    def pattern(self) -> re.Pattern[str]:
        return _compiled(self.region_regex)


# reference/vpc-and-eniconfig.md § c.1, table "Region names by partition".
PARTITIONS: tuple[Partition, ...] = (
    Partition(
        "aws",
        "amazonaws.com",
        r"^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$",
        (
            "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2",
            "ap-northeast-3", "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2",
            "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6",
            "ap-southeast-7", "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2",
            "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3",
            "il-central-1", "me-central-1", "me-south-1", "mx-central-1", "sa-east-1",
            "us-east-1", "us-east-2", "us-west-1", "us-west-2",
        ),
    ),
    Partition("aws-cn", "amazonaws.com.cn", r"^cn\-\w+\-\d+$", ("cn-north-1", "cn-northwest-1")),
    Partition("aws-us-gov", "amazonaws.com", r"^us\-gov\-\w+\-\d+$", ("us-gov-east-1", "us-gov-west-1")),
    Partition("aws-iso", "c2s.ic.gov", r"^us\-iso\-\w+\-\d+$", ("us-iso-east-1", "us-iso-west-1")),
    Partition("aws-iso-b", "sc2s.sgov.gov", r"^us\-isob\-\w+\-\d+$", ("us-isob-east-1", "us-isob-west-1")),
    Partition("aws-iso-e", "cloud.adc-e.uk", r"^eu\-isoe\-\w+\-\d+$", ("eu-isoe-west-1",)),
    Partition("aws-iso-f", "csp.hci.ic.gov", r"^us\-isof\-\w+\-\d+$", ("us-isof-east-1", "us-isof-south-1")),
    Partition("aws-eusc", "amazonaws.eu", r"^eusc\-(de)\-\w+\-\d+$", ("eusc-de-east-1",)),
)


@cache
def _compiled(regex: str) -> re.Pattern[str]:
    return re.compile(regex)


@cache
def _by_region() -> dict[str, Partition]:
    return {region: p for p in PARTITIONS for region in p.regions}


def all_regions() -> frozenset[str]:
    """Every Region the shipped table knows, across all partitions."""
    return frozenset(_by_region())


def is_known_region(region: object) -> bool:
    """True for a Region listed in the shipped table."""
    return isinstance(region, str) and region in _by_region()


def partition_of(region: object) -> Partition | None:
    """The partition of a Region: by the table first, else by the partition regexes.

    The specific partitions are tried before the broad ``aws`` regex, so a future overlap in
    the upstream regexes cannot send a GovCloud or ISO Region to the commercial partition.
    """
    if not isinstance(region, str):
        return None
    known = _by_region().get(region)
    if known is not None:
        return known
    for p in sorted(PARTITIONS, key=lambda p: p.name == "aws"):
        if p.pattern.fullmatch(region):
            return p
    return None


def is_region_name(region: object) -> bool:
    """True when the string is shaped like a Region of some partition (known or not)."""
    return partition_of(region) is not None


def is_china(region: object) -> bool:
    """China Regions (partition ``aws-cn``); IPv6 clusters are not offered there (§ c.1)."""
    p = partition_of(region)
    return p is not None and p.name == "aws-cn"
