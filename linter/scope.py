"""Pre-commit scope: which files of a repository can share a cluster with the files given.

``--in-repo`` lints a few changed files with the whole repository as context. Parsing every
relevant file of a large monorepo would cost seconds, so the repository is only scanned as text
for ClusterConfig files; the files parsed are those that can join the given files' clusters
(DESIGN.md § group): everything below the nearest ancestor directory holding a ClusterConfig file,
the given files' own directories, and files that config ``clusters.<name>.paths`` put in a
cluster with a given file.
"""
from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence

from .config import Config
from .discover import Candidate

_CLUSTER_CONFIG = re.compile(rb"^kind:\s*['\"]?ClusterConfig\b", re.M)


def _folder(display: str) -> str:
    return posixpath.dirname(display)


def _under(path: str, root: str) -> bool:
    return root == "" or path == root or path.startswith(root + "/")


def cluster_files(candidates: Sequence[Candidate]) -> set[str]:
    """Files that hold a ClusterConfig (a text scan, no parsing)."""
    found: set[str] = set()
    for candidate in candidates:
        if candidate.fs_path is None or not candidate.display.endswith((".yaml", ".yml", ".json")):
            continue
        try:
            with candidate.fs_path.open("rb") as handle:
                head = handle.read(1 << 20)
        except OSError:
            continue
        if b"ClusterConfig" in head and _CLUSTER_CONFIG.search(head):
            found.add(candidate.display)
    return found


def scope(candidates: list[Candidate], given: set[str], config: Config) -> list[Candidate]:
    """The candidates worth parsing for findings in ``given`` (display paths)."""
    cluster_configs = cluster_files(candidates)
    dirs = {_folder(path) for path in cluster_configs}
    roots: set[str] = set()
    for path in given:
        folder = _folder(path)
        while True:
            if folder in dirs:
                roots.add(folder)
                break
            if folder in ("", "/"):
                roots.add(_folder(path) + "/.")  # no cluster: the file's own directory only
                break
            folder = posixpath.dirname(folder)
    clusters = [s for s in config.clusters.values() if any(s.matches(p) for p in given)]
    kept = []
    for candidate in candidates:
        path = candidate.display
        if path in given or (clusters and (path in cluster_configs or any(s.matches(path) for s in clusters))):
            kept.append(candidate)
            continue
        for root in roots:
            if (root.endswith("/.") and _folder(path) == root[:-2]) or (not root.endswith("/.") and _under(path, root)):
                kept.append(candidate)
                break
    return kept
