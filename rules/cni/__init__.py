"""CNI: Amazon VPC CNI settings, one module per sub-topic."""
from __future__ import annotations

from . import eksctl, features, health, modes, nodes, values, versions, warm

MODULES = (values, warm, nodes, modes, versions, health, eksctl, features)
