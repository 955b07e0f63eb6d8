"""PODS: max pods per node, from the bundled instance data and the cluster's CNI mode (reference/max-pods.md)."""
from __future__ import annotations

from . import capacity, defaults, names

MODULES = (capacity, names, defaults)
