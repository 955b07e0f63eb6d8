"""The VPC CNI settings catalogue, and each value judged exactly as ipamd and the entrypoint parse it."""
from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any, Mapping

from .cni_version import CniVersion, load_data, parse_version

AWS_NODE = "aws-node"
INIT = "aws-vpc-cni-init"
NODE_AGENT = "aws-eks-nodeagent"

# Outcomes of judging one value (what the CNI does with it).
OK = "ok"  # read as written
DEFAULT = "default"  # unparsable or out of range: the code falls back to its default
EXIT = "exit"  # aws-node (entrypoint or ipamd) exits
PARTIAL = "partial"  # list or map: some items are skipped or dropped
CLAMP = "clamp"  # old MTU handling: clamped into range

# reference/vpc-cni.md § 1.1 [strconv]: exactly these spellings parse; everything else is an error.
_GO_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
_GO_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})
_ATOI_RE = re.compile(r"^[+-]?[0-9]+$")
_INT64 = (-(2**63), 2**63 - 1)
# Go strconv.ParseInt(s, 0, 64) syntax: sign, then 0x/0o/0b prefix or a leading 0 (octal);
# underscores only between digits or after a prefix, and only in base 0.
_BASE0_RE = re.compile(
    r"^[+-]?(?:0[xX](?:_?[0-9a-fA-F])+|0[bB](?:_?[01])+|0[oO](?:_?[0-7])+|0(?:_?[0-7])*|[1-9](?:_?[0-9])*)$"
)
_IPV4_CIDR_RE = re.compile(r"^[0-9]{1,3}(?:\.[0-9]{1,3}){3}/[0-9]{1,2}$")


def quote(text: str) -> str:
    """A value as messages show it: double-quoted, with escapes for control characters."""
    return json.dumps(text, ensure_ascii=False)


def go_parse_bool(text: str) -> bool | None:
    """Go strconv.ParseBool: True/False for the accepted spellings, None for a parse error."""
    if text in _GO_TRUE:
        return True
    if text in _GO_FALSE:
        return False
    return None


def go_atoi(text: str) -> int | None:
    """Go strconv.Atoi on a 64-bit platform: optional sign and ASCII digits only, within int64."""
    if not _ATOI_RE.match(text):
        return None
    value = int(text)
    return value if _INT64[0] <= value <= _INT64[1] else None


def go_parse_int_base0(text: str) -> int | None:
    """Go strconv.ParseInt(s, 0, 64): `0x80`, `128` and `0200` are all 128; None on error."""
    if not _BASE0_RE.match(text):
        return None
    sign = -1 if text[0] == "-" else 1
    body = text.lstrip("+-").replace("_", "")
    if len(body) > 1 and body[0] == "0" and body[1] in "xXbBoO":
        value = int(body[2:], {"x": 16, "b": 2, "o": 8}[body[1].lower()])
    elif len(body) > 1 and body[0] == "0":
        value = int(body[1:], 8)
    else:
        value = int(body)
    value *= sign
    return value if _INT64[0] <= value <= _INT64[1] else None


@dataclass(frozen=True, slots=True)
class Setting:
    """One catalogue entry: a variable (or node-agent argument) of one container."""

    name: str
    container: str
    type: str
    parse: str
    default: bool | int | str | None
    manifest: str | None
    since: CniVersion
    meaning: str
    on_invalid: str = "none"
    values: tuple[str, ...] = ()
    case_insensitive: bool = False
    minimum: int | None = None
    maximum: int | None = None
    minimum_ipv6: int | None = None
    fatal_since: CniVersion | None = None
    ignored_since: CniVersion | None = None
    exact_true_before: CniVersion | None = None
    validated_since: CniVersion | None = None
    max_bytes: int | None = None
    reserved: tuple[str, ...] = ()
    fatal_values: tuple[str, ...] = ()
    reserved_key_substring: str | None = None
    field_ref: str | None = None
    helm: str | None = None
    undocumented: bool = False

    def default_text(self) -> str:
        """The code default as ipamd would print it (`false`, `1`, `none`)."""
        if self.default is None:
            return "none"
        if isinstance(self.default, bool):
            return "true" if self.default else "false"
        return str(self.default)


