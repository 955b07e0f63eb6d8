"""The pipeline: discover → load → classify → group → rules → filter → Report."""
from __future__ import annotations

import gc
import json
import os
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import suppress
from .classify import Skip, classify
from .config import Config
from .context import ClusterContext
from .discover import Candidate, compile_globs, discover
from .findings import Finding, RuleSpec, Severity, Violation
from .group import group
from .load import Limits, SourceFile, read_source
from .registry import all_rules
from .scope import scope
from .views import View

PARALLEL_MIN_FILES = 400  # with an explicit --jobs N
# Auto jobs: workers only parse, and parsing is about a sixth of a run once the pre-filter has
# skipped most files; below this many files the pool costs what it saves (benchmarks: 0.97x).
AUTO_PARALLEL_MIN_FILES = 20_000


@dataclass
class Report:
    """What a run found, in deterministic order, plus what it skipped and why."""

    findings: list[Finding] = field(default_factory=list)
    files: int = 0
    parsed: int = 0
    skips: list[str] = field(default_factory=list)
    contexts: list[ClusterContext] = field(default_factory=list)
    internal_errors: list[str] = field(default_factory=list)

    def at_or_above(self, threshold: Severity) -> list[Finding]:
        return [f for f in self.findings if f.severity >= threshold]


def _read(candidate: Candidate, limits: Limits, stdin_text: str | None) -> SourceFile:
    return read_source(candidate.display, candidate.fs_path, limits, stdin_text if candidate.fs_path is None else None)


