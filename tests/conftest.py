"""Shared test helpers: where the repo and the team's ../shared folder are."""
from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
UPSTREAM = SHARED / "upstream"


@pytest.fixture
def upstream() -> Path:
    """The ../shared/upstream corpus; tests that need it skip where it is absent."""
    if not UPSTREAM.is_dir():
        pytest.skip(f"{UPSTREAM} not found: the shared upstream corpus is only beside a team checkout")
    return UPSTREAM


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/ from the current output")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))
