"""The grammars of a fence: attribute blocks and line lists, on strings (with Hypothesis:
arbitrary input gives a result or a positioned SampleError, never another exception)."""

from __future__ import annotations

import pytest
from engine.errors import SampleError
from engine.grammar import parse_attributes, parse_line_list
from helpers import parse
from hypothesis import given, settings
from hypothesis import strategies as st


@pytest.mark.parametrize("spec, numbers", [
    ("3-5,8", [3, 4, 5, 8]), ("2 4-5", [2, 4, 5]), ("9-", [9, 10]), ("-2", [1, 2]),
    ("1, 3", [1, 3]),
])
def test_line_lists(spec, numbers):
    assert parse_line_list(spec, 10, "lines", "app.py", "index.md", 4) == numbers


@pytest.mark.parametrize("spec, message", [
    ("3-x", "index.md:4: lines='3-x' cannot be read at '3-x' (write numbers and ranges like "
            "lines=\"3-7,10,12-\")"),
    ("5-2", "index.md:4: lines='5-2': '5-2' ends before it starts (write the lower number first: 2-5)"),
    ("30-", "index.md:4: lines='30-': '30-' starts past the end (app.py has 10 lines) (start at a "
            "line from 1 to 10)"),
    ("0-3", "index.md:4: lines='0-3': lines are numbered from 1, and '0-3' names line 0 (the "
            "first line is 1)"),
    ("5 -8", "index.md:4: lines='5 -8' has a space between a number and a dash at '5 -' (write "
             "a range without spaces (5-12), and separate items with commas)"),
    ("3-7,5-9", "index.md:4: lines='3-7,5-9': '5-9' goes back to line 5, after line 7 (list "
                "lines in ascending order, each once (the page would show the jump without a "
                "mark); use two includes to show parts in another order)"),
    ("8,2", "index.md:4: lines='8,2': '2' goes back to line 2, after line 8 (list lines in "
            "ascending order, each once (the page would show the jump without a mark); use two "
            "includes to show parts in another order)"),
    ("11", "index.md:4: lines='11' names line 11 but app.py has 10 lines (use numbers from 1 to 10)"),
    ("", "index.md:4: lines='' names no line (write numbers and ranges like lines=\"3-7,10,12-\")"),
])
def test_line_list_errors(spec, message):
    with pytest.raises(SampleError) as caught:
        parse_line_list(spec, 10, "lines", "app.py", "index.md", 4)
    assert str(caught.value) == message


@given(st.text(max_size=40), st.integers(min_value=0, max_value=50))
def test_line_lists_give_lines_in_range_or_a_positioned_error(spec, total):
    try:
        numbers = parse_line_list(spec, total, "hl", "the snippet", "index.md", 7)
    except SampleError as err:
        assert err.line == 7 and err.path == "index.md"
    else:
        assert numbers and all(1 <= n <= total for n in numbers)
        assert numbers == sorted(set(numbers))  # ascending, each once


@given(st.text(max_size=60))
def test_attribute_blocks_give_pairs_or_a_positioned_error(text):
    try:
        attrs = parse_attributes(text, "index.md", 3)
    except SampleError as err:
        assert err.line == 3
    else:
        # What was read, written back in the documented form, reads the same again.
        assert parse_attributes(write_attributes(attrs), "index.md", 3) == attrs


def write_attributes(attrs: dict) -> str:
    """The attribute block text for ``attrs``: flags bare, values double-quoted with only
    ``\\`` and ``\"`` escaped, repeatable keys once per value."""
    parts = []
    for key, value in attrs.items():
        for one in value if isinstance(value, list) else [value]:
            escaped = str(one).replace("\\", "\\\\").replace('"', '\\"')
            parts.append(key if one is True else f'{key}="{escaped}"')
    return " ".join(parts)


@given(st.dictionaries(st.sampled_from(["run", "file", "title", "mask", "exit"]),
                       st.text(max_size=12), max_size=4))
def test_attribute_values_survive_quoting(pairs):
    attrs = {key: ([value] if key == "mask" else value) for key, value in pairs.items()}
    assert parse_attributes(write_attributes(attrs), "index.md", 3) == attrs


@settings(max_examples=300)
@given(st.lists(st.sampled_from([
    "```", "````", "~~~", "```console {run=\"echo x\"}", "```python {exec}", "print(1)",
    "```python {file=\"a.py\"", "    ```console {run=\"x\"}", "> ```sh {exec}", "> echo",
    "1. item", "- item", "<!--", "-->", "", "text `{=a /x/}`", "```console {run=\"y\" id=\"a\"}",
    "{run=", "\t```", "```python {file=\"a.py\" lines=\"1-\"}",
]), max_size=14))
def test_any_markdown_gives_samples_inside_the_file_or_a_positioned_error(lines):
    text = "\n".join(lines)
    try:
        post = parse(text)
    except SampleError as err:
        assert 1 <= err.line <= max(1, len(text.split("\n")))
    else:
        for sample in post.samples:
            assert 1 <= sample.line <= sample.end_line <= len(text.split("\n"))
