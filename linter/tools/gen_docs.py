"""Write docs/rules.md and the README rule table from the rule docstrings (run with --check in CI)."""
from __future__ import annotations

import re
import sys
from pathlib import Path

from ..docs import rule_table, rules_markdown

ROOT = Path(__file__).resolve().parents[2]
BEGIN, END = "<!-- rules:begin -->", "<!-- rules:end -->"


def readme_with_table(text: str) -> str:
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.S)
    return pattern.sub(lambda m: f"{BEGIN}\n{rule_table()}{END}", text)


def main(argv: list[str] | None = None) -> int:
    check = "--check" in (argv if argv is not None else sys.argv[1:])
    targets = {
        ROOT / "docs" / "rules.md": rules_markdown(),
        ROOT / "README.md": readme_with_table((ROOT / "README.md").read_text("utf-8")),
    }
    stale = []
    for path, text in targets.items():
        if path.exists() and path.read_text("utf-8") == text:
            continue
        stale.append(path)
        if not check:
            path.write_text(text, "utf-8")
    if check and stale:
        print("stale: " + ", ".join(str(p) for p in stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
