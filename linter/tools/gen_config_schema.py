"""Write schemas/config.schema.json from the registry (``--check`` reports staleness instead)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from ..config_schema import build_schema

TARGET = Path(__file__).resolve().parents[2] / "schemas" / "config.schema.json"


def render() -> str:
    return json.dumps(build_schema(), indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    text = render()
    if "--check" in (argv if argv is not None else sys.argv[1:]):
        current = TARGET.read_text("utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"stale: {TARGET}", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