@dataclass(frozen=True, slots=True)
class Catalogue:
    """Every known setting per container, plus names never to report as unknown."""

    settings: Mapping[tuple[str, str], Setting]
    not_settings: frozenset[str]
    metrics_helper: frozenset[str]
    container_since: Mapping[str, CniVersion]

    def get(self, container: str, name: str) -> Setting | None:
        return self.settings.get((container, name))

    def names(self, container: str) -> frozenset[str]:
        return frozenset(name for cont, name in self.settings if cont == container)

    def containers_of(self, name: str) -> tuple[str, ...]:
        """The containers that read `name`, in catalogue order."""
        return tuple(sorted(cont for cont, n in self.settings if n == name))

    def suggest(self, name: str, container: str = AWS_NODE) -> str | None:
        """A did-you-mean for an unknown env name: a case-only difference first, then a close spelling."""
        import difflib  # only when an unknown name needs a suggestion

        known = sorted(self.names(container))
        by_upper = {k.upper(): k for k in known}
        if name.upper() in by_upper:
            return by_upper[name.upper()]
        close = difflib.get_close_matches(name.upper(), list(by_upper), n=1, cutoff=0.8)
        return by_upper[close[0]] if close else None


def _version(text: object) -> CniVersion | None:
    return parse_version(text) if isinstance(text, str) else None


def _setting(container: str, name: str, raw: Mapping[str, Any]) -> Setting:
    since = _version(raw["since"])
    if since is None:
        raise ValueError(f"cni_settings.json: {container}/{name} has no valid since")
    return Setting(
        name=name,
        container=container,
        type=raw["type"],
        parse=raw.get("parse", "args"),
        default=raw.get("default"),
        manifest=raw.get("manifest"),
        since=since,
        meaning=raw["meaning"],
        on_invalid=raw.get("on_invalid", "none"),
        values=tuple(raw.get("values", ())),
        case_insensitive=bool(raw.get("case_insensitive", False)),
        minimum=raw.get("min"),
        maximum=raw.get("max"),
        minimum_ipv6=raw.get("min_ipv6"),
        fatal_since=_version(raw.get("fatal_since")),
        ignored_since=_version(raw.get("ignored_since")),
        exact_true_before=_version(raw.get("exact_true_before")),
        validated_since=_version(raw.get("validated_since")),
        max_bytes=raw.get("max_bytes"),
        reserved=tuple(raw.get("reserved", ())),
        fatal_values=tuple(raw.get("fatal_values", ())),
        reserved_key_substring=raw.get("reserved_key_substring"),
        field_ref=raw.get("field_ref"),
        helm=raw.get("helm"),
        undocumented=bool(raw.get("undocumented", False)),
    )


@cache
def catalogue() -> Catalogue:
    """The bundled settings catalogue (reference/vpc-cni.md § 1), loaded once."""
    data = load_data("cni_settings.json")
    settings = {
        (container, name): _setting(container, name, raw)
        for container, entries in data["containers"].items()
        for name, raw in entries.items()
    }
    since = {c: parse_version(v) for c, v in data["container_since"].items()}
    return Catalogue(
        settings=MappingProxyType(settings),
        not_settings=frozenset(data["not_settings"]),
        metrics_helper=frozenset(data["metrics_helper"]),
        container_since=MappingProxyType({c: v for c, v in since.items() if v is not None}),
    )


@dataclass(frozen=True, slots=True)
class Judgement:
    """What the CNI does with one raw value: its outcome, the value in force, and why."""

    outcome: str
    value: object
    problem: str = ""
    effect: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome == OK


@dataclass(frozen=True, slots=True)
class Context:
    """Facts that change how a value is judged; None = unknown."""

    version: CniVersion | None = None
    ipv6: bool | None = None
    pod_eni: bool | None = None


def _fallback(setting: Setting, problem: str, *, log: str) -> Judgement:
    """Fall back to the code default; `log` names what is logged ("" = nothing)."""
    who = "the init container" if setting.container == INIT else "ipamd"
    how = f"logs {log} and uses" if log else "silently uses"
    if setting.default is None:
        return Judgement(DEFAULT, None, problem, f"{who} {'logs ' + log + ' and ' if log else 'silently '}ignores it")
    return Judgement(DEFAULT, setting.default, problem, f"{who} {how} the default {setting.default_text()}")


