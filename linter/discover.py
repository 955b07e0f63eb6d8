"""Walk the given paths into a deterministic list of candidate files (or stdin).

Hidden directories (``.git`` and friends) and hidden files (``.eks-net-lint.yaml``,
``.pre-commit-config.yaml``) are skipped, config excludes apply, symlinked
directories are not followed in a walk (as git does) and symlinked files are read; paths given
on the command line are always read (RULES.md § Common ground, Symlinks).
"""
from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

CANDIDATE_SUFFIXES = (".yaml", ".yml", ".json", ".conf", ".conflist")
STDIN = "-"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A file to read: its display path (as the user will see it) and its filesystem path."""

    display: str
    fs_path: Path | None  # None for stdin
    explicit: bool = False  # named on the command line


def compile_globs(patterns: Iterable[str]) -> re.Pattern[str] | None:
    """One regex for gitignore-style globs (``**`` spans directories; a bare name matches anywhere)."""
    parts = []
    for pattern in patterns:
        pattern = pattern.strip()
        if not pattern:
            continue
        anchored = "/" in pattern.rstrip("/")
        body = pattern.strip("/")
        regex = fnmatch.translate(body).removesuffix(r"\Z").removeprefix("(?s:").removesuffix(")")
        regex = regex.replace(".*.*/", "(?:.*/)?").replace(".*.*", ".*")
        prefix = "" if anchored else "(?:.*/)?"
        parts.append(f"{prefix}{regex}(?:/.*)?")
    if not parts:
        return None
    return re.compile(r"(?s:" + "|".join(f"(?:{p})" for p in parts) + r")\Z")


def matches(pattern: re.Pattern[str] | None, display: str) -> bool:
    if pattern is None:
        return False
    return bool(pattern.match(display.removeprefix("./")))


def discover(paths: Iterable[str], exclude: re.Pattern[str] | None = None) -> Iterator[Candidate]:
    """Candidates in sorted order per argument, each file once."""
    seen: set[str] = set()
    for arg in paths:
        if arg == STDIN:
            yield Candidate("<stdin>", None, True)
            continue
        root = Path(arg)
        if root.is_dir():
            yield from _walk(root, exclude, seen)
        else:
            key = os.path.normpath(arg)
            if key not in seen:
                seen.add(key)
                yield Candidate(_display(arg), root, True)


def _display(path: str) -> str:
    text = os.path.normpath(path)
    return text.replace(os.sep, "/")


def _walk(root: Path, exclude: re.Pattern[str] | None, seen: set[str]) -> Iterator[Candidate]:
    base = os.path.normpath(str(root))

    def on_error(err: OSError) -> None:  # unreadable directories: listed as unreadable files
        pending.append(err)

    pending: list[OSError] = []
    # followlinks=False: os.walk lists symlinked directories but never descends into them.
    for dirpath, dirnames, filenames in os.walk(base, onerror=on_error, followlinks=False):
        rel_dir = os.path.relpath(dirpath, base)
        dirnames[:] = sorted(
            d for d in dirnames
            if not d.startswith(".") and d not in ("node_modules", "__pycache__")
            and (exclude is None or not matches(exclude, _rel(rel_dir, d)))
        )
        for name in sorted(filenames):
            if name.startswith(".") or not name.endswith(CANDIDATE_SUFFIXES):
                continue
            if exclude is not None and matches(exclude, _rel(rel_dir, name)):
                continue
            full = os.path.join(dirpath, name)
            key = os.path.normpath(full)
            if key in seen:
                continue
            seen.add(key)
            yield Candidate(_display(full), Path(full))
    for err in pending:
        if err.filename and os.path.normpath(err.filename) != base:
            yield Candidate(_display(err.filename), Path(err.filename), True)


def _rel(rel_dir: str, name: str) -> str:
    return name if rel_dir in (".", "") else f"{rel_dir.replace(os.sep, '/')}/{name}"
