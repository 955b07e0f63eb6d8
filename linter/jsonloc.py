"""A strict JSON reader that builds located values (LMap/LList) for files and embedded strings.

The standard ``json`` module keeps no positions, and YAML reads some JSON differently (tabs,
``\\/`` escapes), so JSON takes this small recursive-descent path; strings and numbers are
decoded by the standard library's own scanners.
"""
from __future__ import annotations

import bisect
import json.decoder
import re
from collections.abc import Callable
from typing import Any

from .located import LList, LMap, Pos

PositionOf = Callable[[int], tuple[int, int]]

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_scanstring = json.decoder.scanstring


class JsonSyntaxError(ValueError):
    """Invalid JSON at a character offset."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


class JsonTooDeep(ValueError):
    def __init__(self, offset: int) -> None:
        super().__init__("nesting too deep")
        self.offset = offset


class DuplicateKey:
    """A key that appears twice in one object (the later one wins, as in most JSON readers)."""

    __slots__ = ("key", "first", "second", "path")

    def __init__(self, key: str, first: Pos, second: Pos, path: str) -> None:
        self.key, self.first, self.second, self.path = key, first, second, path


def line_position(text: str) -> PositionOf:
    """Map a character offset of ``text`` to a 1-based (line, column)."""
    starts = [0]
    starts.extend(m.end() for m in re.finditer("\n", text))

    def position(offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(starts, offset) - 1
        return index + 1, offset - starts[index] + 1

    return position


class _Reader:
    def __init__(self, text: str, path: str, position: PositionOf, max_depth: int) -> None:
        self.text = text
        self.path = path
        self.position = position
        self.max_depth = max_depth
        self.duplicates: list[DuplicateKey] = []

    def pos(self, start: int, end: int) -> Pos:
        line, col = self.position(start)
        end_line, end_col = self.position(end)
        return (line, col, end_line, end_col)

    def skip(self, i: int) -> int:
        return _WS.match(self.text, i).end()  # type: ignore[union-attr]

    def value(self, i: int, depth: int) -> tuple[Any, int]:
        text = self.text
        if i >= len(text):
            raise JsonSyntaxError("expecting a value, found the end of the input", i)
        ch = text[i]
        if ch == "{":
            return self.obj(i, depth + 1)
        if ch == "[":
            return self.arr(i, depth + 1)
        if ch == '"':
            try:
                return _scanstring(text, i + 1, True)
            except json.decoder.JSONDecodeError as err:
                raise JsonSyntaxError(err.msg.lower(), err.pos) from None
        for word, val in (("true", True), ("false", False), ("null", None)):
            if text.startswith(word, i):
                return val, i + len(word)
        m = _NUMBER.match(text, i)
        if m:
            number = m.group()
            return (float(number) if m.group(1) or m.group(2) else int(number)), m.end()
        raise JsonSyntaxError(f"expecting a value, found {text[i]!r}", i)

    def obj(self, start: int, depth: int) -> tuple[LMap, int]:
        if depth > self.max_depth:
            raise JsonTooDeep(start)
        text = self.text
        result = LMap(self.path, (0, 0, 0, 0))
        i = self.skip(start + 1)
        if text.startswith("}", i):
            result.pos = self.pos(start, i + 1)
            return result, i + 1
        while True:
            if not text.startswith('"', i):
                raise JsonSyntaxError("expecting a property name in double quotes", i)
            key_start = i
            try:
                key, i = _scanstring(text, i + 1, True)
            except json.decoder.JSONDecodeError as err:
                raise JsonSyntaxError(err.msg.lower(), err.pos) from None
            key_pos = self.pos(key_start, i)
            i = self.skip(i)
            if not text.startswith(":", i):
                raise JsonSyntaxError("expecting ':' after a property name", i)
            i = self.skip(i + 1)
            value_start = i
            value, i = self.value(i, depth)
            if key in result:
                self.duplicates.append(DuplicateKey(key, result.key_pos[key], key_pos, self.path))
            result[key] = value
            result.key_pos[key] = key_pos
            result.val_pos[key] = self.pos(value_start, i)
            i = self.skip(i)
            if text.startswith(",", i):
                i = self.skip(i + 1)
                continue
            if text.startswith("}", i):
                result.pos = self.pos(start, i + 1)
                return result, i + 1
            raise JsonSyntaxError("expecting ',' or '}' in an object", i)

    def arr(self, start: int, depth: int) -> tuple[LList, int]:
        if depth > self.max_depth:
            raise JsonTooDeep(start)
        text = self.text
        result = LList(self.path, (0, 0, 0, 0))
        i = self.skip(start + 1)
        if text.startswith("]", i):
            result.pos = self.pos(start, i + 1)
            return result, i + 1
        while True:
            item_start = i
            value, i = self.value(i, depth)
            result.append(value)
            result.item_pos.append(self.pos(item_start, i))
            i = self.skip(i)
            if text.startswith(",", i):
                i = self.skip(i + 1)
                continue
            if text.startswith("]", i):
                result.pos = self.pos(start, i + 1)
                return result, i + 1
            raise JsonSyntaxError("expecting ',' or ']' in an array", i)


def parse_json(
    text: str,
    path: str,
    position: PositionOf | None = None,
    max_depth: int = 500,
) -> tuple[Any, list[DuplicateKey]]:
    """Parse one JSON value; raises JsonSyntaxError or JsonTooDeep with the offset."""
    reader = _Reader(text, path, position or line_position(text), max_depth)
    start = reader.skip(1 if text.startswith("\ufeff") else 0)
    value, end = reader.value(start, 0)
    end = reader.skip(end)
    if end != len(text):
        raise JsonSyntaxError(f"extra data after the JSON value: {text[end:end + 10]!r}", end)
    return value, reader.duplicates