def _judge_bool(setting: Setting, raw: str, ctx: Context) -> Judgement:
    cutoff = setting.exact_true_before
    if setting.container == INIT and cutoff and ctx.version is not None and ctx.version < cutoff:
        # reference/vpc-cni.md § 1.3: before v1.12.1 scripts/init.sh compared the exact string "true"
        if raw != "true" and go_parse_bool(raw):
            return Judgement(DEFAULT, False, f'{quote(raw)} is not the exact string "true"',
                             f"the init script of {ctx.version} reads it as false")
        return Judgement(OK, raw == "true")
    parsed = go_parse_bool(raw)
    if parsed is not None:
        return Judgement(OK, parsed)
    problem = '"" is not a boolean' if raw == "" else f"{quote(raw)} is not accepted by Go strconv.ParseBool"
    # B2 reads "" as unset (silent); B1 logs a parse error for "" too (reference/vpc-cni.md § 1.1)
    if setting.parse == "B2":
        return _fallback(setting, problem, log="" if raw == "" else "a warning")
    return _fallback(setting, problem, log="a parse error")


def _judge_int(setting: Setting, raw: str, ctx: Context) -> Judgement:
    value = go_parse_int_base0(raw) if setting.type == "int-base0" else go_atoi(raw)
    low = setting.minimum
    if ctx.ipv6 and setting.minimum_ipv6 is not None:
        low = setting.minimum_ipv6
    high = setting.maximum
    if value is None:
        problem = f"{quote(raw)} is not an integer"
    elif low is not None and value < low:
        problem = f"{value} is below {low}" if high is None else f"{value} is outside {low}-{high}"
    elif high is not None and value > high:
        problem = f"{value} is outside {low}-{high}" if low is not None else f"{value} is above {high}"
    else:
        return Judgement(OK, value)
    if setting.on_invalid == EXIT:
        fatal = setting.fatal_since
        if fatal is not None and ctx.version is not None and ctx.version < fatal:
            # reference/vpc-cni.md § 1.2 AWS_VPC_ENI_MTU: before v1.16.4 a bad MTU is clamped
            lowest, highest = setting.minimum or 0, setting.maximum or 9001
            clamped = highest if value is None else min(max(value, lowest), highest)
            return Judgement(CLAMP, clamped, problem, f"aws-node {ctx.version} logs an error and uses {clamped}")
        return Judgement(EXIT, None, problem, "aws-node exits")
    return _fallback(setting, problem, log="an info line" if setting.parse == "ParseInt0" else "")


def _judge_enum(setting: Setting, raw: str, ctx: Context) -> Judgement:
    wanted = raw.upper() if setting.case_insensitive else raw
    values = {v.upper() if setting.case_insensitive else v: v for v in setting.values}
    if wanted in values:
        return Judgement(OK, values[wanted])
    if raw == "" and setting.name != "POD_SECURITY_GROUP_ENFORCING_MODE":
        # "" means the default for RANDOMIZESNAT and the log levels; NETWORK_POLICY_ENFORCING_MODE
        # with "" is not settled by the reference, so it is not judged
        return Judgement(OK, setting.default)
    problem = f"{quote(raw)} is not one of {', '.join(setting.values)}"
    if setting.name == "NETWORK_POLICY_ENFORCING_MODE":
        return Judgement(EXIT, None, problem, "ipamd exits")
    if setting.name == "POD_SECURITY_GROUP_ENFORCING_MODE":
        # reference/vpc-cni.md § 1.2: fatal only when ENABLE_POD_ENI is true, else strict silently
        if ctx.pod_eni is False:
            return Judgement(DEFAULT, "strict", problem, "ipamd silently uses strict")
        effect = "aws-node exits" if ctx.pod_eni else "aws-node exits when ENABLE_POD_ENI is true (else strict)"
        return Judgement(EXIT, None, problem, effect)
    if setting.name == "AWS_VPC_K8S_CNI_RANDOMIZESNAT":
        return Judgement(DEFAULT, "prng", problem, "ipamd logs an error and uses prng")
    return Judgement(DEFAULT, setting.default, problem, "the CNI silently logs at debug level")


def parse_ipv4_cidr(item: str) -> ipaddress.IPv4Network | None:
    """An IPv4 CIDR as Go net.ParseCIDR reads it (host bits allowed, a /prefix required)."""
    if not _IPV4_CIDR_RE.match(item):
        return None
    try:
        network = ipaddress.ip_network(item, strict=False)
    except ValueError:
        return None
    return network if isinstance(network, ipaddress.IPv4Network) else None


