"""Generate schemas/clusterconfig.schema.json from eksctl's published ClusterConfig JSON Schema.

Run as ``python -m eks_net_lint.tools.gen_clusterconfig_schema [--check] [--shared DIR]``.

The published schema (``../shared/upstream/eksctl/clusterconfig.schema.json``) is stricter or
looser than eksctl itself in a few places; reference/eksctl.md § 7 lists them, and each change
below cites the check it mirrors:

* ``kubernetesNetworkConfig.ipFamily``: eksctl compares it case-insensitively and accepts ``""``
  (§ 3.2 K3), the schema enum is case-sensitive → a case-insensitive pattern.
* ``amiFamily`` (both node-group kinds): matched case-insensitively (§ 2.8, N5) → a
  case-insensitive pattern over the same names.
* ``RemoteNetworkConfig.required`` drops ``vpcGatewayID``: eksctl treats it as optional
  (§ 7; ``examples/43-hybrid-nodes.yaml`` passes eksctl).
* self-managed ``taints`` (``taintsWrapper``): eksctl also accepts the map form
  ``{key: "value:Effect"}`` (§ 7) → array or map of strings.
* ``vpc.hostnameType`` gets the enum eksctl enforces (§ 3.4 V9: ``ip-name`` | ``resource-name``;
  ``""`` is Go's unset value and passes).
* annotation-only keywords are dropped (``description``, ``x-intellij-html-description``,
  ``preferredOrder``, and the ``default`` values, some of which have the wrong type, § 7);
  they never change what validates.

Relaxed enums keep their names under ``x-enum-ci`` so a schema finding can still name the
allowed values.
"""
from __future__ import annotations

import argparse
import copy
import hashlib
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

SCHEMA_IN = "eksctl/clusterconfig.schema.json"
SOURCES_MD = "eksctl/SOURCES.md"
OUTPUT = Path(__file__).resolve().parents[2] / "schemas" / "clusterconfig.schema.json"
DEFAULT_SHARED = Path(__file__).resolve().parents[3] / "shared"

ANNOTATIONS = ("description", "x-intellij-html-description", "preferredOrder", "default")
HOSTNAME_TYPES = ("", "ip-name", "resource-name")  # reference/eksctl.md § 3.4 V9


def case_insensitive_pattern(names: Sequence[str], *, allow_empty: bool = False) -> str:
    """An anchored regex matching any of ``names`` in any letter case (portable, no flags)."""

    def one(name: str) -> str:
        return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else re.escape(c) for c in name)

    body = "|".join(one(n) for n in names)
    return f"^({body})?$" if allow_empty else f"^({body})$"


def strip_annotations(node: Any) -> Any:
    """A copy of a schema node without annotation-only keywords (property names are kept)."""
    if isinstance(node, list):
        return [strip_annotations(x) for x in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("properties", "definitions"):
            out[key] = {name: strip_annotations(sub) for name, sub in value.items()}
        elif key not in ANNOTATIONS:
            out[key] = strip_annotations(value)
    return out


def relax_enum(prop: dict[str, Any], *, allow_empty: bool) -> None:
    """Replace a case-sensitive string enum with a case-insensitive pattern, in place."""
    names = prop.pop("enum")
    prop["pattern"] = case_insensitive_pattern(names, allow_empty=allow_empty)
    prop["x-enum-ci"] = names


def transform(published: dict[str, Any]) -> dict[str, Any]:
    """Apply the reference/eksctl.md § 7 adjustments to the published schema."""
    schema = strip_annotations(copy.deepcopy(published))
    defs = schema["definitions"]
    relax_enum(defs["KubernetesNetworkConfig"]["properties"]["ipFamily"], allow_empty=True)
    for group in ("NodeGroup", "ManagedNodeGroup"):
        relax_enum(defs[group]["properties"]["amiFamily"], allow_empty=False)
    remote = defs["RemoteNetworkConfig"]
    remote["required"] = [r for r in remote.get("required", []) if r != "vpcGatewayID"]
    defs["taintsWrapper"] = {
        "anyOf": [
            {"type": "array", "items": {"$ref": "#/definitions/NodeGroupTaint"}},
            {"type": "object", "additionalProperties": {"type": "string"}},
        ]
    }
    defs["ClusterVPC"]["properties"]["hostnameType"] = {"type": "string", "enum": list(HOSTNAME_TYPES)}
    return schema


def upstream_identity(sources_md: str) -> tuple[str, str]:
    """(upstream repo:path@commit, snapshot date) of the schema, read from SOURCES.md."""
    ref = date = ""
    for line in sources_md.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0] == "`clusterconfig.schema.json`":
            ref = cells[1].strip("`")
        elif len(cells) >= 3 and cells[0] == "eksctl-io/eksctl" and re.fullmatch(r"[0-9a-f]{40}", cells[1]):
            date = cells[2]
    return ref, date


def generate(shared: Path) -> str:
    """The canonical text of schemas/clusterconfig.schema.json built from ``shared``."""
    upstream = shared / "upstream"
    raw = (upstream / SCHEMA_IN).read_bytes()
    ref, date = upstream_identity((upstream / SOURCES_MD).read_text(encoding="utf-8"))
    schema = transform(json.loads(raw))
    schema["_source"] = {
        "generator": "python -m eks_net_lint.tools.gen_clusterconfig_schema",
        "inputs": [
            {
                "path": f"shared/upstream/{SCHEMA_IN}",
                "sha256": hashlib.sha256(raw).hexdigest(),
                "snapshot_date": date,
                "upstream": ref,
            }
        ],
        "changes": "reference/eksctl.md § 7: ipFamily and amiFamily enums case-insensitive "
        "(x-enum-ci); RemoteNetworkConfig.vpcGatewayID optional; self-managed taints also as a "
        "map; vpc.hostnameType enum (§ 3.4 V9); annotation keywords removed",
    }
    return json.dumps(schema, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eks_net_lint.tools.gen_clusterconfig_schema")
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the team's shared/ folder")
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed file is stale")
    args = parser.parse_args(argv)
    text = generate(args.shared)
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT} is stale; run python -m eks_net_lint.tools.gen_clusterconfig_schema", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
