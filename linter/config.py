"""Configuration: find it, validate it against schemas/config.schema.json, freeze it.

Sources, first found wins: ``--config FILE``; ``.eks-net-lint.yaml`` / ``.yml`` or
``pyproject.toml`` ``[tool.eks-net-lint]`` in the first linted path's directory or an ancestor
(up to the repository root); the same from the working directory. A bad config is a usage
error (exit 2) naming the key and why (H10).
"""
from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .discover import compile_globs, matches
from .findings import Location, Severity
from .load import Limits
from .registry import expand_selectors, lookup

CONFIG_NAMES = (".eks-net-lint.yaml", ".eks-net-lint.yml")


class ConfigError(Exception):
    """A configuration the linter cannot use; the CLI exits 2 with this message."""


@dataclass(frozen=True)
class ClusterSettings:
    """``clusters.<name>``: facts the files do not state, and which paths belong to the cluster."""

    name: str
    raw: Mapping[str, Any]
    base: Path

    def matches(self, fs_path: str) -> bool:
        pattern = _cluster_globs(tuple(self.raw.get("paths") or ()))
        if pattern is None:
            return False
        rel = os.path.relpath(os.path.abspath(fs_path), self.base).replace(os.sep, "/")
        return not rel.startswith("../") and matches(pattern, rel)


@cache
def _cluster_globs(patterns: tuple[str, ...]) -> Any:
    return compile_globs(patterns)


@dataclass(frozen=True)
class Config:
    """The frozen, validated configuration passed down explicitly (no globals)."""

    path: Path | None = None
    base: Path = field(default_factory=Path.cwd)
    select: frozenset[str] | None = None
    ignore: frozenset[str] = frozenset()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    fail_on: Severity = Severity.WARNING
    exclude: tuple[str, ...] = ()
    per_path_ignores: tuple[tuple[str, frozenset[str]], ...] = ()
    baseline: Path | None = None
    clusters: Mapping[str, ClusterSettings] = field(default_factory=dict)
    rule_options: Mapping[str, Any] = field(default_factory=dict)
    limits: Limits = Limits()
    diff_base: str | None = None  # --diff-base: the git revision change rules compare with

    def enabled(self, rule_id: str) -> bool:
        if self.select is not None and rule_id not in self.select:
            return False
        return rule_id not in self.ignore

    def options_for(self, rule_id: str) -> Any:
        spec = lookup(rule_id)
        if spec is None or spec.options is None:
            return None
        return self.rule_options.get(rule_id) or spec.options()

    def severity_of(self, rule_id: str, default: Severity) -> Severity:
        return self.severity.get(rule_id, default)

    def ignored_at(self, display_path: str, rule_id: str) -> bool:
        rel = self._relative(display_path)
        return any(rule_id in ids and matches(compile_globs((glob,)), rel) for glob, ids in self.per_path_ignores)

    def _relative(self, display_path: str) -> str:
        rel = os.path.relpath(os.path.abspath(display_path), self.base).replace(os.sep, "/")
        return display_path if rel.startswith("../") else rel


