"""CNI specification facts and shape checks for network configs, as pure functions over plain data.

Every fact comes from reference/multus-cni.md § 1a (the CNI spec and libcni/go-cni behaviour).
A check returns ``Problem`` records whose ``path`` is the JSON path (keys and indexes) of the
deepest node that exists, so the engine can turn it into a file position.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

JsonKey = str | int
JsonPath = tuple[JsonKey, ...]

# reference/multus-cni.md § 1a.1: the released spec versions, i.e. libcni ``version.All``.
SPEC_VERSIONS: tuple[str, ...] = ("0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0")
# § 1a.1: a missing or empty cniVersion is decoded as 0.1.0 (``DecodeVersion``).
IMPLIED_VERSION = "0.1.0"
# § 1a.5: the spec ≥ 1.0.0 network name rule, as Multus spells it (``loadSubdirectoryChain``).
NETWORK_NAME_RE = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]*")
# § 1a.6: go-cni loads regular files whose extension (text after the last dot) is one of these.
CONFIG_EXTENSIONS: tuple[str, ...] = (".conf", ".conflist", ".json")
# § 1a.3: characters a plugin ``type`` (a binary name) must not contain.
PATH_SEPARATORS = ("/", "\\")
_SEMVER_RE = re.compile(r"(\d+)\.(\d+)\.(\d+)")


@dataclass(frozen=True, slots=True)
class Problem:
    """One defect in a config: where it is (JSON path) and what is wrong, naming the values."""

    path: JsonPath
    message: str


def version_tuple(text: object) -> tuple[int, int, int] | None:
    """``"0.4.0"`` → (0, 4, 0); None for anything that is not a full numeric x.y.z string."""
    if not isinstance(text, str):
        return None
    match = _SEMVER_RE.fullmatch(text)
    if match is None:
        return None
    return (int(match[1]), int(match[2]), int(match[3]))


def effective_version(config: Mapping[str, object]) -> str | None:
    """The cniVersion libcni runs a config with: its value, 0.1.0 when absent or empty, None if not a string."""
    value = config.get("cniVersion")
    if value is None or value == "":
        return IMPLIED_VERSION
    return value if isinstance(value, str) else None


def cni_version_problem(value: object) -> str | None:
    """Why a present ``cniVersion`` value is invalid (CONF001), or None when it is a spec version.

    Plugins compare the version as an exact string (§ 1a.1, ``Reconciler.Check``), so ``"1.0"``,
    ``"v1.0.0"`` and the number ``1.0`` are all rejected with "incompatible CNI versions".
    """
    if isinstance(value, bool) or not isinstance(value, str):
        return f"cniVersion {show(value)} is a {json_type(value)}, not a string"
    if value not in SPEC_VERSIONS:
        return f"cniVersion {value!r} is not a CNI spec version ({', '.join(SPEC_VERSIONS)})"
    return None


def network_name_problem(value: object) -> str | None:
    """Why a present network ``name`` is invalid (CONF002), or None (§ 1a.5)."""
    if not isinstance(value, str):
        return f"network name {show(value)} is a {json_type(value)}, not a string"
    if not NETWORK_NAME_RE.fullmatch(value):
        return (
            f"network name {value!r} does not match {NETWORK_NAME_RE.pattern} "
            "(a letter or digit, then letters, digits, '_', '.' or '-')"
        )
    return None


def extension(filename: str) -> str:
    """The extension go-cni sees: the text from the last dot of the base name (``filepath.Ext``)."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    dot = base.rfind(".")
    return base[dot:] if dot >= 0 else ""


def is_config_filename(filename: str) -> bool:
    """True when go-cni would load the file (``.conf``, ``.conflist``, ``.json``), § 1a.6."""
    return extension(filename) in CONFIG_EXTENSIONS


def has_type(config: Mapping[str, object]) -> bool:
    """True when the config names a plugin binary (a non-empty string ``type``)."""
    value = config.get("type")
    return isinstance(value, str) and value != ""


def is_plugin_list(config: Mapping[str, object]) -> bool:
    """How Multus and the NAD client read a config of unknown kind: a list iff it has no ``type``.

    A config with both ``type`` and ``plugins`` runs as the single plugin (§ 1b.3,
    ``LoadDelegateNetConf``), so its ``plugins`` are ignored.
    """
    return not has_type(config) and "plugins" in config


def plugins_of(config: Mapping[str, object], *, as_list: bool) -> Iterator[tuple[JsonPath, Mapping[str, object]]]:
    """The plugin objects a config runs, each with its JSON path; the config itself when single."""
    if not as_list:
        yield (), config
        return
    plugins = config.get("plugins")
    if isinstance(plugins, list):
        for index, plugin in enumerate(plugins):
            if isinstance(plugin, Mapping):
                yield ("plugins", index), plugin


def plugin_types(config: Mapping[str, object], *, as_list: bool) -> tuple[str, ...]:
    """The ``type`` of every plugin the config runs, in chain order (non-strings skipped)."""
    return tuple(
        str(plugin["type"]) for _, plugin in plugins_of(config, as_list=as_list) if isinstance(plugin.get("type"), str)
    )


