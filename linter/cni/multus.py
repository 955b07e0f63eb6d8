"""Multus facts: which cniVersion an image accepts, thin vs thick configs, master and version checks.

Facts: reference/multus-cni.md § 1a.1 (Multus release → libcni → accepted versions),
§ 1a.7 and § 1b.1 (thin ``00-multus.conf`` with ``type: multus``, thick shim with
``type: multus-shim``, daemon ``daemon-config.json``), § 1b.3 (``LoadNetConf``,
``CheckVersionCompatibility``, the v4 thin entrypoint's ``--cni-version`` rule).
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from fnmatch import fnmatchcase

from .spec import IMPLIED_VERSION, JsonPath, Problem, has_type, is_plugin_list, json_type, show, version_tuple

THIN_TYPE = "multus"
THICK_TYPE = "multus-shim"
MULTUS_TYPES = (THIN_TYPE, THICK_TYPE)
# § 1b.2: keys of the thick daemon's own config; such a file is not a CNI config.
DAEMON_KEYS = ("multusConfigFile", "multusMasterCNI", "cniConfigDir")
MULTUS_FILE_PATTERNS = ("*multus*.conf", "*multus*.conflist")
# § 1a.1 table: (major, minor) of the first Multus release of a line → highest cniVersion it accepts.
# v3.x links libcni v0.8.1 (≤ 0.4.0); v4.0.x libcni v1.1.2 (≤ 1.0.0); v4.1.x libcni ≥ v1.2 (≤ 1.1.0).
MAX_CNI_VERSION: tuple[tuple[tuple[int, int], str], ...] = (((3, 0), "0.4.0"), ((4, 0), "1.0.0"), ((4, 1), "1.1.0"))
KNOWN_MAJORS = (3, 4)
# § 1b.3: CheckVersionCompatibility compares against 0.4.0.
CHECK_VERSION = (0, 4, 0)
_TAG_VERSION = re.compile(r"v?(\d+)\.(\d+)(?:\.(\d+))?")

Unknown = Callable[[object], bool]


def image_version(image: object) -> tuple[int, int, int] | None:
    """``…/multus-cni:v4.1.4-eksbuild.3_thick`` → (4, 1, 4); None for ``snapshot``, ``latest``, digests only."""
    if not isinstance(image, str):
        return None
    ref = image.split("@", 1)[0]
    last = ref.rsplit("/", 1)[-1]
    if ":" not in last:
        return None
    match = _TAG_VERSION.match(last.split(":", 1)[1])
    if match is None:
        return None
    return (int(match[1]), int(match[2]), int(match[3] or 0))


def is_multus_image(image: object) -> bool:
    """True for a Multus image (its repository name contains ``multus``)."""
    if not isinstance(image, str):
        return False
    repo = image.split("@", 1)[0].rsplit("/", 1)[-1].split(":", 1)[0]
    return "multus" in repo


def is_thick_image(image: object) -> bool:
    """True for a thick-plugin build (``…:v4.1.4-eksbuild.3_thick``, ``…:snapshot-thick``)."""
    return isinstance(image, str) and "thick" in image.rsplit("/", 1)[-1]


def max_cni_version(version: tuple[int, int, int] | None) -> str | None:
    """The highest cniVersion a Multus release accepts (§ 1a.1), None for releases the reference does not cover."""
    if version is None or version[0] not in KNOWN_MAJORS:
        return None
    best: str | None = None
    for (major, minor), limit in MAX_CNI_VERSION:
        if (version[0], version[1]) >= (major, minor):
            best = limit
    return best


def above(version: object, limit: str) -> bool:
    """True when ``version`` is a semver string greater than ``limit``."""
    value, bound = version_tuple(version), version_tuple(limit)
    return value is not None and bound is not None and value > bound


def is_multus_filename(name: str) -> bool:
    """``*multus*.conf`` or ``*multus*.conflist`` (RULES MUL001), on the base name."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return any(fnmatchcase(base, pattern) for pattern in MULTUS_FILE_PATTERNS)


