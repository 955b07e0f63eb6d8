"""The same cluster as it was at a git revision (``--diff-base``), for rules about a change (ENI011).

Reads old file versions with ``git show REV:path`` — read-only, no network — and builds a context
from them exactly as the current one is built.
"""
from __future__ import annotations

import os
import subprocess
from functools import cache
from typing import TYPE_CHECKING

from .classify import classify
from .load import SourceFile, load_text

if TYPE_CHECKING:
    from .context import ClusterContext


@cache
def _git_root(folder: str) -> str | None:
    try:
        result = subprocess.run(["git", "-C", folder, "rev-parse", "--show-toplevel"],
                                capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def old_text(display: str, rev: str) -> str | None:
    """The file's text at ``rev``, or None when it did not exist there (or git is unavailable)."""
    if display == "<stdin>":
        return None
    full = os.path.abspath(display)
    root = _git_root(os.path.dirname(full))
    if root is None:
        return None
    rel = os.path.relpath(full, root).replace(os.sep, "/")
    try:
        result = subprocess.run(["git", "-C", root, "show", f"{rev}:{rel}"],
                                capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0:
        return None
    try:
        return result.stdout.decode("utf-8")
    except UnicodeDecodeError:
        return None


def previous_context(ctx: ClusterContext, rev: str) -> ClusterContext:
    """A context holding the old versions of this context's files (absent files are left out)."""
    from .context import ClusterContext

    previous = ClusterContext(ctx.key, ctx.name, ctx.config, ctx.settings)
    for source in ctx.sources:
        text = old_text(source.path, rev)
        if text is None:
            continue
        old = SourceFile(source.path, format=source.format)
        load_text(old, text, ctx.config.limits)
        views, _skips = classify(old)
        previous.sources.append(old)
        previous.views.extend(views)
    return previous
