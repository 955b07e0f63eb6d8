"""LNT003's engine: validate a view's document against its JSON Schema, deepest error first.

jsonschema is slow to import, so it is imported on first use only (DESIGN.md § Performance).
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

from .findings import Violation
from .located import LMap, is_unknown, loc_of
from .views import View


@cache
def _validator(schema_name: str) -> Any:
    import jsonschema

    text = resources.files("eks_net_lint.schemas").joinpath(schema_name).read_text("utf-8")
    schema = json.loads(text)
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def _deepest(errors: list[Any]) -> list[Any]:
    """One error per failing branch: the deepest path of each, in path order."""
    out = []
    for err in errors:
        if err.context:  # anyOf/oneOf: report the deepest sub-error
            inner = max(err.context, key=lambda e: len(e.absolute_path))
            if len(inner.absolute_path) > len(err.absolute_path):
                err = inner
        out.append(err)
    return out


def _located(data: LMap, path: list[Any]) -> Any:
    """The location of the deepest existing element of ``path``."""
    while path:
        found = loc_of(data, *path)
        if found is not None:
            return found
        path = path[:-1]
    return data.loc()


def schema_violations(view: View) -> Iterator[Violation]:
    schema_name = getattr(view, "schema_name", None)
    if not schema_name:
        return
    validator = _validator(schema_name)
    errors = [e for e in validator.iter_errors(view.data) if not is_unknown(e.instance)]
    for err in sorted(_deepest(errors), key=lambda e: [str(p) for p in e.absolute_path]):
        if is_unknown(err.instance):
            continue
        path = list(err.absolute_path)
        dotted = ".".join(str(p) for p in path) or "(document)"
        message = err.message if len(err.message) < 160 else err.message[:157] + "..."
        if err.validator == "additionalProperties" and isinstance(err.instance, LMap):
            extra = sorted(str(k) for k in err.instance if k not in err.schema.get("properties", {}))
            loc = err.instance.key_loc(extra[0]) if extra else _located(view.data, path)
            message = f"unknown key {', '.join(extra)}"
            dotted = ".".join([*map(str, path), extra[0]]) if extra else dotted
        elif err.validator == "pattern" and "x-enum-ci" in err.schema:  # an enum eksctl reads in any case
            loc = _located(view.data, path)
            message = f"{err.instance!r} is not one of {', '.join(err.schema['x-enum-ci'])} (any letter case)"
        else:
            loc = _located(view.data, path)
        yield Violation(
            f"{view.sig}: {dotted}: {message}",
            loc,
            "Give the field the type and shape the schema expects.",
        )


