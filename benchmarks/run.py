"""Measure eks-net-lint against the performance targets of DESIGN.md, in one command.

    python benchmarks/run.py [--clusters 50] [--seed 1] [--repeat 5] [--no-yamllint] [--quick]

Generates the corpus when it is missing (benchmarks/gen_corpus.py; 1x, 2x and 4x the clusters for
the growth figures), then, in the same run, times every command as a child process (wall time, best
of ``--repeat``; peak RSS from ``os.wait4``) and prints one table with the targets and PASS/MISS.
The same figures, with every sample, go to ``benchmarks/results.json``. See benchmarks/README.md.
Nothing here uses the network.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import gen_corpus  # noqa: E402  (a sibling script, not a package)
from bare_load import parse_tree  # noqa: E402

PY = sys.executable
BIN = Path(PY).parent
MB = 1024 * 1024
ENV = {**os.environ, "NO_COLOR": "1", "LC_ALL": "C.UTF-8"}
for _var in ("PYTHONPROFILEIMPORTTIME", "PYTHONDEVMODE", "PYTHONTRACEMALLOC", "PYTHONWARNINGS"):
    ENV.pop(_var, None)

# Targets (DESIGN.md § Performance targets).
WHOLE_RUN_MAX = 0.5  # × bare CSafeLoader parse
YAMLLINT_MIN = 40.0  # × faster than yamllint
GROWTH_MAX = 1.2  # time per file at 2×/4× over time per file at 1× (linear growth is ≤ 1)
PEAK_MB_MAX = 64.0
PRECOMMIT_FIXED_S = 0.100


def _tool(name: str, module_code: str) -> list[str]:
    """The console script next to this interpreter, else the same thing through ``python -c``."""
    script = BIN / name
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [PY, "-c", module_code]


LINT_CODE = "import sys; from eks_net_lint.cli import main; sys.exit(main())"
LINT = _tool("eks-net-lint", LINT_CODE)


def freeze_engine(repo: Path) -> Path:
    """Copy the engine as it is now (working tree) into a package directory outside the checkout.

    Other engineers edit linter/ and rules/ while a run takes minutes; every eks-net-lint process of
    one run must see the same code. The copy is laid out as the installed namespace (setuptools
    ``package-dir``) and put first on PYTHONPATH, ahead of the editable install's finder.
    """
    dest = Path(tempfile.mkdtemp(prefix="eks-net-lint-bench-"))
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(repo / "linter", dest / "eks_net_lint", ignore=ignore)
    shutil.copytree(repo / "rules", dest / "eks_net_lint" / "rules", ignore=ignore)
    shutil.copytree(repo / "schemas", dest / "eks_net_lint" / "schemas", ignore=ignore)
    return dest


def _yamllint() -> list[str] | None:
    script = BIN / "yamllint"
    if script.is_file():
        return [str(script)]
    try:
        import yamllint  # noqa: F401
    except ImportError:
        return None
    return [PY, "-m", "yamllint"]


# --- running and measuring child processes --------------------------------------------------


@dataclass
class Run:
    wall: float
    cpu: float  # user + system seconds of the child and the descendants it waited for
    maxrss_kb: int
    code: int
    stdout: str
    stderr: str


@dataclass
class Sample:
    """Every run of one command: best wall time, peak RSS over the runs, the last output."""

    cmd: list[str]
    cwd: str
    runs: list[Run] = field(default_factory=list)

    @property
    def best(self) -> float:
        return min(r.wall for r in self.runs)

    @property
    def best_cpu(self) -> float:
        return min(r.cpu for r in self.runs)

    @property
    def peak_mb(self) -> float:
        return max(r.maxrss_kb for r in self.runs) / 1024

    @property
    def last(self) -> Run:
        return self.runs[-1]

    def as_json(self) -> dict[str, Any]:
        return {"cmd": _display_cmd(self.cmd), "cwd": self.cwd, "best_s": round(self.best, 4),
                "walls_s": [round(r.wall, 4) for r in self.runs], "best_cpu_s": round(self.best_cpu, 4),
                "cpus_s": [round(r.cpu, 4) for r in self.runs], "peak_rss_mb": round(self.peak_mb, 1),
                "exit_codes": sorted({r.code for r in self.runs})}


def _display_cmd(cmd: Sequence[str]) -> str:
    parts = [os.path.relpath(c, HERE.parent) if os.path.isabs(c) and c.startswith(str(HERE.parent)) else c for c in cmd]
    parts = [os.path.basename(p) if os.path.isabs(p) else p for p in parts]
    return " ".join(parts)


class TreeMemory(threading.Thread):
    """Samples the summed PSS of a process and all its descendants (for multi-process runs)."""

    def __init__(self, pid: int, interval: float = 0.005) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak_kb = 0
        self.max_processes = 0
        self.done = threading.Event()

    @staticmethod
    def _children(pid: int) -> list[int]:
        found = []
        try:
            for tid in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{tid}/children") as handle:
                    found += [int(x) for x in handle.read().split()]
        except OSError:
            pass
        return found

    @staticmethod
    def _pss_kb(pid: int) -> int:
        for path, key in ((f"/proc/{pid}/smaps_rollup", "Pss:"), (f"/proc/{pid}/status", "VmRSS:")):
            try:
                with open(path) as handle:
                    for line in handle:
                        if line.startswith(key):
                            return int(line.split()[1])
            except OSError:
                continue
        return 0

    def run(self) -> None:
        while not self.done.is_set():
            stack, seen = [self.pid], []
            while stack:
                pid = stack.pop()
                seen.append(pid)
                stack += self._children(pid)
            total = sum(self._pss_kb(p) for p in seen)
            self.peak_kb = max(self.peak_kb, total)
            self.max_processes = max(self.max_processes, len(seen))
            self.done.wait(self.interval)


def run_once(cmd: Sequence[str], cwd: Path, *, tree: TreeMemory | None = None,
             factory: Callable[[int], TreeMemory] | None = None) -> tuple[Run, TreeMemory | None]:
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(cmd), cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=ENV)
        sampler = factory(proc.pid) if factory else None
        if sampler:
            sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        if sampler:
            sampler.done.set()
            sampler.join()
        out.seek(0)
        err.seek(0)
        return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, code, out.read().decode("utf-8", "replace"),
                   err.read().decode("utf-8", "replace")), sampler


def measure_together(cmds: Sequence[Sequence[str]], cwd: Path, repeat: int, *, warm: bool = True,
                     ok: Sequence[Sequence[int]] | None = None) -> list[Sample]:
    """Best-of-``repeat`` timings of commands run in turns (A B C, A B C, ...) after one untimed warm-up
    turn (page cache, .pyc files): commands compared with each other see the same machine load."""
    samples = [Sample(list(cmd), str(cwd)) for cmd in cmds]
    if warm:
        for cmd in cmds:
            run_once(cmd, cwd)
    for _ in range(repeat):
        for sample in samples:
            run, _ = run_once(sample.cmd, cwd)
            sample.runs.append(run)
    for index, sample in enumerate(samples):
        allowed = ok[index] if ok else (0, 1)
        if sample.last.code not in allowed:
            tail = sample.last.stderr.strip().splitlines()[-3:]
            print(f"  warning: {_display_cmd(sample.cmd)} exited {sample.last.code}: {' | '.join(tail)}",
                  file=sys.stderr)
    return samples


def measure(cmd: Sequence[str], cwd: Path, repeat: int, *, warm: bool = True, ok: Sequence[int] = (0, 1)) -> Sample:
    return measure_together([cmd], cwd, repeat, warm=warm, ok=[ok])[0]


def paired_median(a: Sample, b: Sample) -> float:
    """Median over the turns of a's time / b's time in the same turn (robust to load that drifts)."""
    ratios = sorted(x.wall / y.wall for x, y in zip(a.runs, b.runs))
    mid = len(ratios) // 2
    return ratios[mid] if len(ratios) % 2 else (ratios[mid - 1] + ratios[mid]) / 2


def best_of(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


# --- in-process figures for the pre-commit budget -------------------------------------------


def prefilter_scan(root: Path) -> int:
    """What every run must do at least: discover, read, decode and pre-filter every file."""
    from eks_net_lint import prefilter
    from eks_net_lint.discover import discover

    if hasattr(prefilter, "has_keyword"):
        test: Callable[[str, str], bool] = lambda text, fmt: prefilter.has_keyword(text)  # noqa: E731
    else:  # the engine before 28f27c2
        test = prefilter.is_relevant
    relevant = 0
    cwd = os.getcwd()
    os.chdir(root)
    try:
        for cand in discover(["."]):
            text = cand.fs_path.read_bytes().decode("utf-8", "replace")
            fmt = "json" if cand.display.endswith((".json", ".conf", ".conflist")) else "yaml"
            relevant += test(text, fmt)
    finally:
        os.chdir(cwd)
    return relevant


def git_state(repo: Path) -> dict[str, Any]:
    """The commit measured and how many files differ from it (read-only: no index refresh)."""
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", "--no-optional-locks", *args], cwd=repo, capture_output=True, text=True,
                                  timeout=30).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""
    status = git("status", "--porcelain", "--untracked-files=no", "--", "linter", "rules", "schemas")
    return {"head": git("rev-parse", "HEAD"), "engine_files_modified": len(status.splitlines()) if status else 0}


# --- the table --------------------------------------------------------------------------------


@dataclass
class Check:
    key: str
    label: str
    value: float | None
    shown: str
    target: str
    status: str  # PASS, MISS, info, skipped

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "value": None if self.value is None else round(self.value, 4),
                "shown": self.shown, "target": self.target, "status": self.status}


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def render(title: list[str], checks: list[Check]) -> str:
    w1 = max(len(c.label) for c in checks)
    w2 = max(len(c.shown) for c in checks)
    w3 = max(len(c.target) for c in checks)
    lines = [*title, "", f"{'measure':<{w1}}  {'value':>{w2}}  {'target':<{w3}}  status",
             f"{'-' * w1}  {'-' * w2}  {'-' * w3}  ------"]
    lines += [f"{c.label:<{w1}}  {c.shown:>{w2}}  {c.target:<{w3}}  {c.status}" for c in checks]
    return "\n".join(lines) + "\n"


def secs(x: float) -> str:
    return f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s"


# --- main -------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--clusters", type=int, default=50, help="clusters in the 1x corpus (default 50, ~5,000 files)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--corpus-root", type=Path, default=gen_corpus.DEFAULT_ROOT,
                   help="where the corpora live (default benchmarks/corpus/, git-ignored)")
    p.add_argument("--repeat", type=int, default=5, help="timed runs per command, best one kept (default 5)")
    p.add_argument("--scale-repeat", type=int, default=3, help="timed runs per command at 2x and 4x (default 3)")
    p.add_argument("--yamllint-repeat", type=int, default=1, help="timed yamllint runs (default 1: it is slow)")
    p.add_argument("--scales", default="1,2,4", help="corpus sizes for the growth figures (default 1,2,4)")
    p.add_argument("--no-yamllint", action="store_true", help="skip the yamllint comparison")
    p.add_argument("--quick", action="store_true", help="repeat 2, scale-repeat 1, scales 1,2: a fast smoke run")
    p.add_argument("--live", action="store_true",
                   help="run the installed checkout as it changes, not a copy frozen at the start of the run")
    p.add_argument("--json", type=Path, default=HERE / "results.json", help="results file (default benchmarks/results.json)")
    args = p.parse_args(argv)
    if args.quick:
        args.repeat, args.scale_repeat, args.scales = 2, 1, "1,2"
    scales = sorted({int(s) for s in args.scales.split(",") if s.strip()} | {1})
    say = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731

    corpora: dict[int, tuple[Path, dict[str, Any]]] = {}
    for scale in scales:
        n = args.clusters * scale
        out = args.corpus_root / f"c{n}-s{args.seed}"
        corpora[scale] = (out, gen_corpus.ensure(out, n, args.seed, progress=say))
    root, manifest = corpora[1]
    global LINT
    frozen: Path | None = None
    if not args.live:
        frozen = freeze_engine(HERE.parent)
        ENV["PYTHONPATH"] = os.pathsep.join(filter(None, [str(frozen), os.environ.get("PYTHONPATH")]))
        sys.path.insert(0, str(frozen))
        LINT = [PY, "-c", LINT_CODE]
    engine_state = git_state(HERE.parent)
    from eks_net_lint.engine import default_jobs
    import eks_net_lint

    say(f"engine: {Path(eks_net_lint.__file__).parent}" + (" (frozen copy of the working tree)" if frozen else ""))

    jobs = default_jobs()
    data: dict[str, Any] = {"corpus": {}, "runs": {}}

    load_before = os.getloadavg()
    say(f"[1/6] bare CSafeLoader parse and eks-net-lint on {manifest['files']} files")
    bare, lint1, lintn = measure_together(
        [[PY, str(HERE / "bare_load.py"), "."], [*LINT, "--jobs", "1", "."], [*LINT, "."]], root, args.repeat,
        ok=[(0,), (0, 1), (0, 1)])
    identical = lint1.last.stdout == lintn.last.stdout and lint1.last.code == lintn.last.code
    first_difference = None
    if not identical:
        import difflib

        diff = list(difflib.unified_diff(lint1.last.stdout.splitlines(), lintn.last.stdout.splitlines(),
                                         "--jobs 1", "default jobs", n=0, lineterm=""))
        first_difference = diff[:12]
    summary = (lint1.last.stdout.strip().splitlines() or ["(no output)"])[-1]

    say("[2/6] memory of a multi-process run, files skipped by the pre-filter (untimed)")
    tree_run, tree = run_once([*LINT, "."], root, factory=TreeMemory)
    skips_run, _ = run_once([*LINT, "--jobs", "1", "--explain-skips", "."], root)
    prefiltered = sum(1 for line in skips_run.stderr.splitlines() if line.endswith("(pre-filter)"))

    yl: Sample | None = None
    yamllint_cmd = None if args.no_yamllint else _yamllint()
    if yamllint_cmd is not None:
        say(f"[3/6] yamllint ({args.yamllint_repeat} run(s), slow)")
        yl = measure([*yamllint_cmd, "-f", "parsable", "-d", "default", "."], root, args.yamllint_repeat,
                     warm=False, ok=(0, 1))
    else:
        say("[3/6] yamllint skipped")

    say("[4/6] linear growth")
    growth: dict[int, dict[str, Any]] = {}
    for scale in scales:
        out, man = corpora[scale]
        if scale == 1:
            g_lint, g_bare = lint1, bare
        else:
            g_bare, g_lint = measure_together([[PY, str(HERE / "bare_load.py"), "."], [*LINT, "--jobs", "1", "."]],
                                              out, args.scale_repeat, ok=[(0,), (0, 1)])
        growth[scale] = {"clusters": man["clusters"], "files": man["files"], "lint": g_lint, "bare": g_bare,
                         "lint_ms_per_file": g_lint.best / man["files"] * 1000,
                         "bare_ms_per_file": g_bare.best / man["files"] * 1000}

    say("[5/6] pre-commit case")
    cluster = sorted((root / "clusters").iterdir())[0]
    target_file = sorted((cluster / "networking" / "eniconfigs").glob("*.yaml"))[0]
    rel_file = str(target_file.relative_to(root))
    pre, import_yaml = measure_together([[*LINT, "--in-repo", rel_file], [PY, "-c", "import yaml"]], root, args.repeat,
                                        ok=[(0, 1), (0,)])
    scan_s = best_of(lambda: prefilter_scan(root), args.repeat)
    cluster_bare_s = best_of(lambda: parse_tree(str(cluster)), args.repeat)
    budget = 2 * import_yaml.best + PRECOMMIT_FIXED_S + scan_s + 0.5 * cluster_bare_s

    say("[6/6] report")
    load_after = os.getloadavg()
    checks: list[Check] = []
    add = checks.append
    add(Check("bare_s", "bare CSafeLoader parse of every file", bare.best, secs(bare.best), "", "info"))
    add(Check("lint_jobs1_s", "eks-net-lint --jobs 1", lint1.best, secs(lint1.best), "", "info"))
    add(Check("lint_jobsN_s", f"eks-net-lint (default jobs: {jobs})", lintn.best, secs(lintn.best), "", "info"))
    r1, rn = lint1.best / bare.best, lintn.best / bare.best
    m1, mn = paired_median(lint1, bare), paired_median(lintn, bare)
    add(Check("whole_vs_bare_jobs1", "whole run / bare parse, --jobs 1 (paired median)", r1,
              f"{r1:.2f}x ({m1:.2f}x)", f"<= {WHOLE_RUN_MAX}x", verdict(r1 <= WHOLE_RUN_MAX)))
    add(Check("whole_vs_bare_jobsN", "whole run / bare parse, default jobs (paired median)", rn,
              f"{rn:.2f}x ({mn:.2f}x)", f"<= {WHOLE_RUN_MAX}x", verdict(rn <= WHOLE_RUN_MAX)))
    c1 = lint1.best_cpu / bare.best_cpu
    add(Check("whole_vs_bare_jobs1_cpu", "the same in CPU time", c1, f"{c1:.2f}x", f"<= {WHOLE_RUN_MAX}x",
              "info"))
    add(Check("jobs_speedup", f"speed-up of default jobs over --jobs 1", lint1.best / lintn.best,
              f"{lint1.best / lintn.best:.2f}x", "", "info"))
    add(Check("jobs_identical_output", "same output with --jobs 1 and default", float(identical),
              "yes" if identical else "NO", "yes", verdict(identical)))
    if yl is not None:
        fy = yl.best / min(lint1.best, lintn.best)
        add(Check("yamllint_s", "yamllint -d default (yaml/yml only)", yl.best, secs(yl.best), "", "info"))
        add(Check("yamllint_vs_lint", "yamllint time / eks-net-lint time", fy, f"{fy:.1f}x", f">= {YAMLLINT_MIN:.0f}x",
                  verdict(fy >= YAMLLINT_MIN)))
        add(Check("yamllint_vs_bare", "yamllint time / bare parse", yl.best / bare.best, f"{yl.best / bare.best:.1f}x",
                  "~25x (DESIGN)", "info"))
    else:
        add(Check("yamllint_vs_lint", "yamllint time / eks-net-lint time", None, "-", f">= {YAMLLINT_MIN:.0f}x",
                  "skipped"))
    base_pf = growth[1]["lint_ms_per_file"]
    for scale in scales:
        g = growth[scale]
        label = f"per file at {scale}x ({g['files']} files): lint / bare"
        add(Check(f"per_file_{scale}x_ms", label, g["lint_ms_per_file"],
                  f"{g['lint_ms_per_file']:.2f} / {g['bare_ms_per_file']:.2f} ms", "", "info"))
    for scale in scales:
        if scale == 1:
            continue
        ratio = growth[scale]["lint_ms_per_file"] / base_pf
        bare_ratio = growth[scale]["bare_ms_per_file"] / growth[1]["bare_ms_per_file"]
        add(Check(f"growth_{scale}x", f"time per file, {scale}x over 1x (--jobs 1; bare)", ratio,
                  f"{ratio:.2f} ({bare_ratio:.2f})", f"<= {GROWTH_MAX}", verdict(ratio <= GROWTH_MAX)))
    add(Check("peak_rss_jobs1_mb", "peak RSS, --jobs 1", lint1.peak_mb, f"{lint1.peak_mb:.1f} MB",
              f"<= {PEAK_MB_MAX:.0f} MB", verdict(lint1.peak_mb <= PEAK_MB_MAX)))
    tree_mb = (tree.peak_kb / 1024) if tree else 0.0
    add(Check("peak_pss_jobsN_mb", f"peak PSS, default jobs, all processes", tree_mb, f"{tree_mb:.1f} MB",
              f"<= {PEAK_MB_MAX:.0f} MB", verdict(tree_mb <= PEAK_MB_MAX)))
    add(Check("peak_rss_jobsN_largest_mb", "peak RSS, default jobs, largest process", lintn.peak_mb,
              f"{lintn.peak_mb:.1f} MB", "", "info"))
    add(Check("import_yaml_s", 'python -c "import yaml"', import_yaml.best, secs(import_yaml.best), "", "info"))
    add(Check("precommit_s", "pre-commit: --in-repo on one file", pre.best, secs(pre.best), f"<= {secs(budget)}",
              verdict(pre.best <= budget)))
    add(Check("precommit_vs_import_yaml", "pre-commit / import-yaml start-up", pre.best / import_yaml.best,
              f"{pre.best / import_yaml.best:.1f}x", "", "info"))
    add(Check("precommit_budget_ratio", "pre-commit / its budget", pre.best / budget, f"{pre.best / budget:.2f}",
              "<= 1", verdict(pre.best <= budget)))

    title = [
        f"eks-net-lint benchmarks: {manifest['clusters']} clusters, {manifest['files']} files, "
        f"{manifest['bytes'] / 1e6:.1f} MB (seed {args.seed}); Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs; best of {args.repeat}; load average {load_before[0]:.1f} -> {load_after[0]:.1f}",
        f"engine: {'frozen copy of the working tree' if frozen else 'live checkout'} at "
        f"{engine_state['head'][:10]} with {engine_state['engine_files_modified']} modified engine file(s)",
        f"pre-filter skipped {prefiltered} of {manifest['files']} files; last line of output: {summary}",
        f"pre-commit budget = 2 x {secs(import_yaml.best)} + 100 ms + scan {secs(scan_s)} "
        f"+ 0.5 x {secs(cluster_bare_s)} (bare parse of {cluster.name}) = {secs(budget)}",
    ]
    table = render(title, checks)
    sys.stdout.write(table)

    data["corpus"] = {"root": os.path.relpath(root, HERE.parent) if str(root).startswith(str(HERE.parent)) else str(root),
                      "clusters": manifest["clusters"], "files": manifest["files"], "bytes": manifest["bytes"],
                      "seed": args.seed, "generator": manifest["generator"], "prefilter_skipped": prefiltered}
    data["checkout"] = {**engine_state, "engine": "frozen copy of the working tree" if frozen else "live checkout"}
    data["environment"] = {"python": platform.python_version(), "cpus": os.cpu_count(), "default_jobs": jobs,
                           "platform": platform.platform(), "repeat": args.repeat,
                           "scale_repeat": args.scale_repeat, "yamllint_repeat": args.yamllint_repeat,
                           "load_average_before": round(load_before[0], 2), "load_average_after": round(load_after[0], 2)}
    data["runs"] = {
        "bare": bare.as_json(), "lint_jobs1": lint1.as_json(), "lint_default_jobs": lintn.as_json(),
        "jobs_output_first_difference": first_difference,
        "lint_default_jobs_tree": {"peak_pss_mb": round(tree_mb, 1), "max_processes": tree.max_processes if tree else 0,
                                   "wall_s": round(tree_run.wall, 4)},
        "yamllint": yl.as_json() if yl else None,
        "precommit": {**pre.as_json(), "file": rel_file, "import_yaml": import_yaml.as_json(),
                      "prefilter_scan_s": round(scan_s, 4), "cluster_bare_parse_s": round(cluster_bare_s, 4),
                      "budget_s": round(budget, 4)},
        "growth": [{"scale": s, "clusters": g["clusters"], "files": g["files"], "lint_jobs1": g["lint"].as_json(),
                    "bare": g["bare"].as_json(), "lint_ms_per_file": round(g["lint_ms_per_file"], 4),
                    "bare_ms_per_file": round(g["bare_ms_per_file"], 4)} for s, g in sorted(growth.items())],
    }
    data["checks"] = [c.as_json() for c in checks]
    data["table"] = table.splitlines()
    args.json.write_text(json.dumps(data, indent=2) + "\n")
    if frozen is not None:
        shutil.rmtree(frozen, ignore_errors=True)
    say(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
