"""Zone membership of a region (reference/vpc-and-eniconfig.md § c.2).

An AZ is the region code plus one letter; Local Zones and Wavelength Zones extend the region
code with a dash. Plain ``startswith(region)`` is wrong: ``us-east-1`` prefixes ``us-east-11``.
"""
from __future__ import annotations

import re

ZONE_LABEL_KEYS = ("topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone")
DEPRECATED_ZONE_LABEL = "failure-domain.beta.kubernetes.io/zone"

# Any zone name of any region: AZ, Local Zone or Wavelength Zone.
ZONE_SHAPE = re.compile(
    r"^[a-z]{2,4}(?:-[a-z]+)+-\d+(?:[a-z]|-[a-z]+-\d+[a-z]|-wl\d+-[a-z]+-wlz-\d+)$"
)


def zone_kind(zone: str, region: str) -> str | None:
    """'availability-zone', 'local-zone' or 'wavelength-zone' when ``zone`` lies in ``region``."""
    r = re.escape(region)
    if re.fullmatch(rf"{r}[a-z]", zone):
        return "availability-zone"
    if re.fullmatch(rf"{r}-[a-z]+-\d+[a-z]", zone):
        return "local-zone"
    if re.fullmatch(rf"{r}-wl\d+-[a-z]+-wlz-\d+", zone):
        return "wavelength-zone"
    return None


def in_region(zone: str, region: str) -> bool:
    return zone_kind(zone, region) is not None


def looks_like_zone(text: str) -> bool:
    """True for a string shaped like a zone name of some region (used to read AZ-keyed subnet maps)."""
    return bool(ZONE_SHAPE.match(text))


def region_of_zone(zone: str) -> str | None:
    """The region an AZ name implies (``us-west-2c`` → ``us-west-2``); None for other shapes."""
    m = re.fullmatch(r"([a-z]{2,4}(?:-[a-z]+)+-\d+)(?:[a-z]|-[a-z]+-\d+[a-z]|-wl\d+-[a-z]+-wlz-\d+)", zone)
    return m.group(1) if m else None
