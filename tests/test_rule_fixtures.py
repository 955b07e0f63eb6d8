"""Every rule fixture: bad cases fire exactly at their markers, good cases stay silent."""
from __future__ import annotations

from pathlib import Path

import pytest
from fixture_harness import all_cases, check_case

CASES = all_cases()


@pytest.mark.parametrize(
    ("rule_id", "kind", "case"), CASES, ids=[f"{r}-{k}-{c.name}" for r, k, c in CASES]
)
def test_fixture(rule_id: str, kind: str, case: Path, tmp_path: Path) -> None:
    check_case(rule_id, kind, case, tmp_path)
