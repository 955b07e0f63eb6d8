"""eks-net-lint: a static linter for Amazon EKS networking configuration."""
from __future__ import annotations

__version__ = "0.1.0"