def _read_many(
    candidates: list[Candidate], limits: Limits, stdin_text: str | None, jobs: int
) -> Iterator[SourceFile]:
    """Sources in candidate order, streamed so that each can be slimmed before the next is read."""
    if jobs == 0:  # auto
        jobs = default_jobs() if len(candidates) >= AUTO_PARALLEL_MIN_FILES else 1
    if jobs > 1 and len(candidates) >= PARALLEL_MIN_FILES:
        files = [c for c in candidates if c.fs_path is not None]
        chunk = max(1, len(files) // (jobs * 4))
        from concurrent.futures import ProcessPoolExecutor  # 30 ms to import: only when used

        with ProcessPoolExecutor(max_workers=jobs) as pool:
            read = pool.map(_read_in_worker, files, [limits] * len(files), chunksize=chunk)
            for candidate in candidates:
                yield next(read) if candidate.fs_path is not None else _read(candidate, limits, stdin_text)
        return
    for candidate in candidates:
        yield _read(candidate, limits, stdin_text)


def _read_in_worker(candidate: Candidate, limits: Limits) -> SourceFile:
    gc.disable()  # see lint(): a worker process only parses
    source = _read(candidate, limits, None)
    if not source.documents and not source.problems:
        source.text = ""  # nothing to ship back for a skipped file
    return source


def _finding(spec: RuleSpec, violation: Violation, config: Config, cluster: str | None) -> Finding:
    return Finding(
        spec,
        config.severity_of(spec.id, spec.severity),
        violation.message,
        violation.location,
        violation.fix,
        violation.related,
        cluster,
    )


def run_rules(contexts: list[ClusterContext], config: Config, report: Report) -> list[Finding]:
    findings: list[Finding] = []
    seen: set[tuple[str, str, int, int, str]] = set()
    specs = [(s, config.options_for(s.id)) for s in all_rules() if s.scope == "cluster" and config.enabled(s.id)]
    for ctx in contexts:
        for spec, options in specs:
            try:
                for violation in spec.check(ctx, options):
                    loc = violation.location
                    key = (spec.id, loc.path, loc.line, loc.col, violation.message)
                    if key not in seen:
                        seen.add(key)
                        findings.append(_finding(spec, violation, config, ctx.label))
            except Exception as err:  # a rule bug must not stop the run; it is reported (exit 2)
                where = traceback.extract_tb(err.__traceback__)[-1]
                report.internal_errors.append(
                    f"{spec.id} on {ctx.key}: {type(err).__name__}: {err} ({os.path.basename(where.filename)}:{where.lineno})"
                )
    return findings


def _baseline(config: Config) -> set[tuple[str, str, str]]:
    if config.baseline is None or not config.baseline.is_file():
        return set()
    try:
        data = json.loads(config.baseline.read_text("utf-8"))
    except (OSError, ValueError):
        return set()
    return {(d.get("rule"), d.get("path"), d.get("message")) for d in data if isinstance(d, dict)}


def lint(
    paths: Sequence[str],
    config: Config,
    *,
    stdin_text: str | None = None,
    only: Sequence[str] | None = None,
    jobs: int = 1,  # 0: auto
) -> Report:
    """Lint ``paths`` (``-`` for stdin) with ``config``; ``only`` restricts reporting to those files.

    The cyclic garbage collector is paused for the run: parsing allocates hundreds of thousands of
    acyclic nodes, and the collector's repeated scans of them cost more than the parse (measured:
    libyaml composition runs about 3x faster without it). Its previous state is restored.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _lint(paths, config, stdin_text=stdin_text, only=only, jobs=jobs)
    finally:
        if collecting:
            gc.enable()


def _lint(
    paths: Sequence[str],
    config: Config,
    *,
    stdin_text: str | None,
    only: Sequence[str] | None,
    jobs: int,
) -> Report:
    report = Report()
    exclude = compile_globs(config.exclude)
    candidates = list(discover(paths, exclude))
    wanted = None if only is None else {os.path.abspath(p) for p in only}
    if wanted is not None:  # pre-commit: parse only what can share a cluster with a given file
        given = {c.display for c in candidates if os.path.abspath(c.display) in wanted}
        candidates = scope(candidates, given, config)
    classified: list[tuple[SourceFile, list[View]]] = []
    skips: list[Skip] = []
    suppressions: list[suppress.Suppression] = []
    for source in _read_many(candidates, config.limits, stdin_text, jobs):
        report.files += 1
        if source.skipped:
            report.skips.append(source.skipped)
        if source.documents:
            report.parsed += 1
        views, file_skips = classify(source)
        skips.extend(file_skips)
        suppressions.extend(suppress.parse_comments(source))
        if not views:  # nothing reads this file again but its problems: keep memory flat
            source.documents, source.text = [], ""
        classified.append((source, views))
    report.skips.extend(f"{s.path}:{s.line}: {s.reason}" for s in skips)
    contexts = group(classified, config)
    report.contexts = contexts
    if wanted is not None:  # pre-commit: build only the contexts that hold a given file
        contexts = [c for c in contexts if any(os.path.abspath(s.path) in wanted for s in c.sources)]
    findings = run_rules(contexts, config, report)
    for ctx in contexts:
        report.skips.extend(ctx.skip_notes)
    findings = [f for f in findings if not config.ignored_at(f.location.path, f.rule.id)]
    for source, views in classified:
        for view in views:
            found = suppress.parse_annotation(view)
            if found is not None:
                suppressions.append(found)
    findings = suppress.apply(findings, suppressions)
    not_run = {s.id for s in all_rules() if not config.enabled(s.id)}
    for s in suppressions:  # a suppression of a rule that did not run is not "unused"
        s.used.update(not_run & set(s.ids))
    for spec in all_rules():
        if spec.scope == "suppressions" and config.enabled(spec.id):
            for violation in spec.check(suppressions, config.options_for(spec.id)):
                findings.append(_finding(spec, violation, config, None))
    accepted = _baseline(config)
    if accepted:
        findings = [f for f in findings if (f.rule.id, f.location.path, f.message) not in accepted]
    if wanted is not None:
        findings = [f for f in findings if os.path.abspath(f.location.path) in wanted]
    report.findings = sorted(findings, key=Finding.sort_key)
    return report


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def repo_root(path: str) -> Path | None:
    """The nearest ancestor holding ``.git`` (pre-commit mode scans the whole repository)."""
    start = Path(os.path.abspath(path))
    for folder in (start if start.is_dir() else start.parent, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None
