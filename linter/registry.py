"""The rule registry: ``@rule`` records a frozen RuleSpec and refuses duplicates."""
from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from .findings import RuleSpec, Severity

F = TypeVar("F", bound=Callable[..., Any])

_REGISTRY: dict[str, RuleSpec] = {}
_NAMES: dict[str, str] = {}
_SORTED: dict[int, tuple[RuleSpec, ...]] = {}  # the sorted registry, keyed by its size


def rule(
    rule_id: str,
    name: str,
    severity: Severity,
    *,
    options: type | None = None,
    scope: str = "cluster",
) -> Callable[[F], F]:
    """Register a rule function; its docstring's first paragraph is the summary."""

    def decorate(func: F) -> F:
        if func.__name__ != name.replace("-", "_"):
            raise ValueError(f"rule {rule_id}: function {func.__name__} must be named {name.replace('-', '_')}")
        if rule_id in _REGISTRY or name in _NAMES:
            raise ValueError(f"duplicate rule {rule_id} {name}")
        doc = inspect.cleandoc(func.__doc__ or "")
        summary = doc.split("\n\n", 1)[0].replace("\n", " ").strip()
        spec = RuleSpec(rule_id, name, severity, summary, func, options, scope)
        _REGISTRY[rule_id] = spec
        _NAMES[name] = rule_id
        return func

    return decorate


def all_rules() -> tuple[RuleSpec, ...]:
    """Every registered rule in catalogue order (importing the families registers them)."""
    from .rules import FAMILY_ORDER

    cached = _SORTED.get(len(_REGISTRY))
    if cached is None:
        order = {family: index for index, family in enumerate(FAMILY_ORDER)}
        cached = tuple(sorted(_REGISTRY.values(), key=lambda s: (order.get(s.family, len(order)), s.family, s.id)))
        _SORTED.clear()
        _SORTED[len(_REGISTRY)] = cached
    return cached


def lookup(key: str) -> RuleSpec | None:
    """A rule by ID or name, case-insensitive for IDs."""
    all_rules()
    spec = _REGISTRY.get(key.upper())
    if spec is None and key in _NAMES:
        spec = _REGISTRY[_NAMES[key]]
    return spec


def expand_selectors(selectors: Iterable[str]) -> tuple[set[str], list[str]]:
    """IDs selected by IDs, names, family prefixes or ALL; returns (ids, unknown selectors)."""
    rules = all_rules()
    ids: set[str] = set()
    unknown: list[str] = []
    for sel in selectors:
        sel = sel.strip()
        if not sel:
            continue
        if sel.upper() == "ALL":
            ids.update(s.id for s in rules)
            continue
        spec = lookup(sel)
        if spec is not None:
            ids.add(spec.id)
            continue
        matched = [s.id for s in rules if s.id.startswith(sel.upper())]
        if matched:
            ids.update(matched)
        else:
            unknown.append(sel)
    return ids, unknown
