"""Generate linter/data/instance_limits.json from the team's shared instance-type data.

Run as ``python -m eks_net_lint.tools.gen_instance_limits [--shared DIR] [--check]``. The inputs
are ``upstream/instance-types.csv`` and ``upstream/amazon-eks-ami/eni-max-pods.txt`` under the
shared folder; their provenance is ``upstream/SOURCES-instance-data.md``. Figures carry over
unchanged; nothing is inferred (an unknown value stays ``null``).
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

CSV_PATH = "upstream/instance-types.csv"
ENI_MAX_PODS_PATH = "upstream/amazon-eks-ami/eni-max-pods.txt"
SOURCES_PATH = "upstream/SOURCES-instance-data.md"
GENERATOR = "python -m eks_net_lint.tools.gen_instance_limits"

DEFAULT_SHARED = Path(__file__).resolve().parents[2].parent / "shared"
DEFAULT_OUTPUT = Path(__file__).resolve().parents[1] / "data" / "instance_limits.json"

# Where the figures come from, keyed by the 12-character commit prefixes that the CSV's
# `source` column names (upstream/SOURCES-instance-data.md, "Sources" table and its notes).
# The generator refuses a CSV naming a commit missing here, so this text cannot go stale silently.
PROVENANCE: Mapping[str, str] = {
    "58c8559e6486": "aws/amazon-vpc-resource-controller-k8s:pkg/aws/vpc/limits.go@58c8559e6486 (generated 2026-03-20)",
    "692ccdd0629e": "aws/karpenter-provider-aws:website/content/en/preview/reference/instance-types.md@692ccdd0629e (2026-07-11)",
    "9e1d72fdc1ea": "aws/karpenter-provider-aws:website/content/en/preview/reference/instance-types.md@9e1d72fdc1ea (2026-04-25)",
    "fe623d537f85": "aws/karpenter-provider-aws:website/content/en/preview/reference/instance-types.md@fe623d537f85 (2026-06-10)",
    "7370b5fd22eb": "aws/karpenter-provider-aws:website/content/en/preview/reference/instance-types.md@7370b5fd22eb (2025-07-15)",
}
# upstream/SOURCES-instance-data.md, source #1: the last version amazon-eks-ami ever had.
ENI_MAX_PODS_ORIGIN = "awslabs/amazon-eks-ami:templates/shared/runtime/eni-max-pods.txt@2377b69aaeb8 (2026-02-27)"

INT_COLUMNS = ("enis", "ipv4_per_eni", "vcpus", "enis_default_card", "network_cards", "branch_interfaces")
BOOL_COLUMNS = ("bare_metal", "trunking_compatible")
REQUIRED_COLUMNS = ("instance_type", *INT_COLUMNS, *BOOL_COLUMNS, "hypervisor", "source")
FIELDS = (*INT_COLUMNS, *BOOL_COLUMNS, "hypervisor", "eni_max_pods")

_SHA_ROW = re.compile(r"^\|\s*`(?P<file>[^`]+)`\s*\|.*\|\s*(?P<sha>[0-9a-f]{64})\s*\|\s*$")
_SOURCE_PART = re.compile(r"^(?:(?P<field>[a-z_]+):)?(?P<file>[^@;]+)@(?P<commit>[0-9a-f]{12})$")


class InputError(ValueError):
    """An input file does not have the shape this generator reads."""


def parse_eni_max_pods(text: str) -> dict[str, int]:
    """`type figure` lines of eni-max-pods.txt; `#` comments and blank lines are skipped."""
    figures: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 2 or not parts[1].isdigit():
            raise InputError(f"eni-max-pods.txt line {number}: expected 'TYPE FIGURE', got {raw!r}")
        name, figure = parts
        if name in figures:
            raise InputError(f"eni-max-pods.txt line {number}: duplicate type {name}")
        figures[name] = int(figure)
    return figures


def _parse_int(value: str, column: str, row: int) -> int | None:
    if value == "":
        return None
    if not value.isdigit():
        raise InputError(f"instance-types.csv row {row}: {column} is not a whole number: {value!r}")
    return int(value)


def _parse_bool(value: str, column: str, row: int) -> bool:
    if value not in ("true", "false"):
        raise InputError(f"instance-types.csv row {row}: {column} must be true or false, got {value!r}")
    return value == "true"


def parse_instance_csv(text: str) -> dict[str, dict[str, Any]]:
    """Rows of instance-types.csv keyed by type, typed: ints, booleans, hypervisor or None."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise InputError(f"instance-types.csv: missing columns {', '.join(missing)}")
    rows: dict[str, dict[str, Any]] = {}
    for number, raw in enumerate(reader, start=2):
        name = raw["instance_type"]
        if not name or name in rows:
            raise InputError(f"instance-types.csv row {number}: empty or duplicate instance type {name!r}")
        record: dict[str, Any] = {c: _parse_int(raw[c], c, number) for c in INT_COLUMNS}
        record.update({c: _parse_bool(raw[c], c, number) for c in BOOL_COLUMNS})
        record["hypervisor"] = raw["hypervisor"] or None
        record["source"] = raw["source"]
        rows[name] = record
    return rows