@cache
def config_schema() -> dict[str, Any]:
    text = resources.files("eks_net_lint.schemas").joinpath("config.schema.json").read_text("utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


def find_config(paths: Sequence[str]) -> Path | None:
    """The nearest config file above the first path, else above the working directory."""
    starts = []
    if paths and paths[0] != "-":
        first = Path(os.path.abspath(paths[0]))
        starts.append(first if first.is_dir() else first.parent)
    starts.append(Path.cwd())
    for start in starts:
        for folder in (start, *start.parents):
            for name in CONFIG_NAMES:
                if (folder / name).is_file():
                    return folder / name
            pyproject = folder / "pyproject.toml"
            if pyproject.is_file() and "[tool.eks-net-lint]" in pyproject.read_text("utf-8", "replace"):
                return pyproject
            if (folder / ".git").exists():
                break
    return None


def read_config_file(path: Path) -> dict[str, Any]:
    """The raw mapping of a YAML config or of ``[tool.eks-net-lint]`` in pyproject.toml."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot read the config: {err}") from None
    if path.name == "pyproject.toml":
        try:
            import tomllib
        except ModuleNotFoundError:  # Python 3.10 has no TOML reader and we add no dependency
            raise ConfigError(f"{path}: [tool.eks-net-lint] needs Python 3.11 or newer; use .eks-net-lint.yaml") from None
        try:
            data = tomllib.loads(text).get("tool", {}).get("eks-net-lint", {})
        except tomllib.TOMLDecodeError as err:
            raise ConfigError(f"{path}: invalid TOML: {err}") from None
    else:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as err:
            raise ConfigError(f"{path}: invalid YAML: {err}".replace("\n", " ")) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the config must be a mapping, found {type(data).__name__}")
    return data


def validate(data: Mapping[str, Any], where: str) -> None:
    """Validate against the generated schema; the error names the key path and the reason."""
    import jsonschema  # slow to import: only when a config exists

    validator = jsonschema.Draft202012Validator(config_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    if errors:
        err = jsonschema.exceptions.best_match(errors) or errors[0]
        key = ".".join(str(p) for p in err.absolute_path) or "(top level)"
        raise ConfigError(f"{where}: invalid config at {key}: {err.message}")


def _ids(selectors: Any, where: str, key: str) -> frozenset[str]:
    ids, unknown = expand_selectors(selectors or ())
    if unknown:
        raise ConfigError(f"{where}: {key}: unknown rule {', '.join(unknown)}")
    return frozenset(ids)


def build(data: Mapping[str, Any], path: Path | None) -> Config:
    """A Config from a raw mapping (already read), validating it first."""
    where = str(path) if path else "config"
    validate(data, where)
    base = path.parent.resolve() if path else Path.cwd()
    severity = {}
    for key, level in (data.get("severity") or {}).items():
        spec = lookup(key)
        if spec is None:
            raise ConfigError(f"{where}: severity: unknown rule {key}")
        severity[spec.id] = Severity.parse(level)
    options: dict[str, Any] = {}
    for key, values in (data.get("rules") or {}).items():
        spec = lookup(key)
        if spec is None:
            raise ConfigError(f"{where}: rules: unknown rule {key}")
        if spec.options is None:
            raise ConfigError(f"{where}: rules.{key}: {spec.id} takes no options")
        names = {f.name.replace("_", "-"): f.name for f in dataclasses.fields(spec.options)}
        kwargs = {}
        for opt, value in (values or {}).items():
            if opt not in names:
                raise ConfigError(f"{where}: rules.{key}: unknown option {opt} (known: {', '.join(sorted(names))})")
            kwargs[names[opt]] = tuple(value) if isinstance(value, list) else value
        options[spec.id] = spec.options(**kwargs)
    per_path = tuple(
        (glob, _ids(ids, where, f"per-path-ignores.{glob}")) for glob, ids in (data.get("per-path-ignores") or {}).items()
    )
    limits_raw = data.get("limits") or {}
    defaults = Limits()
    limits = Limits(
        max_bytes=limits_raw.get("max-file-bytes", defaults.max_bytes),
        max_depth=limits_raw.get("max-depth", defaults.max_depth),
        max_alias_nodes=limits_raw.get("max-alias-nodes", defaults.max_alias_nodes),
    )
    clusters = {name: ClusterSettings(name, raw or {}, base) for name, raw in (data.get("clusters") or {}).items()}
    baseline = data.get("baseline")
    return Config(
        path=path,
        base=base,
        select=_ids(data["select"], where, "select") if "select" in data else None,
        ignore=_ids(data.get("ignore"), where, "ignore"),
        severity=severity,
        fail_on=Severity.parse(data.get("fail-on", "warning")),
        exclude=tuple(data.get("exclude") or ()),
        per_path_ignores=per_path,
        baseline=(base / baseline) if baseline else None,
        clusters=clusters,
        rule_options=options,
        limits=limits,
    )


def load_config(paths: Sequence[str], explicit: str | None = None, use_files: bool = True) -> Config:
    """The run's Config: the explicit file, the discovered one, or the defaults."""
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"{explicit}: config file not found")
        return build(read_config_file(path), path)
    if use_files:
        found = find_config(paths)
        if found is not None:
            return build(read_config_file(found), found)
    return Config()


@cache
def _located_config(path: Path, display: str) -> Any:
    from .load import SourceFile, load_text

    source = SourceFile(display)
    try:
        load_text(source, path.read_text("utf-8"), Limits())
    except (OSError, UnicodeDecodeError):
        return None
    return source.documents[0].data if source.documents else None


def locate_in_config(path: Path, keys: tuple[str, ...]) -> Location:
    """The line of a key path in a YAML config (the file start for pyproject.toml)."""
    from .located import loc_of

    display = os.path.relpath(path) if not os.path.relpath(path).startswith("..") else str(path)
    data = _located_config(path, display) if path.suffix in (".yaml", ".yml") else None
    while keys:
        found = loc_of(data, *keys) if data is not None else None
        if found is not None:
            return found
        keys = keys[:-1]
    return Location(display, 1, 1, 1, 1)
