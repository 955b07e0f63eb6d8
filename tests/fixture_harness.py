"""Run rule fixtures: expected findings are written in the fixture itself (H16).

A case is one file, or a directory of files (a multi-file cluster), under
``tests/fixtures/<ID>/bad/`` or ``good/``. YAML lines that must be reported carry
``# expect: <ID> [value ...]``; JSON files get a sidecar ``<file>.expect`` with
``line:col <ID> [value ...]`` lines (col may be ``*``). A case directory may hold its own
``.eks-net-lint.yaml`` (its ``select`` adds rules to run beside the rule under test).
Only findings of the rule under test are compared. A case directory with a ``.git-base/``
folder runs in a temporary git repository against ``--diff-base HEAD`` (rules about a change).
"""
from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

from eks_net_lint.config import Config, build, read_config_file
from eks_net_lint.engine import Report, lint
from eks_net_lint.registry import lookup

FIXTURES = Path(__file__).resolve().parent / "fixtures"
MARKER = re.compile(r"#\s*expect:\s*([A-Z]+[0-9]{3})([^#\n]*)")
SIDECAR = re.compile(r"^\s*(\d+):(\d+|\*)\s+([A-Z]+[0-9]{3})(.*)$")


@dataclasses.dataclass(frozen=True)
class Expected:
    path: str
    line: int
    rule: str
    values: tuple[str, ...]


def case_files(case: Path) -> list[Path]:
    if case.is_file():
        return [case]
    return sorted(p for p in case.rglob("*") if p.is_file() and not p.name.endswith(".expect"))


def expectations(case: Path) -> list[Expected]:
    found = []
    for path in case_files(case):
        sidecar = path.with_name(path.name + ".expect")
        if sidecar.exists():
            for line in sidecar.read_text("utf-8").splitlines():
                m = SIDECAR.match(line)
                if m:
                    found.append(Expected(str(path), int(m.group(1)), m.group(3), tuple(m.group(4).split())))
            continue
        try:
            text = path.read_text("utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            for m in MARKER.finditer(line):
                found.append(Expected(str(path), number, m.group(1), tuple(m.group(2).split())))
    return found


def case_config(case: Path, rule_id: str) -> Config:
    config_file = case / ".eks-net-lint.yaml" if case.is_dir() else None
    if config_file is not None and config_file.exists():
        config = build(read_config_file(config_file), config_file)
    else:
        config = Config(base=case if case.is_dir() else case.parent)
    # A case config may select more rules (LNT006 needs a rule to suppress); only rule_id is compared.
    return dataclasses.replace(config, select=(config.select or frozenset()) | {rule_id})


def run_case(rule_id: str, case: Path) -> Report:
    return lint([str(case)], case_config(case, rule_id))


def in_git_history(case: Path, workdir: Path) -> Path:
    """Copy a case whose ``.git-base/`` holds the files as they were into a git repo whose HEAD
    commit has those files, with the case's own files as the uncommitted change (for --diff-base)."""
    repo = workdir / case.name
    shutil.copytree(case / ".git-base", repo)
    git = ["git", "-C", str(repo), "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "base"], check=True)
    shutil.copytree(case, repo, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".git-base"))
    return repo


def _abs(path: str) -> str:
    """Findings in the config file carry a cwd-relative path; markers carry absolute ones."""
    return os.path.abspath(path)


def check_case(rule_id: str, kind: str, case: Path, workdir: Path | None = None) -> None:
    assert lookup(rule_id) is not None, f"fixture folder {rule_id} names no registered rule"
    if (case / ".git-base").is_dir():
        assert workdir is not None
        case = in_git_history(case, workdir)
        report = lint([str(case)], dataclasses.replace(case_config(case, rule_id), diff_base="HEAD"))
    else:
        report = run_case(rule_id, case)
    assert not report.internal_errors, report.internal_errors
    findings = [f for f in report.findings if f.rule.id == rule_id]
    got = Counter((_abs(f.location.path), f.location.line, f.rule.id) for f in findings)
    expected = expectations(case) if kind == "bad" else []
    want = Counter((e.path, e.line, e.rule) for e in expected)
    shown = "\n".join(f"  {f.location.path}:{f.location.line}:{f.location.col} {f.rule.id} {f.message}" for f in findings)
    assert got == want, f"{case}: findings differ from the expect markers\nexpected: {sorted(want)}\ngot:\n{shown}"
    if kind == "bad":
        assert expected, f"{case}: a bad fixture needs at least one '# expect: {rule_id}' marker"
    for e in expected:
        messages = [f.message for f in findings if (_abs(f.location.path), f.location.line, f.rule.id) == (e.path, e.line, e.rule)]
        for value in e.values:
            assert any(value in m for m in messages), f"{e.path}:{e.line}: no {e.rule} message names {value!r}: {messages}"


def all_cases() -> list[tuple[str, str, Path]]:
    cases = []
    if not FIXTURES.is_dir():
        return cases
    for rule_dir in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        for kind in ("bad", "good"):
            folder = rule_dir / kind
            if folder.is_dir():
                for case in sorted(folder.iterdir()):
                    if not case.name.endswith(".expect") and not case.name.startswith("."):
                        cases.append((rule_dir.name, kind, case))
    return cases
