"""The built-in rule families, registered explicitly in a fixed order (no discovery)."""
from __future__ import annotations

from . import cidr, cni, conf, ctl, eni, lnt, mgd, mul, nad, pods

FAMILIES = (lnt, cni, mgd, eni, pods, conf, mul, nad, cidr, ctl)

# Display order of the families (RULES.md order); a family not listed sorts last.
FAMILY_ORDER = ("LNT", "CNI", "MGD", "ENI", "CIDR", "PODS", "CTL", "CONF", "MUL", "NAD")
