"""Bytes → documents of located values, tolerant of bad input (each failure is a Problem).

YAML goes through libyaml (``CSafeLoader``) composing nodes, then a small converter that keeps
every position, detects duplicate keys, honours merge keys and bounds alias expansion and depth.
Nesting is bounded on the text before libyaml sees it: libyaml dies with SIGSEGV (no traceback)
on input nested about 30,000 deep (RULES.md § Common ground, Bounds).
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from .findings import Location, Related
from .jsonloc import JsonSyntaxError, JsonTooDeep, line_position, parse_json
from .located import LList, LMap, Pos, Unknown

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_constructor = yaml.constructor.SafeConstructor()

JSON_SUFFIXES = (".json", ".conf", ".conflist")
STR_TAG = "tag:yaml.org,2002:str"
_STD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:binary",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:omap",
    "tag:yaml.org,2002:set",
    "tag:yaml.org,2002:pairs",
    "tag:yaml.org,2002:value",
    "tag:yaml.org,2002:merge",
}


@dataclass(frozen=True, slots=True)
class Limits:
    """The bounds of RULES.md § Common ground, each configurable."""

    max_bytes: int = 10 * 1024 * 1024
    max_depth: int = 500
    max_alias_nodes: int = 10_000


@dataclass(frozen=True, slots=True)
class Problem:
    """A load-time failure, reported by the LNT rule named in ``rule``."""

    rule: str
    message: str
    location: Location
    fix: str
    related: tuple[Related, ...] = ()


@dataclass(slots=True, eq=False)
class Document:
    """One YAML document (or JSON file, or Kubernetes List item) of a source file."""

    source: SourceFile
    index: int
    data: Any
    pos: Pos

    @property
    def path(self) -> str:
        return self.source.path

    def loc(self) -> Location:
        return Location(self.source.path, *self.pos)


@dataclass(slots=True, eq=False)
class SourceFile:
    """A file (or stdin) and everything loading it produced."""

    path: str
    text: str = ""
    format: str = "yaml"
    documents: list[Document] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: str | None = None

    def problem(self, rule: str, message: str, line: int, col: int, fix: str, related: tuple[Related, ...] = ()) -> None:
        self.problems.append(Problem(rule, message, Location(self.path, line, col, line, col), fix, related))


class _TooDeep(Exception):
    def __init__(self, line: int, col: int) -> None:
        self.line, self.col = line, col


class _AliasBomb(Exception):
    def __init__(self, line: int, col: int) -> None:
        self.line, self.col = line, col


_MAP_TAG, _SEQ_TAG, _NULL_TAG = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:null"
# First characters for which a plain scalar may resolve to something other than a string.
_MAYBE_TYPED = frozenset(k for k in yaml.resolver.Resolver.yaml_implicit_resolvers if k)


class _FastLoader(_Loader):  # type: ignore[misc,valid-type]
    """The libyaml loader with a cheaper implicit resolver: most scalars are plain strings.

    libyaml calls ``resolve`` from C for every node; the stock one scans regex lists even for
    values that can only be strings. Typed candidates go through the stock resolver unchanged.
    """

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode:
            if implicit[0]:
                if not value:
                    return _NULL_TAG
                if value[0] in _MAYBE_TYPED:
                    return str(_Loader.resolve(self, kind, value, implicit))
            return STR_TAG
        return _SEQ_TAG if kind is yaml.SequenceNode else _MAP_TAG


def _pos(node: yaml.Node) -> Pos:
    s, e = node.start_mark, node.end_mark
    return (s.line + 1, s.column + 1, e.line + 1, e.column + 1)


class _Converter:
    """Turns composed YAML nodes into LMap/LList/scalars, bounding depth and alias expansion."""

    def __init__(self, source: SourceFile, limits: Limits, aliases: bool = True) -> None:
        self.source = source
        self.path = source.path
        self.limits = limits
        self.seen: set[int] | None = set() if aliases else None  # only a text with '*' can alias
        self.expanded = 0

    def convert(self, node: yaml.Node, depth: int = 0) -> Any:
        if depth > self.limits.max_depth:
            raise _TooDeep(node.start_mark.line + 1, node.start_mark.column + 1)
        seen = self.seen
        if seen is not None:
            key = id(node)
            if key in seen:
                self.expanded += 1
                if self.expanded > self.limits.max_alias_nodes:
                    raise _AliasBomb(node.start_mark.line + 1, node.start_mark.column + 1)
            else:
                seen.add(key)
        tag = node.tag
        cls = node.__class__
        if cls is yaml.ScalarNode:
            if tag == STR_TAG:
                return node.value
            value = self.scalar(node)
        elif cls is yaml.MappingNode:
            value = self.mapping(node, depth)
        else:
            value = self.sequence(node, depth)
        if tag not in _STD_TAGS and not (tag or "").startswith("tag:yaml.org,2002:"):
            return Unknown(tag, value)
        return value

    @staticmethod
    def scalar(node: yaml.ScalarNode) -> Any:
        tag = node.tag
        if tag == STR_TAG or tag not in _STD_TAGS:
            return node.value
        try:
            if tag == "tag:yaml.org,2002:int":
                return _constructor.construct_yaml_int(node)
            if tag == "tag:yaml.org,2002:bool":
                return _constructor.construct_yaml_bool(node)
            if tag == "tag:yaml.org,2002:null":
                return None
            if tag == "tag:yaml.org,2002:float":
                return _constructor.construct_yaml_float(node)
        except (ValueError, yaml.YAMLError):
            return node.value
        return node.value

    def mapping(self, node: yaml.MappingNode, depth: int) -> LMap:
        result = LMap(self.path, _pos(node))
        merges: list[LMap] = []
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                merged = self.convert(value_node, depth + 1)
                merges.extend(m for m in (merged if isinstance(merged, list) else [merged]) if isinstance(m, LMap))
                continue
            key = self.convert(key_node, depth + 1)
            if isinstance(key, (dict, list, Unknown)):
                key = str(key)
            value = self.convert(value_node, depth + 1)
            if key in result:
                first = result.key_pos[key]
                k = _pos(key_node)
                self.source.problems.append(
                    Problem(
                        "LNT004",
                        f"duplicate key {key!r}: the later value wins and the earlier one is ignored",
                        Location(self.path, *k),
                        "Remove one of the two entries or merge them into one.",
                        (Related(Location(self.path, *first), f"first {key!r} here"),),
                    )
                )
            result[key] = value
            result.key_pos[key] = _pos(key_node)
            result.val_pos[key] = _pos(value_node)
            if isinstance(value_node, yaml.ScalarNode) and value_node.style in ("|", ">"):
                if result.styles is None:
                    result.styles = {}
                result.styles[key] = value_node.style
        for merged in merges:
            for key, value in merged.items():
                if key not in result:
                    result[key] = value
                    result.key_pos[key] = merged.key_pos.get(key, merged.pos)
                    result.val_pos[key] = merged.val_pos.get(key, merged.pos)
        return result

    def sequence(self, node: yaml.SequenceNode, depth: int) -> LList:
        result = LList(self.path, _pos(node))
        for index, item in enumerate(node.value):
            result.append(self.convert(item, depth + 1))
            result.item_pos.append(_pos(item))
            if isinstance(item, yaml.ScalarNode) and item.style in ("|", ">"):
                if result.styles is None:
                    result.styles = {}
                result.styles[index] = item.style
        return result


_DEEP_INDENT_CACHE: dict[int, re.Pattern[str]] = {}
_BRACKETS = re.compile(r"[\[\]{}]")


def nesting_overflow(text: str, max_depth: int) -> tuple[int, int] | None:
    """Where the text may nest deeper than ``max_depth`` (a cheap upper bound), else None.

    Block nesting needs one column per level (``- - -`` or indentation), flow nesting an open
    bracket per level; both are bounded from the text alone, before any parser runs.
    """
    pattern = _DEEP_INDENT_CACHE.get(max_depth)
    if pattern is None:
        pattern = _DEEP_INDENT_CACHE[max_depth] = re.compile(r"^[ \-?:]{%d}" % (max_depth + 1), re.M)
    m = pattern.search(text)
    if m:
        line = text.count("\n", 0, m.start()) + 1
        return line, 1
    if text.count("[") + text.count("{") <= max_depth:
        return None
    depth = 0
    for bracket in _BRACKETS.finditer(text):
        if bracket.group() in "[{":
            depth += 1
            if depth > max_depth:
                offset = bracket.start()
                line = text.count("\n", 0, offset) + 1
                return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
        elif depth:
            depth -= 1
    return None


def decode(source: SourceFile, data: bytes) -> str | None:
    """UTF-8 text of a file, or None after recording why it cannot be read as text."""
    if b"\x00" in data[:8192]:
        source.problem("LNT002", "binary file: it holds NUL bytes and cannot be YAML or JSON", 1, 1,
                       "Remove the file from the linted paths or exclude it in the config.")
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        before = data[: err.start]
        line = before.count(b"\n") + 1
        col = err.start - (before.rfind(b"\n") + 1) + 1
        source.problem("LNT002", f"not UTF-8: byte 0x{data[err.start]:02x} cannot be decoded", line, col,
                       "Save the file as UTF-8.")
        return None
    return text[1:] if text.startswith("\ufeff") else text


def load_text(source: SourceFile, text: str, limits: Limits) -> None:
    """Parse ``text`` into ``source.documents``, recording problems instead of raising."""
    source.text = text
    deep = nesting_overflow(text, limits.max_depth)
    if deep is not None:
        source.problem("LNT002", f"nesting deeper than {limits.max_depth} levels: the file is not read", *deep,
                       "Flatten the structure, or raise the nesting limit if this depth is intended.")
        return
    if source.format == "json":
        _load_json(source, text, limits)
    else:
        _load_yaml(source, text, limits)


def _load_json(source: SourceFile, text: str, limits: Limits) -> None:
    position = line_position(text)
    try:
        value, duplicates = parse_json(text, source.path, position, limits.max_depth)
    except JsonSyntaxError as err:
        line, col = position(err.offset)
        source.problem("LNT001", f"invalid JSON: {err.message}", line, col, "Fix the JSON syntax at this position.")
        return
    except JsonTooDeep as err:
        line, col = position(err.offset)
        source.problem("LNT002", f"nesting deeper than {limits.max_depth} levels: the file is not read", line, col,
                       "Flatten the structure, or raise the nesting limit if this depth is intended.")
        return
    for dup in duplicates:
        source.problems.append(
            Problem("LNT004", f"duplicate key {dup.key!r}: the later value wins and the earlier one is ignored",
                    Location(source.path, *dup.second), "Remove one of the two entries or merge them into one.",
                    (Related(Location(source.path, *dup.first), f"first {dup.key!r} here"),))
        )
    pos = value.pos if isinstance(value, (LMap, LList)) else (1, 1, 1, 1)
    source.documents.append(Document(source, 0, value, pos))


def _load_yaml(source: SourceFile, text: str, limits: Limits) -> None:
    converter = _Converter(source, limits, aliases="*" in text)
    index = 0
    try:
        for node in yaml.compose_all(text, Loader=_FastLoader):
            if node is None:
                continue
            data = converter.convert(node)
            if data is None:  # an empty document between two '---'
                continue
            source.documents.append(Document(source, index, data, _pos(node)))
            index += 1
    except yaml.MarkedYAMLError as err:
        _syntax_problem(source, err)
    except yaml.YAMLError as err:
        source.problem("LNT001", f"invalid YAML: {err}", 1, 1, "Fix the YAML syntax.")
    except _TooDeep as err:
        source.problem("LNT002", f"nesting deeper than {limits.max_depth} levels: the document is not read",
                       err.line, err.col, "Flatten the structure, or raise the nesting limit if this depth is intended.")
    except _AliasBomb as err:
        source.problem("LNT002", f"aliases expand to more than {limits.max_alias_nodes} nodes: the document is not read",
                       err.line, err.col, "Replace the nested aliases with explicit values.")
    except RecursionError:
        source.problem("LNT002", "nesting too deep to read", 1, 1, "Flatten the structure.")


def parse_embedded(text: str, source: SourceFile, base: Pos, style: str, limits: Limits) -> tuple[Any, list[Problem]]:
    """Parse a JSON-or-YAML string held in a YAML scalar, locating its nodes in the file.

    A literal block scalar (``|``) maps exactly: line i of the string is file line base+1+i at the
    block's indentation. Other styles map every position to the scalar's start (README § Locations).
    """
    path = source.path
    shift = _shifter(source, base, style)

    def position(offset: int) -> tuple[int, int]:
        line = text.count("\n", 0, offset) + 1
        col = offset - (text.rfind("\n", 0, offset) + 1) + 1
        return shift(line, col)

    if nesting_overflow(text, limits.max_depth) is not None:
        line, col = shift(1, 1)
        return None, [Problem("LNT005", f"embedded config nests deeper than {limits.max_depth} levels",
                              Location(path, line, col, line, col), "Flatten the embedded config.")]
    json_error: tuple[str, int] | None = None
    if text.lstrip().startswith(("{", "[")):
        try:
            value, _dups = parse_json(text, path, position, limits.max_depth)
            return value, []
        except JsonSyntaxError as err:
            json_error = (err.message, err.offset)
        except JsonTooDeep as err:
            json_error = ("nesting too deep", err.offset)
    holder = SourceFile(path, format="yaml")
    _load_yaml(holder, text, limits)
    if json_error is not None:
        line, col = position(json_error[1])
        return None, [Problem("LNT005", f"embedded JSON does not parse: {json_error[0]}",
                              Location(path, line, col, line, col), "Fix the JSON inside the string.")]
    problems = []
    for problem in holder.problems:
        line, col = shift(problem.location.line, problem.location.col)
        problems.append(Problem("LNT005", "embedded " + problem.message.removeprefix("invalid "),
                                Location(path, line, col, line, col), "Fix the YAML inside the string."))
    if not holder.documents or problems:
        return None, problems
    return _relocate(holder.documents[0].data, shift, path), problems


def _shifter(source: SourceFile, base: Pos, style: str) -> Callable[[int, int], tuple[int, int]]:
    """Map (line, col) inside an embedded string to the file; exact for literal blocks only."""
    if style != "|":
        return lambda line, col: (base[0], base[1])
    lines = source.text.split("\n", base[0] + 200)
    indent = 0
    for candidate in lines[base[0]:]:
        if candidate.strip():
            indent = len(candidate) - len(candidate.lstrip(" "))
            break
    return lambda line, col: (base[0] + line, indent + col)


def _relocate(value: Any, shift: Callable[[int, int], tuple[int, int]], path: str) -> Any:
    """Move positions of values parsed from an embedded string into file coordinates."""

    def move(p: Pos) -> Pos:
        return (*shift(p[0], p[1]), *shift(p[2], p[3]))

    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, (LMap, LList)):
            item.path = path
            item.pos = move(item.pos)
        if isinstance(item, LMap):
            item.key_pos = {k: move(p) for k, p in item.key_pos.items()}
            item.val_pos = {k: move(p) for k, p in item.val_pos.items()}
            stack.extend(v for v in item.values() if isinstance(v, (LMap, LList)))
        elif isinstance(item, LList):
            item.item_pos = [move(p) for p in item.item_pos]
            stack.extend(v for v in item if isinstance(v, (LMap, LList)))
    return value


def read_source(display: str, fs_path: Any, limits: Limits, stdin_text: str | None = None) -> SourceFile:
    """Read one candidate into a SourceFile: decode, pre-filter, bound and parse.

    Every way a file can fail to be read becomes an LNT002 problem on it; nothing raises.
    """
    from . import prefilter

    fmt = "json" if display.endswith(JSON_SUFFIXES) else "yaml"
    source = SourceFile(display, format=fmt)
    if stdin_text is not None:
        text: str | None = stdin_text
        if text.lstrip().startswith("{"):
            source.format = "json"
    else:
        try:
            with open(fs_path, "rb") as handle:  # one open, no stat: most files are small
                data = handle.read(limits.max_bytes + 1)
                if len(data) > limits.max_bytes:
                    relevant = prefilter.has_relevant_word(data)
                    while not relevant and (chunk := handle.read(1 << 20)):
                        relevant = prefilter.has_relevant_word(chunk)
                    size = os.fstat(handle.fileno()).st_size
                    if relevant:
                        source.problem("LNT002", f"file is {size} bytes, over the {limits.max_bytes}-byte limit: not read",
                                       1, 1, "Split the file, or raise the size limit if it must be linted whole.")
                    else:
                        source.skipped = f"{display}: over the size limit and no relevant kind in it"
                    return source
        except OSError as err:
            reason = err.strerror or str(err)
            source.problem("LNT002", f"cannot read the file: {reason.lower()}", 1, 1,
                           "Fix the path or its permissions, or exclude it in the config.")
            return source
        text = decode(source, data)
        if text is None:
            return source
    cni_file = display.endswith((".conf", ".conflist"))
    if cni_file and not text.lstrip().startswith("{"):
        source.skipped = f"{display}: not a JSON CNI config"
        return source
    parse = cni_file or prefilter.has_keyword(text)
    if not parse and not (source.format == "yaml" and prefilter.is_kindless_yaml(text)):
        source.skipped = prefilter.skip_reason(display)  # never reaches a parser: no bound to check
        return source
    if fs_path is not None and _in_helm_chart_templates(fs_path):
        source.skipped = f"{display}: a Helm template (lint 'helm template ... | eks-net-lint -' instead)"
        return source
    deep = nesting_overflow(text, limits.max_depth)
    if deep is not None:
        source.text = text
        source.problem("LNT002", f"nesting deeper than {limits.max_depth} levels: the file is not read", *deep,
                       "Flatten the structure, or raise the nesting limit if this depth is intended.")
        return source
    if not parse:  # YAML no rule reads: syntax and alias bombs only
        source.text = text
        check_yaml_events(source, text, limits)
        if "{{" in text and source.problems:
            source.problems = []
        source.skipped = prefilter.skip_reason(display)
        return source
    load_text(source, text, limits)
    if "{{" in text and any(p.rule == "LNT001" for p in source.problems):
        source.problems = [p for p in source.problems if p.rule != "LNT001"]
        source.documents = []
        source.skipped = f"{display}: does not parse and holds '{{{{': a Helm template (lint its rendered output)"
    return source


def check_yaml_events(source: SourceFile, text: str, limits: Limits) -> None:
    """Syntax and alias-expansion check from libyaml's event stream, without building nodes.

    Used on YAML no rule reads: it still reports LNT001 and alias bombs (LNT002) at a fraction of
    a full parse. An anchored node's expanded size is known when it ends; an alias adds it again.
    """
    raw_parse = getattr(_Loader, "raw_parse", None)  # libyaml: parse in C, no Python objects
    if raw_parse is not None:
        try:
            _Loader(text).raw_parse()
        except yaml.MarkedYAMLError as err:
            _syntax_problem(source, err)
            return
        if "*" not in text:  # no alias, no expansion to bound
            return
    sizes: dict[str, int] = {}
    stack: list[list[Any]] = []  # [anchor, expanded size so far]
    budget = limits.max_alias_nodes
    expanded = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            kind = event.__class__
            if kind is yaml.AliasEvent:
                size = sizes.get(event.anchor, 1)
                expanded += size
                if expanded > budget:
                    mark = event.start_mark
                    source.problem("LNT002", f"aliases expand to more than {budget} nodes: the document is not read",
                                   mark.line + 1, mark.column + 1, "Replace the nested aliases with explicit values.")
                    return
                if stack:
                    stack[-1][1] += size
            elif kind is yaml.ScalarEvent:
                if event.anchor:
                    sizes[event.anchor] = 1
                if stack:
                    stack[-1][1] += 1
            elif kind in (yaml.MappingStartEvent, yaml.SequenceStartEvent):
                stack.append([event.anchor, 1])
            elif kind in (yaml.MappingEndEvent, yaml.SequenceEndEvent):
                anchor, size = stack.pop()
                if anchor:
                    sizes[anchor] = size
                if stack:
                    stack[-1][1] += size
            elif kind is yaml.DocumentEndEvent:
                sizes.clear()
                expanded = 0
    except yaml.MarkedYAMLError as err:
        _syntax_problem(source, err)
    except yaml.YAMLError as err:
        source.problem("LNT001", f"invalid YAML: {err}", 1, 1, "Fix the YAML syntax.")


def _syntax_problem(source: SourceFile, err: yaml.MarkedYAMLError) -> None:
    mark = err.problem_mark or err.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    what = " ".join(p for p in (err.context, err.problem) if p)
    source.problem("LNT001", f"invalid YAML: {what}", line, col, "Fix the YAML syntax at this position.")


def _in_helm_chart_templates(fs_path: Any) -> bool:
    """DESIGN.md § Inputs: files under ``templates/`` next to a ``Chart.yaml`` are Helm templates."""
    for parent in fs_path.parents:
        if parent.name == "templates":
            return (parent.parent / "Chart.yaml").is_file()
    return False
