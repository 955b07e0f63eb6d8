"""Where the time of one ``eks-net-lint --jobs 1`` run goes, stage by stage (in-process).

    python benchmarks/profile_stages.py [DIR]      (default: the 50-cluster corpus)

Wraps the engine's stage functions with timers (no cProfile, so C and Python code keep their real
proportions): discovery, reading, the nesting bound, the pre-filter, YAML composition by libyaml,
the conversion to located values, JSON parsing, classification, grouping, each rule (facts are
computed lazily, so a fact is charged to the first rule that asks for it), suppressions, report.
Also counts why files passed the pre-filter, and the size of what ``--jobs N`` workers pickle back.
Read-only: it patches functions in memory and never edits the engine.
"""
from __future__ import annotations

import collections
import dataclasses
import functools
import os
import pickle
import re
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

T: dict[str, float] = collections.defaultdict(float)
N: collections.Counter[str] = collections.Counter()


def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            T[name] += time.perf_counter() - start
            N[name] += 1
    return wrapper


def timed_iter(name: str, fn: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Iterator[Any]:
        start = time.perf_counter()
        it = iter(fn(*args, **kwargs))
        T[name] += time.perf_counter() - start
        while True:
            start = time.perf_counter()
            try:
                item = next(it)
            except StopIteration:
                T[name] += time.perf_counter() - start
                return
            T[name] += time.perf_counter() - start
            N[name] += 1
            yield item
    return wrapper


def main() -> int:
    import gen_corpus

    root = Path(sys.argv[1]) if len(sys.argv) > 1 else gen_corpus.default_dir(50, 1)
    gen_corpus.ensure(root, 50, 1) if len(sys.argv) <= 1 else None
    t_import = time.perf_counter()
    import yaml

    from eks_net_lint import cli, engine, load, prefilter, registry, suppress
    from eks_net_lint.report import FORMATS
    T["import (engine modules)"] = time.perf_counter() - t_import

    engine.discover = timed_iter("discover", engine.discover)
    engine.read_source = timed("read_source (total per file)", engine.read_source)
    load.decode = timed("  read: decode UTF-8", load.decode)
    load.nesting_overflow = timed("  nesting_overflow (text bound)", load.nesting_overflow)
    for name in ("is_relevant", "has_keyword", "is_kindless_yaml"):  # the names differ across versions
        if hasattr(prefilter, name):
            setattr(prefilter, name, timed(f"  prefilter.{name}", getattr(prefilter, name)))
    if hasattr(load, "check_yaml_events"):
        load.check_yaml_events = timed("  check_yaml_events (kind-less YAML)", load.check_yaml_events)
    load.load_text = timed("  load_text (parse, total)", load.load_text)
    load._load_json = timed("    JSON parse (jsonloc)", load._load_json)
    load._load_yaml = timed("    YAML compose + convert", load._load_yaml)
    yaml.compose_all = timed_iter("      libyaml compose_all (incl. Python resolver)", yaml.compose_all)
    engine.classify = timed("classify", engine.classify)
    engine.group = timed("group", engine.group)
    engine.run_rules = timed("run_rules (total)", engine.run_rules)
    suppress.parse_comments = timed("suppress.parse_comments", suppress.parse_comments)
    suppress.apply = timed("suppress.apply", suppress.apply)
    engine.all_rules = timed("registry.all_rules (calls)", engine.all_rules)
    registry.all_rules()
    for key, spec in list(registry._REGISTRY.items()):
        registry._REGISTRY[key] = dataclasses.replace(spec, check=timed_iter(f"    rule {spec.id}", spec.check))
    getattr(registry, "_SORTED", {}).clear()  # all_rules() caches the sorted specs
    FORMATS["text"] = timed("report: text render", FORMATS["text"])

    cwd = os.getcwd()
    os.chdir(root)
    devnull = open(os.devnull, "w")
    stdout, sys.stdout = sys.stdout, devnull
    start = time.perf_counter()
    try:
        code = cli.main(["--jobs", "1", "."])
    finally:
        sys.stdout = stdout
    total = time.perf_counter() - start
    T["converter (YAML minus compose)"] = T["    YAML compose + convert"] - T["      libyaml compose_all (incl. Python resolver)"]
    filters = [k for k in T if k.startswith(("  prefilter.", "  check_yaml_events"))]
    T["read_source minus parse/filters"] = (T["read_source (total per file)"] - T["  load_text (parse, total)"]
                                            - sum(T[k] for k in filters) - T["  nesting_overflow (text bound)"])

    print(f"eks-net-lint --jobs 1 on {root} (exit {code}): {total:.2f} s in-process, "
          f"plus {T['import (engine modules)']:.2f} s of imports")
    order = ["import (engine modules)", "discover", "read_source (total per file)", "read_source minus parse/filters",
             "  read: decode UTF-8", "  nesting_overflow (text bound)", *sorted(filters),
             "  load_text (parse, total)", "    JSON parse (jsonloc)", "    YAML compose + convert",
             "      libyaml compose_all (incl. Python resolver)", "converter (YAML minus compose)",
             "classify", "group", "run_rules (total)"]
    rules = sorted((k for k in T if k.startswith("    rule ")), key=lambda k: -T[k])
    T["  sum over all rules (lazy facts included)"] = sum(T[k] for k in rules)
    order.append("  sum over all rules (lazy facts included)")
    order += rules[:15] + ["registry.all_rules (calls)", "suppress.parse_comments", "suppress.apply", "report: text render"]
    width = max(len(k) for k in order)
    for key in order:
        print(f"{key:<{width}}  {T[key]:7.3f} s  {100 * T[key] / total:5.1f} %  {N[key] or '':>6}")

    # Why files passed the pre-filter, and how big they are.
    from eks_net_lint.discover import discover

    why: collections.Counter[str] = collections.Counter()
    size: collections.Counter[str] = collections.Counter()
    all_bytes = 0
    for cand in discover(["."]):
        text = cand.fs_path.read_bytes().decode("utf-8", "replace")
        all_bytes += len(text)
        fmt = "json" if cand.display.endswith((".json", ".conf", ".conflist")) else "yaml"
        m = prefilter._RELEVANT.search(text)
        kindless = fmt == "yaml" and re.search(r"^kind\s*:", text, re.M) is None and bool(text.strip())
        if m:
            reason = f"keyword {m.group()!r}"
        elif kindless:
            reason = "YAML without top-level kind (" + (
                "event-stream check only)" if hasattr(load, "check_yaml_events") else "parsed)")
        else:
            continue
        why[reason] += 1
        size[reason] += len(text)
    print(f"\nfiles not skipped outright by the pre-filter ({sum(size.values()) / all_bytes:.0%} of all bytes):")
    for reason, count in why.most_common():
        print(f"  {count:5d} files  {size[reason] / 1e6:6.2f} MB  {reason}")

    # What --jobs N ships back from the workers: pickled SourceFiles of the parsed files.
    limits = load.Limits()
    sources = [engine._read_in_worker(c, limits) for c in discover(["."])]
    start = time.perf_counter()
    blob = pickle.dumps(sources, protocol=pickle.HIGHEST_PROTOCOL)
    dumped = time.perf_counter() - start
    start = time.perf_counter()
    pickle.loads(blob)
    loaded = time.perf_counter() - start
    print(f"\n--jobs N: workers pickle back {len(blob) / 1e6:.1f} MB; dumps {dumped:.2f} s, loads {loaded:.2f} s "
          f"(the parent pays the loads serially)")
    os.chdir(cwd)
    return 0


if __name__ == "__main__":
    sys.exit(main())
