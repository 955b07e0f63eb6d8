"""The baseline of the benchmarks: bare ``yaml.load_all(..., Loader=yaml.CSafeLoader)`` of every file.

Run as its own process (``python benchmarks/bare_load.py DIR``), so that it pays the same interpreter
start-up as an ``eks-net-lint`` run. Walks ``DIR`` like eks-net-lint does (sorted, hidden directories
skipped), reads every ``.yaml``/``.yml``/``.json`` file and parses every document in it, with no
positions, no pre-filter and no rules. ``load_all`` rather than ``load``: multi-document files are
common in a GitOps repository, and for a single document it costs the same as ``load``.
Prints ``files documents errors`` on one line.
"""
from __future__ import annotations

import os
import sys

import yaml

SUFFIXES = (".yaml", ".yml", ".json")


def parse_tree(root: str) -> tuple[int, int, int]:
    files = documents = errors = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.endswith(SUFFIXES):
                continue
            with open(os.path.join(dirpath, name), "rb") as handle:
                data = handle.read()
            files += 1
            try:
                documents += sum(1 for _ in yaml.load_all(data, Loader=yaml.CSafeLoader))
            except yaml.YAMLError:
                errors += 1
    return files, documents, errors


if __name__ == "__main__":
    print(*parse_tree(sys.argv[1] if len(sys.argv) > 1 else "."))
