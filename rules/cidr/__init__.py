"""CIDR: VPC address space, one module per sub-topic (VPC blocks, overlaps, subnet capacity)."""
from __future__ import annotations

from . import capacity, overlap, vpc

MODULES = (vpc, overlap, capacity)