def is_daemon_config(config: Mapping[str, object]) -> bool:
    """The thick daemon's ``daemon-config.json`` (§ 1b.2): not a CNI config."""
    return any(key in config for key in DAEMON_KEYS) and config.get("type") not in MULTUS_TYPES


def flavour(config: Mapping[str, object]) -> str | None:
    """``thin`` (type multus), ``thick`` (type multus-shim), ``daemon`` or None."""
    kind = config.get("type")
    if kind == THIN_TYPE:
        return "thin"
    if kind == THICK_TYPE:
        return "thick"
    if is_daemon_config(config):
        return "daemon"
    return None


def is_multus_config(config: Mapping[str, object], filename: str | None = None) -> bool:
    """A Multus CNI config: ``type`` multus/multus-shim, or a ``*multus*.conf(list)`` file that is not the daemon config."""
    if config.get("type") in MULTUS_TYPES:
        return True
    return filename is not None and is_multus_filename(filename) and not is_daemon_config(config)


def config_problems(config: Mapping[str, object]) -> list[Problem]:
    """MUL001: a Multus config with another ``type``, or with no usable ``delegates`` and no ``clusterNetwork``.

    ``LoadNetConf`` fails "at least one delegate/clusterNetwork must be specified" (§ 1b.3).
    """
    problems: list[Problem] = []
    kind = config.get("type")
    if kind not in MULTUS_TYPES:
        where: JsonPath = ("type",) if "type" in config else ()
        problems.append(Problem(where, f"multus config type {show(kind)} is not multus or multus-shim"))
    delegates = config.get("delegates")
    cluster = config.get("clusterNetwork")
    has_cluster = isinstance(cluster, str) and cluster != ""
    if delegates is not None and not isinstance(delegates, list):
        problems.append(Problem(("delegates",), f"multus delegates is a {json_type(delegates)}, not a list"))
    elif not has_cluster and not delegates:
        where = ("delegates",) if "delegates" in config else ()
        problems.append(Problem(where, "multus config has neither delegates nor clusterNetwork"))
    return problems


def delegates(config: Mapping[str, object]) -> Iterator[tuple[JsonPath, Mapping[str, object]]]:
    """The delegate configs Multus runs, with their paths; none when ``clusterNetwork`` overrides them (§ 1b.3)."""
    cluster = config.get("clusterNetwork")
    if isinstance(cluster, str) and cluster:
        return
    items = config.get("delegates")
    if isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, Mapping):
                yield ("delegates", index), item


def master_delegate(config: Mapping[str, object]) -> tuple[JsonPath, Mapping[str, object]] | None:
    """The first delegate: the cluster network ("master plugin") that gives the pod its IP (§ 1b.3)."""
    return next(delegates(config), None)


def cluster_network_file(config: Mapping[str, object]) -> str | None:
    """The base name of the master file a config points at: ``clusterNetwork`` path or ``multusMasterCNI``."""
    cluster = config.get("clusterNetwork")
    if isinstance(cluster, str) and "/" in cluster:
        return cluster.rstrip("/").rsplit("/", 1)[-1] or None
    master = config.get("multusMasterCNI")
    if isinstance(master, str) and master:
        return master.rsplit("/", 1)[-1]
    return None


def version_compat_problem(multus_version: object, master_version: object, master: str) -> str | None:
    """MUL002 (§ 1b.3 ``CheckVersionCompatibility``): Multus ≥ 0.4.0 over a master < 0.4.0 or without one.

    A lower Multus version over a higher master passes (only the reverse fails).
    """
    top = version_tuple(multus_version)
    if top is None or top < CHECK_VERSION:
        return None
    if master_version is None or master_version == "":
        return f"multus cniVersion {multus_version} needs a cniVersion in its master {master}, which has none"
    low = version_tuple(master_version)
    if low is not None and low < CHECK_VERSION:
        return f"multus cniVersion {multus_version} is above its master {master} cniVersion {master_version} (below 0.4.0)"
    return None


