"""The corpus test: lint ../shared/upstream as one run and compare with the reviewed golden list."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from eks_net_lint.tools.gen_upstream_expected import current_lines, read_expected


def test_upstream_findings_match_the_golden_list(upstream: Path) -> None:
    got = current_lines(upstream)
    want = read_expected()
    unexpected = sorted(set(got) - set(want))
    missing = sorted(set(want) - set(got))
    assert not unexpected and not missing, (
        "findings on ../shared/upstream differ from tests/upstream_expected.txt\n"
        "unexpected (new findings: fix the rule, or review and add them):\n  " + "\n  ".join(unexpected)
        + "\nmissing (expected but not found):\n  " + "\n  ".join(missing)
    )


def test_upstream_through_the_cli_never_crashes(upstream: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "eks_net_lint", str(upstream), "--format", "json"],
        capture_output=True, text=True, timeout=300,
    )
    assert "Traceback" not in result.stderr
    assert "internal error" not in result.stderr
    assert result.returncode in (0, 1), result.stderr
