"""JSON output: a list of findings with the documented keys (README § JSON output)."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..engine import Report


def render(report: Report) -> str:
    return json.dumps([f.as_dict() for f in report.findings], indent=2, ensure_ascii=False) + "\n"
