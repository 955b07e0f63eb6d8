"""Group classified files into cluster contexts (DESIGN.md § group).

Each ClusterConfig document starts a cluster. Another file joins a cluster through
``clusters.<name>.paths`` in config, or when the nearest ancestor directory that directly holds
a ClusterConfig file holds exactly one ClusterConfig document. Files in no cluster form one
context per directory, so facts of unrelated directories never mix.
"""
from __future__ import annotations

import posixpath
from collections import defaultdict

from .config import Config
from .context import ClusterContext
from .load import SourceFile
from .views import ClusterConfig, View


def _dir(display: str) -> str:
    return posixpath.dirname(display) if display != "<stdin>" else "<stdin>"


def _cluster_key(view: ClusterConfig) -> str:
    """One key per ClusterConfig document: a directory of many ClusterConfigs (eksctl's
    ``examples/``, where two files may even share a name) never merges their facts."""
    return f"{view.name or '<unnamed>'}@{view.path}#{view.doc.index}"


def group(classified: list[tuple[SourceFile, list[View]]], config: Config) -> list[ClusterContext]:
    """Cluster contexts in a deterministic order (clusters by name, then directories)."""
    contexts: dict[str, ClusterContext] = {}
    by_name: dict[str, list[ClusterContext]] = defaultdict(list)
    clusters_in_dir: dict[str, list[str]] = defaultdict(list)

    def cluster_context(key: str, name: str) -> ClusterContext:
        ctx = contexts.get(key)
        if ctx is None:
            ctx = contexts[key] = ClusterContext(key, name, config, config.clusters.get(name))
            by_name[name].append(ctx)
        return ctx

    for source, views in classified:
        for view in views:
            if isinstance(view, ClusterConfig):
                key = _cluster_key(view)
                cluster_context(key, view.name or "<unnamed>")
                if key not in clusters_in_dir[_dir(source.path)]:
                    clusters_in_dir[_dir(source.path)].append(key)
    for name, settings in config.clusters.items():
        if name not in by_name and settings.raw.get("paths"):
            cluster_context(f"{name}@config", name)

    def by_config(path: str) -> ClusterContext | None:
        for name, settings in config.clusters.items():
            if settings.matches(path):
                return (by_name.get(name) or [cluster_context(f"{name}@config", name)])[0]
        return None

    def by_ancestor(path: str) -> ClusterContext | None:
        folder = _dir(path)
        while True:
            keys = clusters_in_dir.get(folder)
            if keys:
                return contexts[keys[0]] if len(keys) == 1 else None
            if folder in ("", "/", ".", "<stdin>"):
                return None
            parent = posixpath.dirname(folder)
            if parent == folder:
                return None
            folder = parent

    for source, views in classified:
        target = by_config(source.path)
        own = [v for v in views if isinstance(v, ClusterConfig)]
        if target is None and len(own) > 1:
            for view in own:
                ctx = contexts[_cluster_key(view)]
                ctx.views.append(view)
                if source not in ctx.sources:
                    ctx.sources.append(source)
            views = [v for v in views if not isinstance(v, ClusterConfig)]
        elif target is None:
            target = contexts[_cluster_key(own[0])] if own else by_ancestor(source.path)
        if target is None:
            folder = _dir(source.path)
            target = contexts.get(f"dir:{folder}")
            if target is None:
                target = contexts[f"dir:{folder}"] = ClusterContext(f"dir:{folder}", None, config)
        target.sources.append(source)
        target.views.extend(views)
    return sorted(contexts.values(), key=lambda c: (not c.is_cluster, c.key))
