"""Discovery: order, hidden dirs, excludes, symlinks, stdin."""
from __future__ import annotations

from pathlib import Path

import pytest

from eks_net_lint.discover import compile_globs, discover


def names(paths: list[str], exclude: list[str] | None = None) -> list[str]:
    return [c.display for c in discover(paths, compile_globs(exclude or []))]


def test_order_suffixes_and_hidden_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for rel in ["b/x.yaml", "a/y.yml", "a/z.conflist", "a/w.txt", ".git/h.yaml", "c/.hidden/h.yaml", "c/n.json"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("a: 1\n")
    monkeypatch.chdir(tmp_path)
    assert names(["."]) == ["a/y.yml", "a/z.conflist", "b/x.yaml", "c/n.json"]
    assert names(["."], ["b/**", "*.json"]) == ["a/y.yml", "a/z.conflist"]


def test_symlinked_dirs_are_not_followed_but_files_are(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "f.yaml").write_text("a: 1\n")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "link.yaml").symlink_to(tmp_path / "real" / "f.yaml")
    monkeypatch.chdir(tmp_path)
    assert names(["."]) == ["link.yaml", "real/f.yaml"]


def test_explicit_files_and_stdin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("x")
    assert names(["notes.txt", "-", "./notes.txt"]) == ["notes.txt", "<stdin>"]