def _judge_cidr_list(setting: Setting, raw: str) -> Judgement:
    good: list[ipaddress.IPv4Network] = []
    bad: list[str] = []
    for item in raw.split(","):
        item = item.strip()
        if not item:
            continue
        network = parse_ipv4_cidr(item)
        if network is None:
            bad.append(item)
        else:
            good.append(network)
    if not bad:
        return Judgement(OK, tuple(good))
    kinds = ["IPv6" if ":" in b else "invalid" for b in bad]
    problem = "has " + ", ".join(f"{k} entry {quote(b)}" for k, b in zip(kinds, bad))
    return Judgement(PARTIAL, tuple(good), problem, "ipamd logs an error and skips " + ("it" if len(bad) == 1 else "them"))


def _judge_tags(setting: Setting, raw: str) -> Judgement:
    if raw == "":
        return Judgement(OK, {})
    try:
        parsed = json.loads(raw)
    except ValueError:
        return Judgement(DEFAULT, {}, f"{quote(raw)} is not valid JSON", "ipamd logs a warning and adds no tags at all")
    if not isinstance(parsed, dict) or not all(isinstance(v, str) for v in parsed.values()):
        return Judgement(DEFAULT, {}, f"{quote(raw)} is not a JSON object of strings",
                         "ipamd logs a warning and adds no tags at all")
    marker = setting.reserved_key_substring or ""
    dropped = sorted(k for k in parsed if marker and marker in k)
    if dropped:
        kept = {k: v for k, v in parsed.items() if k not in dropped}
        return Judgement(PARTIAL, kept, f"has key {', '.join(dropped)} containing the reserved {marker}",
                         "ipamd logs a warning and drops " + ("it" if len(dropped) == 1 else "them"))
    return Judgement(OK, parsed)


def _judge_string(setting: Setting, raw: str, ctx: Context) -> Judgement:
    if raw in setting.fatal_values:
        return Judgement(EXIT, None, f"{quote(raw)} is not allowed", "aws-node exits")
    if setting.max_bytes is not None or setting.reserved:
        checked = setting.validated_since
        if checked is not None and ctx.version is not None and ctx.version < checked:
            return Judgement(OK, raw)
        if raw in setting.reserved:
            return Judgement(EXIT, None, f"{quote(raw)} is reserved", "aws-node exits")
        if setting.max_bytes is not None and len(raw.encode("utf-8")) > setting.max_bytes:
            return Judgement(EXIT, None, f"{quote(raw)} is longer than {setting.max_bytes} bytes", "aws-node exits")
    return Judgement(OK, raw)


def judge(setting: Setting, raw: str, ctx: Context = Context()) -> Judgement:
    """Judge a literal env value exactly as the CNI version in `ctx` reads it (reference/vpc-cni.md § 1)."""
    if setting.parse == "ignored" or setting.container == NODE_AGENT:
        return Judgement(OK, raw)
    if setting.type == "bool":
        return _judge_bool(setting, raw, ctx)
    if setting.type in ("int", "int-base0"):
        return _judge_int(setting, raw, ctx)
    if setting.type == "enum":
        return _judge_enum(setting, raw, ctx)
    if setting.type == "cidr-list":
        return _judge_cidr_list(setting, raw)
    if setting.type == "json-tags":
        return _judge_tags(setting, raw)
    return _judge_string(setting, raw, ctx)


def reads_true(setting: Setting, raw: str, version: CniVersion | None, *, entrypoint: bool = False) -> bool | None:
    """Whether the reader takes `raw` as true: exact `"true"` where an old reader compared strings.

    `entrypoint=True` asks about the aws-node entrypoint, which compared the exact string for
    ENABLE_POD_ENI and ENABLE_PREFIX_DELEGATION before v1.13.0 (reference/vpc-cni.md § 1.2).
    None when the version is unknown and the spellings disagree.
    """
    cutoff = setting.exact_true_before
    exact_reader = cutoff is not None and (setting.container == INIT or entrypoint)
    if not exact_reader or raw == "true":
        return go_parse_bool(raw) is True
    if version is None:
        return False if not go_parse_bool(raw) else None
    if cutoff is not None and version < cutoff:
        return False
    return go_parse_bool(raw) is True


def check_field_ref(setting: Setting, field_path: object) -> str | None:
    """A problem text when a downward-API setting does not use the field it must, else None."""
    if setting.field_ref is None or field_path == setting.field_ref:
        return None
    shown = field_path if isinstance(field_path, str) else "a valueFrom without fieldRef"
    return f"{setting.name} must come from fieldRef {setting.field_ref}, not {shown}"
