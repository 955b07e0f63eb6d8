"""CNI: Amazon VPC CNI settings, one module per sub-topic (values, warm pool, modes, versions, health, eksctl)."""
from __future__ import annotations

from . import eksctl, health, modes, values, versions, warm

MODULES = (values, warm, modes, versions, health, eksctl)
