"""Regenerate tests/upstream_expected.txt (the reviewed golden list of findings on ../shared/upstream).

``python -m eks_net_lint.tools.gen_upstream_expected --family ENI [--family CNI ...]`` rewrites only
the lines of those families and keeps every other line, so families can be reviewed one at a time.
Without ``--family`` it prints the current findings and writes nothing.
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

from ..config import Config
from ..engine import lint

ROOT = Path(__file__).resolve().parents[2]
UPSTREAM = ROOT.parent / "shared" / "upstream"
TARGET = ROOT / "tests" / "upstream_expected.txt"


def current_lines(upstream: Path = UPSTREAM) -> list[str]:
    """``path:line ID`` for every finding of a default-config run over the corpus, paths relative to it."""
    cwd = os.getcwd()
    os.chdir(upstream)
    try:
        report = lint(["."], Config(base=upstream))
    finally:
        os.chdir(cwd)
    if report.internal_errors:
        raise SystemExit("internal errors:\n" + "\n".join(report.internal_errors))
    return sorted({f"{f.location.path}:{f.location.line} {f.rule.id}" for f in report.findings}, key=_order)


def _order(line: str) -> tuple[str, int, str]:
    where, rule_id = line.rsplit(" ", 1)
    path, number = where.rsplit(":", 1)
    return path, int(number), rule_id


def read_expected(path: Path = TARGET) -> list[str]:
    if not path.exists():
        return []
    return [line.strip() for line in path.read_text("utf-8").splitlines() if line.strip() and not line.startswith("#")]


def family_of(line: str) -> str:
    return line.rsplit(" ", 1)[1].rstrip("0123456789")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gen_upstream_expected")
    parser.add_argument("--family", action="append", default=[], help="family prefix to rewrite (repeatable)")
    args = parser.parse_args(argv)
    lines = current_lines()
    if not args.family:
        print("\n".join(lines))
        return 0
    families = {f.upper() for f in args.family}
    kept = [line for line in read_expected() if family_of(line) not in families]
    fresh = [line for line in lines if family_of(line) in families]
    header = "# Reviewed findings on ../shared/upstream (path:line ID); regenerate per family with\n" \
             "# python -m eks_net_lint.tools.gen_upstream_expected --family <PREFIX>, then review the diff.\n"
    TARGET.write_text(header + "\n".join(sorted(set(kept + fresh), key=_order)) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
