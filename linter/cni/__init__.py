"""Pure facts and checks about CNI configs, Multus, IPAM and the networks annotation (no engine)."""
from __future__ import annotations
