"""The built-in rule families, registered explicitly in a fixed order (no discovery)."""
from __future__ import annotations

from . import eni, lnt

FAMILIES = (lnt, eni)
