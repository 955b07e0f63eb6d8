"""ENI: custom networking and ENIConfig, one module per sub-topic."""
from __future__ import annotations

from . import eniconfig, rollout, selection, subnets

MODULES = (selection, eniconfig, subnets, rollout)
