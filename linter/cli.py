"""The command line: a thin layer over the API (``lint``, ``rules``, ``explain``).

Exit codes: 0 no finding at or above the failure threshold, 1 findings, 2 usage or
configuration error (and internal errors, reported in one line, never a traceback).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence

from . import __version__
from .config import Config, ConfigError, load_config
from .engine import Report, lint, repo_root
from .findings import Severity
from .maxpods_cli import main as cmd_max_pods
from .registry import all_rules, expand_selectors, lookup
from .report import FORMATS
from .report.text import statistics

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        raise _UsageError(f"{self.prog}: error: {message}")


class _UsageError(Exception):
    pass


def exit_code(report: Report, threshold: Severity) -> int:
    """The one place that turns a report into an exit code."""
    if report.internal_errors:
        return EXIT_USAGE
    return EXIT_FINDINGS if report.at_or_above(threshold) else EXIT_OK


def _lint_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="eks-net-lint",
        description="Lint Amazon EKS networking configuration (VPC CNI, ENIConfig, eksctl, Multus).",
        epilog="Commands: 'eks-net-lint rules' lists the rules; 'eks-net-lint explain ID|name' documents one; "
               "'eks-net-lint max-pods TYPE' computes max pods for an instance type.",
    )
    p.add_argument("paths", nargs="*", default=["."], help="files or directories to lint ('-' for stdin; default '.')")
    p.add_argument("--format", action="append", choices=[*sorted(FORMATS), "auto"],
                   help="output format (default text; auto: github under GitHub Actions, else text); repeatable")
    p.add_argument("--output", action="append", metavar="FILE",
                   help="write the matching --format to FILE ('-' for stdout); one per --format when repeated")
    p.add_argument("--select", action="append", default=[], metavar="RULES",
                   help="only these rules (IDs, names or family prefixes, comma-separated)")
    p.add_argument("--ignore", action="append", default=[], metavar="RULES", help="skip these rules")
    p.add_argument("--fail-on", choices=["error", "warning", "info"], help="lowest severity that fails the run")
    p.add_argument("--config", metavar="FILE", help="config file (default: .eks-net-lint.yaml found upwards)")
    p.add_argument("--no-config", action="store_true", help="ignore config files")
    p.add_argument("--show-fixes", action="store_true", help="print the fix hint and related locations under each finding")
    p.add_argument("--statistics", action="store_true", help="print a count per rule instead of the findings")
    p.add_argument("--explain-skips", action="store_true", help="print to stderr what was skipped and why")
    p.add_argument("--jobs", type=int, default=0, metavar="N", help="worker processes for parsing (default 0: auto, all cores from 20,000 files)")
    p.add_argument("--in-repo", action="store_true",
                   help="pre-commit mode: lint the whole repository for context, report only the given files")
    p.add_argument("--diff-base", metavar="REV",
                   help="git revision to compare with, for rules about a change (ENI011); pre-commit uses HEAD")
    p.add_argument("--version", action="version", version=f"eks-net-lint {__version__}")
    return p


def _split(values: Sequence[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _apply_cli(config: Config, args: argparse.Namespace) -> Config:
    import dataclasses

    changes: dict[str, object] = {}
    if args.select:
        ids, unknown = expand_selectors(_split(args.select))
        if unknown:
            raise ConfigError(f"--select: unknown rule {', '.join(unknown)}")
        changes["select"] = frozenset(ids)
    if args.ignore:
        ids, unknown = expand_selectors(_split(args.ignore))
        if unknown:
            raise ConfigError(f"--ignore: unknown rule {', '.join(unknown)}")
        changes["ignore"] = config.ignore | ids
    if args.fail_on:
        changes["fail_on"] = Severity.parse(args.fail_on)
    if args.diff_base:
        changes["diff_base"] = args.diff_base
    return dataclasses.replace(config, **changes) if changes else config  # type: ignore[arg-type]


def _outputs(formats: list[str], files: list[str]) -> list[tuple[str, str]]:
    """Pair each --format with its --output ('-' is stdout); ``auto`` is github under GitHub Actions."""
    if (files and len(files) != len(formats)) or (not files and len(formats) > 1):
        raise _UsageError("eks-net-lint: error: give one --output per --format when either is repeated")
    auto = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    return [(auto if fmt == "auto" else fmt, dest) for fmt, dest in zip(formats, files or ["-"])]


def _render(report: Report, fmt: str, args: argparse.Namespace, tty: bool) -> str:
    if args.statistics:
        return statistics(report) if fmt == "text" else json.dumps(
            [{"rule": f.rule.id, "name": f.rule.name} for f in report.findings]) + "\n"
    if fmt == "text":
        return FORMATS["text"](report, colour=tty and "NO_COLOR" not in os.environ, show_fixes=args.show_fixes)
    return FORMATS[fmt](report)


def _write(dest: str, text: str) -> None:
    if dest == "-":
        sys.stdout.write(text)
        return
    try:
        with open(dest, "w", encoding="utf-8") as out:
            out.write(text)
    except OSError as err:
        raise _UsageError(f"eks-net-lint: error: cannot write {dest}: {err.strerror or err}") from err


def cmd_lint(argv: Sequence[str]) -> int:
    args = _lint_parser().parse_args(argv)
    paths = list(args.paths)
    if paths.count("-") > 1:
        raise _UsageError("eks-net-lint: error: '-' (stdin) may be given once")
    missing = [p for p in paths if p != "-" and not os.path.lexists(p)]
    if missing:
        raise _UsageError(f"eks-net-lint: error: no such file or directory: {', '.join(missing)}")
    config = _apply_cli(load_config(paths, args.config, not args.no_config), args)
    stdin_text = sys.stdin.buffer.read().decode("utf-8", "replace") if "-" in paths else None
    only = None
    if args.in_repo and paths and "-" not in paths:
        root = repo_root(paths[0])
        if root is not None:
            only, paths = paths, [os.path.relpath(root)]
    outputs = _outputs(args.format or ["text"], args.output or [])
    report = lint(paths, config, stdin_text=stdin_text, only=only, jobs=max(args.jobs, 0))
    for fmt, dest in outputs:
        _write(dest, _render(report, fmt, args, tty=dest == "-" and sys.stdout.isatty()))
    if args.explain_skips:
        for reason in report.skips:
            sys.stderr.write(f"skipped: {reason}\n")
    for error in report.internal_errors:
        sys.stderr.write(f"eks-net-lint {__version__}: internal error in {error}\n")
    return exit_code(report, config.fail_on)


def cmd_rules(argv: Sequence[str]) -> int:
    p = _Parser(prog="eks-net-lint rules", description="List every rule.")
    p.add_argument("--format", choices=["text", "json", "markdown"], default="text")
    args = p.parse_args(argv)
    rules = all_rules()
    if args.format == "json":
        sys.stdout.write(json.dumps([{"id": r.id, "name": r.name, "severity": str(r.severity),
                                      "summary": r.summary} for r in rules], indent=2) + "\n")
        return EXIT_OK
    if args.format == "markdown":
        from .docs import rule_table

        sys.stdout.write(rule_table())
        return EXIT_OK
    width = max(len(r.name) for r in rules)
    for r in rules:
        sys.stdout.write(f"{r.id:<8} {r.name:<{width}}  {str(r.severity):<7}  {r.summary}\n")
    return EXIT_OK


def cmd_explain(argv: Sequence[str]) -> int:
    p = _Parser(prog="eks-net-lint explain", description="Print the documentation of one rule.")
    p.add_argument("rule", help="rule ID or name, e.g. ENI001 or missing-zone-eniconfig")
    p.add_argument("--format", choices=["text", "json"], default="text")
    args = p.parse_args(argv)
    spec = lookup(args.rule)
    if spec is None:
        raise _UsageError(f"eks-net-lint explain: error: unknown rule {args.rule!r} (see 'eks-net-lint rules')")
    from .docs import explain_json, explain_text

    sys.stdout.write(explain_json(spec) if args.format == "json" else explain_text(spec))
    return EXIT_OK


COMMANDS: dict[str, Callable[[Sequence[str]], int]] = {
    "rules": cmd_rules,
    "explain": cmd_explain,
    "max-pods": cmd_max_pods,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if args and args[0] in COMMANDS:
            return COMMANDS[args[0]](args[1:])
        if args and args[0] == "lint":
            args = args[1:]
        return cmd_lint(args)
    except _UsageError as err:
        sys.stderr.write(f"{err}\n")
        return EXIT_USAGE
    except ConfigError as err:
        sys.stderr.write(f"eks-net-lint: config error: {err}\n")
        return EXIT_USAGE
    except SystemExit as err:  # argparse --help / --version
        return int(err.code or 0) if isinstance(err.code, int) else EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception as err:  # the last resort: one line, never a traceback (H13)
        sys.stderr.write(f"eks-net-lint {__version__}: internal error: {type(err).__name__}: {err}\n")
        return EXIT_USAGE