def thin_arg_problem(cni_version_arg: str, master_version: object, master: str) -> str | None:
    """MUL002: the v4 thin entrypoint refuses a ``--cni-version`` unequal to the master's cniVersion (§ 1b.3)."""
    if master_version is None or master_version == "":
        return f"--cni-version={cni_version_arg} but master {master} has no cniVersion"
    if master_version != cni_version_arg:
        return f"--cni-version={cni_version_arg} differs from master {master} cniVersion {master_version}"
    return None


def parse_args(args: Sequence[object]) -> dict[str, tuple[int, str]]:
    """Entrypoint flags → {name: (index of the value in ``args``, value)}; ``--k=v`` and ``--k v`` forms."""
    found: dict[str, tuple[int, str]] = {}
    for index, arg in enumerate(args):
        if not isinstance(arg, str) or not arg.startswith("-"):
            continue
        flag = arg.lstrip("-")
        if "=" in flag:
            name, _, value = flag.partition("=")
            found[name] = (index, value)
        elif index + 1 < len(args) and isinstance(args[index + 1], str) and not str(args[index + 1]).startswith("-"):
            found[flag] = (index + 1, str(args[index + 1]))
    return found


def effective_master_version(config: Mapping[str, object]) -> str:
    """The cniVersion a master config runs with (0.1.0 when it has none), for messages."""
    value = config.get("cniVersion")
    return value if isinstance(value, str) and value else IMPLIED_VERSION


def drift(embedded: Mapping[str, object], real: Mapping[str, object], unknown: Unknown) -> list[tuple[JsonPath, str]]:
    """MUL004: how an embedded copy of a config differs from the real file: (path in the copy, description).

    Values that are unknown (templates such as ``__MTU__``) on either side are not compared.
    """
    out: list[tuple[JsonPath, str]] = []
    for key in ("cniVersion", "name"):
        a, b = embedded.get(key), real.get(key)
        if a != b and not unknown(a) and not unknown(b):
            out.append(((key,) if key in embedded else (), f"{key} {show(a)} vs {show(b)}"))
    mine = _chain(embedded)
    theirs = _chain(real)
    mine_types = [t for _, t, _ in mine]
    their_types = [t for _, t, _ in theirs]
    if mine_types != their_types:
        where: JsonPath = ("plugins",) if is_plugin_list(embedded) else ()
        out.append((where, f"plugins {', '.join(map(str, mine_types)) or 'none'} vs {', '.join(map(str, their_types)) or 'none'}"))
        return out
    for (path, kind, plugin), (_, _, other) in zip(mine, theirs):
        for key in sorted(set(plugin) | set(other), key=str):
            if key in ("name", "cniVersion"):
                continue  # a list overwrites both in every plugin (§ 1a.1, ``buildOneConfig``)
            a, b = plugin.get(key), other.get(key)
            if a == b or _has_unknown(a, unknown) or _has_unknown(b, unknown):
                continue
            where = (*path, key) if key in plugin else path
            out.append((where, f"{kind} {key} {_brief(a)} vs {_brief(b)}"))
    return out


def _chain(config: Mapping[str, object]) -> list[tuple[JsonPath, object, Mapping[str, object]]]:
    if has_type(config) or not is_plugin_list(config):
        return [((), config.get("type"), config)]
    plugins = config.get("plugins")
    if not isinstance(plugins, list):
        return []
    return [(("plugins", i), p.get("type"), p) for i, p in enumerate(plugins) if isinstance(p, Mapping)]


def _has_unknown(value: object, unknown: Unknown) -> bool:
    if unknown(value):
        return True
    if isinstance(value, Mapping):
        return any(_has_unknown(v, unknown) for v in value.values())
    if isinstance(value, list):
        return any(_has_unknown(v, unknown) for v in value)
    return False


def _brief(value: object) -> str:
    if value is None:
        return "absent"
    if isinstance(value, (Mapping, list)):
        text = json.dumps(value, sort_keys=True, separators=(",", ":"))
        return text if len(text) <= 60 else text[:57] + "..."
    return show(value)
