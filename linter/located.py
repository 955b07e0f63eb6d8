"""Located values: dicts and lists that remember where each key and value sits in the file.

Scalars stay plain Python values (str, int, bool, None) so rules compare them naturally; their
positions live in the parent container. Positions are 1-based ``(line, col, end_line, end_col)``.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .findings import Location

Pos = tuple[int, int, int, int]
NO_POS: Pos = (1, 1, 1, 1)


@dataclass(frozen=True, slots=True)
class Unknown:
    """A value the file does not state: a CloudFormation intrinsic (``!Ref``) or another custom tag."""

    tag: str
    raw: Any

    def __str__(self) -> str:
        return f"{self.tag} {self.raw}"


class LMap(dict):  # type: ignore[type-arg]
    """A mapping with the positions of its keys and values."""

    __slots__ = ("path", "pos", "key_pos", "val_pos", "styles")

    def __init__(self, path: str, pos: Pos) -> None:
        super().__init__()
        self.path = path
        self.pos = pos
        self.key_pos: dict[Any, Pos] = {}
        self.val_pos: dict[Any, Pos] = {}
        self.styles: dict[Any, str] | None = None

    def loc(self, key: Any = None) -> Location:
        """Where the value of ``key`` is (or the mapping itself when key is None or absent)."""
        pos = self.val_pos.get(key, self.pos) if key is not None else self.pos
        return Location(self.path, *pos)

    def key_loc(self, key: Any) -> Location:
        return Location(self.path, *self.key_pos.get(key, self.pos))

    def style(self, key: Any) -> str:
        """The scalar style of a value: '|' or '>' for block scalars, '' otherwise."""
        return (self.styles or {}).get(key, "")


class LList(list):  # type: ignore[type-arg]
    """A sequence with the positions of its items."""

    __slots__ = ("path", "pos", "item_pos", "styles")

    def __init__(self, path: str, pos: Pos) -> None:
        super().__init__()
        self.path = path
        self.pos = pos
        self.item_pos: list[Pos] = []
        self.styles: dict[int, str] | None = None

    def loc(self, index: int | None = None) -> Location:
        if index is None or not 0 <= index < len(self.item_pos):
            return Location(self.path, *self.pos)
        return Location(self.path, *self.item_pos[index])

    def style(self, index: int) -> str:
        return (self.styles or {}).get(index, "")


def dig(value: Any, *keys: Any) -> Any:
    """Follow keys and indexes through nested values; None as soon as a step does not fit."""
    for key in keys:
        if isinstance(key, int) and isinstance(value, list):
            value = value[key] if -len(value) <= key < len(value) else None
        elif isinstance(value, dict):
            value = value.get(key)
        else:
            return None
    return value


def dig_map(value: Any, *keys: Any) -> LMap | None:
    found = dig(value, *keys)
    return found if isinstance(found, LMap) else None


def dig_list(value: Any, *keys: Any) -> LList | None:
    found = dig(value, *keys)
    return found if isinstance(found, LList) else None


def loc_of(container: Any, *keys: Any) -> Location | None:
    """The location of the value at ``keys`` (the last container's record of it)."""
    if not keys:
        return container.loc() if isinstance(container, (LMap, LList)) else None
    parent = dig(container, *keys[:-1])
    last = keys[-1]
    if isinstance(parent, LMap) and last in parent:
        return parent.loc(last)
    if isinstance(parent, LList) and isinstance(last, int):
        return parent.loc(last)
    return None


def iter_maps(value: Any) -> Iterator[LMap]:
    """The mapping items of a list (skipping anything else); nothing for a non-list."""
    if isinstance(value, list):
        for item in value:
            if isinstance(item, LMap):
                yield item


_TEMPLATE = re.compile(r"\$\{[^}]*\}|\{\{.*?\}\}|^__[A-Z0-9_]+__$|\$\([A-Z_][A-Z0-9_]*\)", re.S)


def is_unknown(value: Any) -> bool:
    """True for values that are not stated in the file: templates, intrinsics, ``__PLACEHOLDER__``.

    DESIGN.md § Inputs: an unresolved template expression is unknown, not invalid.
    """
    if isinstance(value, Unknown):
        return True
    return isinstance(value, str) and bool(_TEMPLATE.search(value))


def text_of(value: Any) -> str | None:
    """A known scalar as the string Kubernetes or ipamd would see, else None."""
    if value is None or isinstance(value, (LMap, LList, Unknown)) or is_unknown(value):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
