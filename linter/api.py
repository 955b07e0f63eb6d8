"""The library entry point: ``lint(paths, config)`` and ``lint_text(text)`` return a Report."""
from __future__ import annotations

from collections.abc import Sequence

from .config import Config, load_config
from .engine import Report
from .engine import lint as _lint

__all__ = ["Config", "Report", "lint", "lint_text", "load_config"]


def lint(paths: Sequence[str], config: Config | None = None, *, jobs: int = 1) -> Report:
    """Lint files and directories; ``config`` defaults to the one found above the first path."""
    return _lint(paths, config if config is not None else load_config(paths), jobs=jobs)


def lint_text(text: str, config: Config | None = None) -> Report:
    """Lint one YAML or JSON text as if read from stdin."""
    return _lint(["-"], config if config is not None else Config(), stdin_text=text)