def structure_problems(config: Mapping[str, object], *, as_list: bool) -> list[Problem]:
    """CONF003: what libcni/Multus reject in the plugin structure of a config.

    ``as_list`` says how the config is loaded: True for ``.conflist`` files and for embedded
    configs without ``type``; False for ``.conf``/``.json`` files and configs with ``type``.
    A list needs a non-empty ``plugins`` array of objects (§ 1a.2); every plugin needs a
    non-empty string ``type`` without path separators, and so does ``ipam.type`` (§ 1a.3).
    """
    problems: list[Problem] = []
    if as_list:
        plugins = config.get("plugins")
        if "plugins" not in config:
            problems.append(Problem((), "plugin list has no 'plugins' key"))
        elif not isinstance(plugins, list):
            problems.append(Problem(("plugins",), f"'plugins' is a {json_type(plugins)}, not a list"))
        elif not plugins:
            problems.append(Problem(("plugins",), "'plugins' is an empty list"))
        else:
            for index, plugin in enumerate(plugins):
                if not isinstance(plugin, Mapping):
                    problems.append(
                        Problem(("plugins", index), f"plugin {index} is a {json_type(plugin)}, not an object")
                    )
    for path, plugin in plugins_of(config, as_list=as_list):
        problems.extend(_plugin_type_problems(plugin, path))
    return problems


def _plugin_type_problems(plugin: Mapping[str, object], path: JsonPath) -> Iterator[Problem]:
    where = f"plugin {path[-1]}" if path else "plugin"
    value = plugin.get("type")
    if "type" not in plugin:
        yield Problem(path, f"{where} has no 'type'")
    elif not isinstance(value, str):
        yield Problem((*path, "type"), f"{where} 'type' {show(value)} is a {json_type(value)}, not a string")
    elif value == "":
        yield Problem((*path, "type"), f"{where} has an empty 'type'")
    elif any(sep in value for sep in PATH_SEPARATORS):
        yield Problem((*path, "type"), f"{where} 'type' {value!r} contains a path separator")
    ipam = plugin.get("ipam")
    if isinstance(ipam, Mapping):
        ipam_type = ipam.get("type")
        if isinstance(ipam_type, str) and any(sep in ipam_type for sep in PATH_SEPARATORS):
            yield Problem((*path, "ipam", "type"), f"{where} ipam 'type' {ipam_type!r} contains a path separator")


def extension_problem(filename: str, config: Mapping[str, object]) -> Problem | None:
    """CONF004: a plugin list saved as ``.conf``/``.json`` or a single plugin saved as ``.conflist``.

    containerd loads every file not ending in ``.conflist`` as one plugin and fails it without
    ``type``; libcni fails a ``.conflist`` without ``plugins`` (§ 1a.4).
    """
    ext = extension(filename)
    if ext in (".conf", ".json") and "plugins" in config and not has_type(config):
        return Problem(("plugins",), f"{ext} file holds a plugin list ('plugins' without 'type'); name it .conflist")
    if ext == ".conflist" and "plugins" not in config and has_type(config):
        return Problem(("type",), f".conflist file holds a single plugin (type {config['type']!r}, no 'plugins')")
    return None


@dataclass(frozen=True, slots=True)
class OrderProblem:
    """CONF005: which file the runtime would load first, and which one it should be."""

    first: str
    expected: str
    report_on: str  # the file the user should rename or remove


MULTUS_FILENAMES = ("00-multus.conf", "00-multus.conflist")
AWS_FILENAME = "10-aws.conflist"


def is_conf_dir(names: Iterable[str]) -> bool:
    """A directory is a node CNI config dir when it holds ``10-aws.conflist`` or ``00-multus.conf(list)``."""
    return any(name in (AWS_FILENAME, *MULTUS_FILENAMES) for name in names)


def load_order(names: Iterable[str]) -> list[str]:
    """The config files go-cni considers, in the order it tries them (byte-wise sort), § 1a.6."""
    return sorted((n for n in names if is_config_filename(n)), key=lambda n: n.encode("utf-8", "surrogatepass"))


def conf_dir_order_problem(names: Iterable[str], multus_files: Iterable[str]) -> OrderProblem | None:
    """CONF005 over the base names of one directory; ``multus_files`` are its Multus configs.

    On EKS containerd uses only the lexically first config (``max_conf_num = 1``), so Multus
    must sort first when present, else ``10-aws.conflist`` (§ 1a.6, § 1a.7).
    """
    names = list(names)
    if not is_conf_dir(names):
        return None
    order = load_order(names)
    if not order:
        return None
    first = order[0]
    multus = [n for n in order if n in set(multus_files)]
    if multus:
        if first in multus:
            return None
        expected = multus[0]
        report_on = expected if first == AWS_FILENAME else first
        return OrderProblem(first, expected, report_on)
    if AWS_FILENAME in order and first != AWS_FILENAME:
        return OrderProblem(first, AWS_FILENAME, first)
    return None


def json_type(value: object) -> str:
    """The JSON type name of a decoded value, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "list"
    if isinstance(value, Mapping):
        return "object"
    return type(value).__name__


def show(value: object) -> str:
    """A short rendering of a JSON value for messages (``true``, ``null``, ``'x'``, ``1.0``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (Mapping, list)):
        return json_type(value)
    return repr(value) if isinstance(value, str) else str(value)
