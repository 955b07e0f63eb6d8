"""The `eks-net-lint max-pods TYPE` command: print the calculator's figures and the formula used."""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from .instances import InstanceType, did_you_mean, lookup
from .maxpods import CniMode, MaxPods, NoData, calculate, parse_cni_version

USAGE_ERROR = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's options (shared by the subcommand and `python -m eks_net_lint.maxpods_cli`)."""
    parser.add_argument("instance_type", metavar="TYPE", help="EC2 instance type, e.g. m5.large")
    parser.add_argument("--custom-networking", action="store_true", help="the primary ENI carries no pods")
    parser.add_argument("--prefix-delegation", action="store_true", help="each IP slot holds a /28 prefix")
    parser.add_argument("--cni-version", metavar="V", help="VPC CNI version (prefix delegation needs 1.9+)")
    parser.add_argument("--max-enis", metavar="N", type=int, help="the VPC CNI's MAX_ENI setting")
    parser.add_argument(
        "--script-compatible",
        action="store_true",
        help="like max-pods-calculator.sh: no prefix delegation on bare metal",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")


def _mode_name(mode: CniMode) -> str:
    parts = ["prefix delegation" if mode.prefix_delegation else "secondary IP"]
    if mode.custom_networking:
        parts.append("custom networking")
    if mode.max_enis is not None:
        parts.append(f"MAX_ENI={mode.max_enis}")
    if mode.cni_version is not None:
        parts.append(f"CNI {mode.cni_version}")
    return ", ".join(parts)


def _describe(itype: InstanceType) -> str:
    if not itype.has_eni_data:
        return f"{itype.name}: only the eni-max-pods.txt figure is bundled"
    cards = f" of {itype.enis} over {itype.network_cards} cards" if (itype.network_cards or 1) > 1 else ""
    vcpus = "unknown vCPUs" if itype.vcpus is None else f"{itype.vcpus} vCPUs"
    kind = "bare metal" if itype.bare_metal else (itype.hypervisor or "unknown hypervisor")
    return (
        f"{itype.name}: {itype.enis_default_card} ENIs on the default card{cards}, "
        f"{itype.ipv4_per_eni} IPv4 per ENI, {vcpus}, {kind}"
    )


def as_json(itype: InstanceType, mode: CniMode, result: MaxPods) -> dict[str, Any]:
    return {
        "instance_type": itype.name,
        "mode": {
            "custom_networking": mode.custom_networking,
            "prefix_delegation": mode.prefix_delegation,
            "prefix_delegation_effective": result.prefix_delegation,
            "cni_version": mode.cni_version,
            "max_enis": mode.max_enis,
        },
        "eni_limited": result.eni_limited,
        "guidance_cap": result.guidance_cap,
        "recommended": result.recommended,
        "formula": result.formula,
        "cap_rule": result.cap_rule,
        "notes": list(result.notes),
    }


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Compute and print; 0 on success, 2 for an unknown type or a bad option."""
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    name = args.instance_type
    if args.cni_version is not None and parse_cni_version(args.cni_version) is None:
        print(f"eks-net-lint max-pods: --cni-version {args.cni_version!r} is not a version like 1.18.0", file=err)
        return USAGE_ERROR
    itype = lookup(name)
    if itype is None:
        suggestions = did_you_mean(name)
        hint = f"; did you mean {', '.join(suggestions[:3])}?" if suggestions else ""
        print(f"eks-net-lint max-pods: no instance data for {name}{hint}", file=err)
        return USAGE_ERROR
    mode = CniMode(
        custom_networking=args.custom_networking,
        prefix_delegation=args.prefix_delegation,
        cni_version=args.cni_version,
        max_enis=args.max_enis,
        pd_nitro_only=args.script_compatible,
    )
    result = calculate(itype, mode)
    if isinstance(result, NoData):
        print(f"eks-net-lint max-pods: {result.reason}", file=err)
        return USAGE_ERROR
    if args.format == "json":
        print(json.dumps(as_json(itype, mode, result), indent=2, sort_keys=True), file=out)
        return 0
    print(_describe(itype), file=out)
    print(f"mode: {_mode_name(mode)}", file=out)
    for line in result.lines():
        print(line, file=out)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="eks-net-lint max-pods", description=__doc__)
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
