"""Inline values: ``{=NAME /REGEX/}`` in prose, read and resolved against outputs."""

from __future__ import annotations

import pytest
from engine.errors import SampleError
from engine.values import parse_value, resolve_value
from helpers import error_of, parse

OUTPUT = "requests: 2000\nholes: 17\nworkers: 3\nworkers: 1\n"


@pytest.mark.parametrize("span, text", [
    ("{=drive /holes: (\\d+)/}", "17"),
    ("{=drive /^holes/}", "holes: 17"),
    ("{=drive /workers: (\\d)/ all}", "3, 1"),
    ("{=drive /requests: (\\d+)\\/?/}", "2000"),
])
def test_values_resolve_against_output(span, text):
    value = parse_value(span, "index.md", 9)
    assert resolve_value(value, OUTPUT) == text


@pytest.mark.parametrize("span, message", [
    ("{=drive holes}", "index.md:9: cannot read the inline value '{=drive holes}' (write "
                       "`{=NAME /REGEX/}` or `{=NAME /REGEX/ all}`, with NAME the id= of a run)"),
    ("{=drive /x/ many}", "index.md:9: unknown flag 'many' in '{=drive /x/ many}' (the only flag "
                          "is all, for several matches)"),
    ("{=drive /(x/}", "index.md:9: the pattern of value '{=drive /(x/}' is not a valid regular "
                      "expression: missing ), unterminated subpattern at position 0 (check the "
                      "brackets and escapes)"),
    ("{=9x /x/}", "index.md:9: '9x' in '{=9x /x/}' is not a run's id (write `{=NAME /REGEX/}` or "
                  "`{=NAME /REGEX/ all}`, with NAME the id= of a run)"),
])
def test_value_syntax_errors(span, message):
    with pytest.raises(SampleError) as caught:
        parse_value(span, "index.md", 9)
    assert str(caught.value) == message


def test_value_matching_errors():
    none = parse_value("{=drive /lost: (\\d+)/}", "index.md", 9)
    with pytest.raises(SampleError, match=r"index.md:9: value .* matches nothing in the output of 'drive'"):
        resolve_value(none, OUTPUT)
    several = parse_value("{=drive /workers: (\\d)/}", "index.md", 9)
    with pytest.raises(SampleError) as caught:
        resolve_value(several, OUTPUT)
    assert str(caught.value) == (
        r"index.md:9: value '{=drive /workers: (\d)/}': /workers: (\d)/ matches 2 times in the "
        r"output of 'drive' (output lines 3, 4) (make the pattern match once, or add all to show "
        r"every match)")


def test_values_name_known_ids():
    assert error_of('```console {run="echo 1" id="one"}\n```\n\nIt printed `{=two /1/}`.\n') == (
        "index.md:4: no run or exec has id='two' (ids in this post: one)")
    assert error_of('```console {run="a" id="x"}\n```\n\n```console {run="b" id="x"}\n```\n') == (
        "index.md:4: id='x' is already used at line 1 (give each run its own id)")


def test_ordinary_code_spans_are_not_values():
    assert parse("Use `{x}` and `=y` here.\n").values == []


def test_values_in_prose_without_backticks_are_values_too():
    post = parse('```console {run="echo 1" id="one"}\n```\n\nIt printed {=one /(\\d)/} and '
                 '`{=one /1/}`;\n- in a list: {=one /1/ all}\n\nA literal \\{=one /x/} stays text.\n')
    assert [(v.line, v.span, v.in_code) for v in post.values] == [
        (4, "{=one /1/}", True), (4, "{=one /(\\d)/}", False), (5, "{=one /1/ all}", False)]


def test_a_prose_value_with_a_brace_in_its_pattern_is_read_whole():
    post = parse('```console {run="echo 11" id="one"}\n```\n\nIt is {=one /(1{2})/}.\n')
    assert [v.pattern for v in post.values] == ["(1{2})"]


def test_an_unreadable_value_in_prose_is_a_positioned_error_saying_how_to_write_a_literal():
    assert error_of('```console {run="echo 1" id="one"}\n```\n\nSet x to {=one}.\n') == (
        "index.md:4: cannot read the inline value '{=one}' (write `{=NAME /REGEX/}` or "
        "`{=NAME /REGEX/ all}`, with NAME the id= of a run; for a literal {= in prose, write \\{=)")
