"""The located loader: positions, bounds, tags, JSON edge cases, embedded configs."""
from __future__ import annotations

import pytest

from eks_net_lint.load import Limits, SourceFile, load_text, nesting_overflow, parse_embedded
from eks_net_lint.located import LMap, Unknown, is_unknown, text_of


def load(text: str, fmt: str = "yaml", **limits: int) -> SourceFile:
    source = SourceFile("f." + ("json" if fmt == "json" else "yaml"), format=fmt)
    load_text(source, text, Limits(**limits))
    return source


def test_positions_are_one_based_for_keys_values_and_items() -> None:
    data = load("a: 1\nb:\n  - x\n  - {c: d}\n").documents[0].data
    assert (data.key_loc("a").line, data.key_loc("a").col) == (1, 1)
    assert (data.loc("a").line, data.loc("a").col) == (1, 4)
    assert (data["b"].loc(1).line, data["b"].loc(1).col) == (4, 5)
    assert data["b"][1].loc("c").col == 9


def test_multi_document_and_empty_documents() -> None:
    source = load("---\na: 1\n---\n---\nb: 2\n")
    assert [d.data for d in source.documents] == [{"a": 1}, {"b": 2}]


def test_yaml_11_scalars_and_unknown_tags() -> None:
    data = load("t: true\ny: yes\nn: ~\ni: 0x1F\ns: '010'\nref: !Ref Vpc\nsub: !Sub '${A}-b'\n").documents[0].data
    assert data["t"] is True and data["y"] is True and data["n"] is None and data["i"] == 31 and data["s"] == "010"
    assert isinstance(data["ref"], Unknown) and data["ref"].tag == "!Ref"
    assert is_unknown(data["sub"]) and text_of(data["ref"]) is None


@pytest.mark.parametrize("value", ["${SUBNET}", "{{ .Values.subnet }}", "__MTU__", "pre-${X}-post"])
def test_templates_are_unknown(value: str) -> None:
    assert is_unknown(value)


def test_duplicate_keys_are_reported_with_the_first_as_related() -> None:
    source = load("a: 1\nb: 2\na: 3\n")
    (problem,) = source.problems
    assert problem.rule == "LNT004" and problem.location.line == 3 and problem.related[0].location.line == 1
    assert source.documents[0].data["a"] == 3


def test_merge_keys_keep_explicit_values() -> None:
    data = load("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n").documents[0].data
    assert data["m"] == {"x": 1, "y": 3}


def test_alias_bomb_is_bounded() -> None:
    text = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    for i in range(8):
        text += f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n"
    source = load(text)
    assert [p.rule for p in source.problems] == ["LNT002"] and "10000" in source.problems[0].message


def test_recursive_alias_is_bounded() -> None:
    source = load("a: &a [*a]\n")
    assert source.problems and source.problems[0].rule in ("LNT001", "LNT002")


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, "- " * 100_000 + "x", "{a: " * 600 + "1" + "}" * 600])
def test_deep_nesting_is_refused_before_parsing(text: str) -> None:
    assert nesting_overflow(text, 500) is not None
    source = load(text)
    assert [p.rule for p in source.problems] == ["LNT002"]


def test_nesting_within_the_limit_is_read() -> None:
    assert not load("x: " + "[" * 400 + "]" * 400).problems


def test_syntax_error_position() -> None:
    (problem,) = load("a: [b\nc: d\n").problems
    assert problem.rule == "LNT001" and problem.location.line == 2


def test_json_positions_tabs_and_escapes() -> None:
    source = load('{\n\t"a": "x\\/y",\n\t"b": [1, 2.5, true, null]\n}', fmt="json")
    data = source.documents[0].data
    assert data["a"] == "x/y" and data["b"] == [1, 2.5, True, None]
    assert (data.loc("b").line, data.loc("b").col) == (3, 7)


@pytest.mark.parametrize(
    ("text", "line", "col"),
    [('{"a": 1,}', 1, 9), ('{"a" 1}', 1, 6), ("[1, 2", 1, 6), ('{"a": 1} x', 1, 10), ("", 1, 1), ("{'a': 1}", 1, 2)],
)
def test_json_errors_are_located(text: str, line: int, col: int) -> None:
    (problem,) = load(text, fmt="json").problems
    assert (problem.rule, problem.location.line, problem.location.col) == ("LNT001", line, col)


def test_embedded_json_in_literal_block_maps_exactly() -> None:
    source = load('cv: |\n  {\n    "env": {"A": "1"}\n  }\n')
    data = source.documents[0].data
    value, problems = parse_embedded(data["cv"], source, data.val_pos["cv"], data.style("cv"), Limits())
    assert not problems and isinstance(value, LMap)
    assert (value["env"].loc("A").line, value["env"].loc("A").col) == (3, 18)


def test_embedded_yaml_error_is_located_in_the_file() -> None:
    source = load("cv: |\n  env:\n    A: [1\n")
    data = source.documents[0].data
    value, problems = parse_embedded(data["cv"], source, data.val_pos["cv"], data.style("cv"), Limits())
    assert value is None and problems[0].rule == "LNT005" and problems[0].location.line >= 3


def test_embedded_in_quoted_scalar_points_at_the_string() -> None:
    source = load('cv: \'{"env": {"A": 1,}}\'\n')
    data = source.documents[0].data
    value, problems = parse_embedded(data["cv"], source, data.val_pos["cv"], data.style("cv"), Limits())
    assert value is None and (problems[0].location.line, problems[0].location.col) == (1, 5)
