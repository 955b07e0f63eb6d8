"""``python -m eks_net_lint``."""
from __future__ import annotations

from .cli import main

raise SystemExit(main())
