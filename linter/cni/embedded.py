"""Exact file positions for JSON held in quoted YAML scalars (NAD ``spec.config`` written as ``'{ … }'``).

The engine's embedded-JSON helper (``ClusterContext.embedded``) locates literal block scalars
(``|``) exactly and puts every node of any other style at the scalar's start. Quoted flow
scalars can be mapped exactly too: YAML folds each line break (with the next line's leading
blanks) into one space, or into ``n`` newlines after ``n`` empty lines, and ``''`` into ``'``
(YAML 1.1 § 9.1.2–9.1.3). This module rebuilds the string from the raw file text with the
position of every character, checks it equals the parsed value, and re-parses the JSON with
those positions. Folded (``>``) and plain scalars keep the engine's positions.
"""
from __future__ import annotations

from typing import Any

from ..context import ClusterContext
from ..jsonloc import JsonSyntaxError, JsonTooDeep, parse_json
from ..located import LList, LMap, Pos
from ..views import View

_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r",
    "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029",
}
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}


def config_of(ctx: ClusterContext, view: View, container: LMap, key: Any) -> Any:
    """The parsed embedded value (as ``ctx.embedded``), with exact positions for quoted scalars."""
    value = ctx.embedded(view, container, key)
    if not isinstance(value, (LMap, LList)) or container.style(key):
        return value
    base = container.val_pos.get(key)
    text = container.get(key)
    if base is None or not isinstance(text, str) or value.pos[:2] != base[:2]:
        return value  # not a flow scalar the engine put at its start, or refined already
    positions = quoted_positions(view.doc.source.text, base)
    if positions is None or positions[0] != text:
        return value
    chars = positions[1]
    end = chars[-1] if chars else (base[0], base[1])

    def position(offset: int) -> tuple[int, int]:
        return chars[offset] if offset < len(chars) else (end[0], end[1] + 1)

    try:
        exact, _dups = parse_json(text, view.path, position)
    except (JsonSyntaxError, JsonTooDeep, RecursionError):
        return value
    _copy_positions(value, exact)
    return value


def quoted_positions(source: str, base: Pos) -> tuple[str, list[tuple[int, int]]] | None:
    """The value of the quoted scalar starting at ``base`` and each character's (line, col), or None."""
    lines = source.split("\n")
    if not 0 < base[0] <= len(lines):
        return None
    offset = sum(len(line) + 1 for line in lines[: base[0] - 1]) + base[1] - 1
    if offset >= len(source) or source[offset] not in "'\"":
        return None
    quote = source[offset]
    out: list[str] = []
    where: list[tuple[int, int]] = []
    line, col = base[0], base[1] + 1
    i = offset + 1
    while i < len(source):
        ch = source[i]
        if ch == quote:
            if quote == "'" and source.startswith("''", i):
                out.append("'")
                where.append((line, col))
                i, col = i + 2, col + 2
                continue
            return "".join(out), where
        if ch == "\n":
            i, line, col = _fold(source, i, line, col, out, where)
            continue
        if quote == '"' and ch == "\\":
            step = _escape(source, i, line, col, out, where)
            if step is None:
                return None
            i, line, col = step
            continue
        out.append(ch)
        where.append((line, col))
        i, col = i + 1, col + 1
    return None


def _fold(
    source: str, i: int, line: int, col: int, out: list[str], where: list[tuple[int, int]]
) -> tuple[int, int, int]:
    """Fold a line break inside a flow scalar; returns (index, line, col) of the next content character."""
    while out and out[-1] in " \t" and where[-1][0] == line:
        out.pop()
        where.pop()
    break_at = (line, col)
    empty = 0
    i += 1
    line += 1
    while True:
        start = i
        while i < len(source) and source[i] in " \t":
            i += 1
        if i < len(source) and source[i] == "\n":
            empty += 1
            i += 1
            line += 1
            continue
        col = i - start + 1
        break
    if empty:
        out.extend("\n" * empty)
        where.extend([break_at] * empty)
    else:
        out.append(" ")
        where.append(break_at)
    return i, line, col


def _escape(source: str, i: int, line: int, col: int, out: list[str], where: list[tuple[int, int]]) -> tuple[int, int, int] | None:
    nxt = source[i + 1] if i + 1 < len(source) else ""
    if nxt == "\n":  # an escaped line break joins the lines without a space
        i += 2
        line += 1
        start = i
        while i < len(source) and source[i] in " \t":
            i += 1
        return i, line, i - start + 1
    if nxt in _ESCAPES:
        out.append(_ESCAPES[nxt])
        where.append((line, col))
        return i + 2, line, col + 2
    if nxt in _HEX_ESCAPES:
        width = _HEX_ESCAPES[nxt]
        digits = source[i + 2 : i + 2 + width]
        try:
            out.append(chr(int(digits, 16)))
        except ValueError:
            return None
        where.append((line, col))
        return i + 2 + width, line, col + 2 + width
    return None


def _copy_positions(target: Any, source: Any) -> None:
    """Copy positions from a re-parse of the same JSON onto the cached located value."""
    stack = [(target, source)]
    while stack:
        dst, src = stack.pop()
        if isinstance(dst, LMap) and isinstance(src, LMap):
            dst.pos = src.pos
            dst.key_pos = dict(src.key_pos)
            dst.val_pos = dict(src.val_pos)
            stack.extend((dst[k], src[k]) for k in dst if k in src)
        elif isinstance(dst, LList) and isinstance(src, LList):
            dst.pos = src.pos
            dst.item_pos = list(src.item_pos)
            stack.extend(zip(dst, src))
