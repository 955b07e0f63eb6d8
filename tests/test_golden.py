"""Golden output of every format for examples/ (H17): the output format is the product.

Regenerate with ``pytest tests/test_golden.py --update-golden`` and review the diff.
"""
from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import REPO

GOLDEN = REPO / "tests" / "golden"
FORMATS = {"text": "examples.txt", "json": "examples.json", "sarif": "examples.sarif", "junit": "examples.junit.xml",
           "github": "examples.github.txt"}


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_examples_output_matches_the_golden_file(fmt: str, update_golden: bool) -> None:
    result = subprocess.run([sys.executable, "-m", "eks_net_lint", "examples/", "--format", fmt],
                            cwd=REPO, capture_output=True, text=True, timeout=120, env={"NO_COLOR": "1", "PATH": ""})
    assert result.returncode == 1, result.stderr
    path = GOLDEN / FORMATS[fmt]
    if update_golden:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(result.stdout, "utf-8")
    assert path.exists(), f"{path} is missing: run pytest tests/test_golden.py --update-golden"
    assert result.stdout == path.read_text("utf-8"), f"{fmt} output differs from {path.name}: review, then --update-golden"
