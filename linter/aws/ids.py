"""AWS resource ID shapes (reference/vpc-and-eniconfig.md § b.5: prefix + 8 or 17 hex digits)."""
from __future__ import annotations

import re

_HEX_ID = r"(?:[0-9a-fA-F]{8}|[0-9a-fA-F]{17})"
SUBNET_ID = re.compile(rf"^subnet-{_HEX_ID}$")
SECURITY_GROUP_ID = re.compile(rf"^sg-{_HEX_ID}$")
VPC_ID = re.compile(rf"^vpc-{_HEX_ID}$")


def is_subnet_id(text: str) -> bool:
    return bool(SUBNET_ID.match(text))


def is_security_group_id(text: str) -> bool:
    return bool(SECURITY_GROUP_ID.match(text))


def is_vpc_id(text: str) -> bool:
    return bool(VPC_ID.match(text))