def source_origins(sources: Sequence[str]) -> dict[str, int]:
    """Count rows per `[field:]file@commit` part of the CSV's source column."""
    counts: dict[str, int] = {}
    for cell in sources:
        for part in cell.split(";"):
            match = _SOURCE_PART.match(part)
            if match is None:
                raise InputError(f"instance-types.csv: unreadable source {part!r}")
            if match["commit"] not in PROVENANCE:
                raise InputError(
                    f"instance-types.csv: source commit {match['commit']} is not in PROVENANCE; "
                    f"add it from {SOURCES_PATH}"
                )
            counts[part] = counts.get(part, 0) + 1
    return counts


def merge(rows: Mapping[str, Mapping[str, Any]], figures: Mapping[str, int]) -> dict[str, dict[str, Any]]:
    """One record per type of either file; fields a file does not give are None."""
    merged: dict[str, dict[str, Any]] = {}
    for name in sorted(set(rows) | set(figures)):
        row = rows.get(name, {})
        record = {f: row.get(f) for f in FIELDS if f != "eni_max_pods"}
        record["eni_max_pods"] = figures.get(name)
        merged[name] = record
    return merged


def inconsistencies(types: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Types whose default-card figure disagrees with eni-max-pods.txt (reference/max-pods.md § 6)."""
    problems = []
    for name, rec in types.items():
        enis, ips, figure = rec["enis_default_card"], rec["ipv4_per_eni"], rec["eni_max_pods"]
        if enis is None or ips is None or figure is None:
            continue
        computed = enis * (ips - 1) + 2
        if computed != figure:
            problems.append(f"{name}: {enis} * ({ips} - 1) + 2 = {computed}, eni-max-pods.txt says {figure}")
    return problems


def recorded_hashes(sources_md: str) -> dict[str, str]:
    """The sha256 column of SOURCES-instance-data.md's file table, keyed by upstream-relative path."""
    hashes = {}
    for line in sources_md.splitlines():
        match = _SHA_ROW.match(line.strip())
        if match:
            hashes[match["file"]] = match["sha"]
    return hashes


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build(csv_bytes: bytes, txt_bytes: bytes, sources_md: str) -> dict[str, Any]:
    """The whole data document: `_source` (inputs, hashes, origins) and `types`."""
    hashes = recorded_hashes(sources_md)
    for path, data in ((CSV_PATH, csv_bytes), (ENI_MAX_PODS_PATH, txt_bytes)):
        key = path.removeprefix("upstream/")
        if hashes.get(key) != sha256(data):
            raise InputError(
                f"{path}: sha256 {sha256(data)} differs from {SOURCES_PATH} ({hashes.get(key)}); "
                "update the provenance before regenerating"
            )
    rows = parse_instance_csv(csv_bytes.decode("utf-8"))
    figures = parse_eni_max_pods(txt_bytes.decode("utf-8"))
    types = merge(rows, figures)
    problems = inconsistencies(types)
    if problems:
        raise InputError("default-card figures disagree with eni-max-pods.txt:\n  " + "\n  ".join(problems))
    origins = source_origins([r["source"] for r in rows.values()])
    source = {
        "generator": GENERATOR,
        "provenance": SOURCES_PATH,
        "inputs": {
            CSV_PATH: {
                "sha256": sha256(csv_bytes),
                "types": len(rows),
                "origins": {
                    part: {"rows": count, "origin": PROVENANCE[part.rsplit("@", 1)[1]]}
                    for part, count in origins.items()
                },
            },
            ENI_MAX_PODS_PATH: {
                "sha256": sha256(txt_bytes),
                "types": len(figures),
                "origin": ENI_MAX_PODS_ORIGIN,
            },
        },
        "note": "max pods uses enis_default_card, not enis (reference/max-pods.md § 4); null = not stated",
    }
    return {"_source": source, "types": types}


def render(document: Mapping[str, Any]) -> str:
    """Canonical JSON: sorted keys, indent 2, trailing newline."""
    return json.dumps(document, sort_keys=True, indent=2) + "\n"


def generate(shared: Path) -> str:
    """Read the inputs under `shared` and return the file's text."""
    return render(
        build(
            (shared / CSV_PATH).read_bytes(),
            (shared / ENI_MAX_PODS_PATH).read_bytes(),
            (shared / SOURCES_PATH).read_text(encoding="utf-8"),
        )
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gen_instance_limits", description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the team's shared folder")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--check", action="store_true", help="exit 1 if the output is not current")
    args = parser.parse_args(argv)
    try:
        text = generate(args.shared)
    except (OSError, InputError) as exc:
        print(f"gen_instance_limits: {exc}", file=sys.stderr)
        return 2
    current = args.output.read_text(encoding="utf-8") if args.output.is_file() else None
    if args.check:
        if current != text:
            print(f"{args.output} is stale: run {GENERATOR}", file=sys.stderr)
            return 1
        return 0
    if current != text:
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
