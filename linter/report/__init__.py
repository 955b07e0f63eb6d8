"""Output formats: one pure module each, ``render(report) -> str``, registered in FORMATS."""
from __future__ import annotations

from collections.abc import Callable

from . import github, json, junit, sarif, text

FORMATS: dict[str, Callable[..., str]] = {
    "text": text.render,
    "json": json.render,
    "sarif": sarif.render,
    "junit": junit.render,
    "github": github.render,
}
