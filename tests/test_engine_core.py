"""The engine's pure core, tested on strings: no site build, no process.

parse (fences where Markdown puts them), grammar (attributes, line lists), values,
keys, masks and plan.  Hypothesis checks that the grammars meet arbitrary input
with a result or a positioned SampleError, never another exception.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from samples.errors import SampleError
from samples.grammar import parse_attributes, parse_line_list
from samples.keys import Environment, folder_digest, input_keys
from samples.parse import parse_post
from samples.plan import describe_file_changes, plan_post
from samples.samples import Exec, Include, Run
from samples.store import FreezeStore, FrozenRun, apply_masks
from samples.values import parse_value, resolve_value

SOURCE = Path("/site/content/posts/demo/index.md")


def parse(text: str):
    return parse_post(SOURCE, text, "index.md")


def error_of(text: str) -> str:
    with pytest.raises(SampleError) as caught:
        parse(text)
    return str(caught.value)


# --- where samples are -------------------------------------------------------------

def test_fences_in_list_items_and_blockquotes_are_samples_with_their_container():
    post = parse('Title: x\n\n1. Step one\n\n    ```console {run="echo a"}\n    ```\n\n'
                 '> ```console {run="echo b"}\n> ```\n')
    first, second = post.samples
    assert (type(first), first.line, first.end_line, first.prefix) == (Run, 5, 6, "    ")
    assert (type(second), second.line, second.end_line, second.prefix) == (Run, 8, 9, "> ")


def test_fences_in_html_comments_and_indented_code_are_not_samples():
    post = parse('<!--\n```console {run="rm -rf /"}\n```\n-->\n\n    ```console {run="no"}\n    ```\n')
    assert post.samples == []


def test_examples_inside_a_longer_fence_are_text():
    post = parse('````markdown\n```python {file="app.py"}\n```\n````\n')
    assert post.samples == []


def test_attr_list_braces_are_not_samples():
    assert parse("```python {.wide #intro}\nprint(1)\n```\n").samples == []


def test_unclosed_attribute_block_is_positioned():
    assert error_of('Lead.\n\n```console {run="python hello.py"\n```\n') == (
        "index.md:3: the attribute block '{run=\"python hello.py\"' is not closed (end it with })")


def test_a_sample_fence_markdown_reads_as_inline_code_is_an_error():
    assert error_of('Lead ```console {run="x"}``` inline.\n') == (
        "index.md:1: this line looks like a sample fence, but Markdown does not read it as a "
        "fenced code block here (start the fence on its own line, indented like the text of its "
        "list item (4 spaces), or inside a blockquote; in an HTML comment it is ignored)")


def test_crlf_and_positions():
    post = parse('Title: x\r\n\r\nLead.\r\n\r\n```console {run="echo hi"}\r\n```\r\n')
    assert [(s.line, s.end_line) for s in post.samples] == [(5, 6)]


def test_typed_samples_know_their_kind_key_and_description():
    post = parse('```python {file="app.py" lines="2-"}\n```\n\n```console {run="ls" id="listing" '
                 'mask="\\d+" session="s"}\n```\n\n```sh {exec}\necho 1\n```\n')
    include, run, block = post.samples
    assert isinstance(include, Include) and include.describe() == "include app.py lines=2-"
    assert isinstance(run, Run) and run.describe() == "run ls" and run.value_id == "listing"
    assert run.key_payload() == {"kind": "run", "lang": "console", "body": "",
                                 "options": {"run": "ls"}}
    assert isinstance(block, Exec) and block.command == "sh block"
    assert list(post.sessions()) == ["s", "main"]


# --- grammars ------------------------------------------------------------------------

@pytest.mark.parametrize("spec, numbers", [
    ("3-5,8", [3, 4, 5, 8]), ("2 4-5", [2, 4, 5]), ("9-", [9, 10]), ("-2", [1, 2]),
    ("1, 3", [1, 3]),
])
def test_line_lists(spec, numbers):
    assert parse_line_list(spec, 10, "lines", "app.py", "index.md", 4) == numbers


@pytest.mark.parametrize("spec, message", [
    ("3-x", "index.md:4: lines='3-x' cannot be read at '3-x' (write numbers and ranges like "
            "lines=\"3-7,10,12-\")"),
    ("5-2", "index.md:4: lines='5-2' has an empty range '5-2' (ranges are 1-based and ascending)"),
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


# --- inline values -------------------------------------------------------------------

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
        r"index.md:9: value '{=drive /workers: (\\d)/}': /workers: (\d)/ matches 2 times in the "
        r"output of 'drive' (output lines 3, 4) (make the pattern match once, or add all to show "
        r"every match)")


def test_values_name_known_ids():
    assert error_of('```console {run="echo 1" id="one"}\n```\n\nIt printed `{=two /1/}`.\n') == (
        "index.md:4: no run or exec has id='two' (ids in this post: one)")
    assert error_of('```console {run="a" id="x"}\n```\n\n```console {run="b" id="x"}\n```\n') == (
        "index.md:4: id='x' is already used at line 1 (give each run its own id)")


def test_ordinary_code_spans_are_not_values():
    assert parse("Use `{x}` and `=y` here.\n").values == []


# --- keys, masks, plan --------------------------------------------------------------

def test_keys_chain_and_ignore_masks_session_and_id():
    post_a = parse('```console {run="a"}\n```\n\n```console {run="b"}\n```\n')
    post_b = parse('```console {run="a" mask="\\d" session="main" id="z"}\n```\n\n'
                   '```console {run="b"}\n```\n')
    post_c = parse('```console {run="A"}\n```\n\n```console {run="b"}\n```\n')
    keys = [input_keys(p.sessions()["main"], "folder") for p in (post_a, post_b, post_c)]
    assert keys[0] == keys[1]
    assert keys[0][0] != keys[2][0] and keys[0][1] != keys[2][1]  # the change travels down the chain
    assert input_keys(post_a.sessions()["main"], "other folder") != keys[0]


def test_masks_blank_what_varies():
    assert apply_masks("port 4711 up\n", (r"\d+",)) == "port … up\n"


def test_file_changes_are_named():
    assert describe_file_changes({"a.py": "1", "b.py": "2"}, {"a.py": "9", "c.py": "3"}) == (
        "a.py changed, c.py added, b.py removed")


def _plan(text, runs, files, python="3.11.7", pins=None, stored_files=None):
    post = parse(text)
    store = FreezeStore(Path("/nonexistent/store.json"))
    store.runs, store.files = runs, stored_files if stored_files is not None else files
    return plan_post(post, store, files, Environment(python, pins or {}, "lock1", ("req.txt",)))


def _record(key, python="3.11.2", deps=None, lock=None):
    return FrozenRun(key, "main", "python app.py", "out\n", 0, 0.1, "2026-12-01", python, {},
                     deps, lock)


def test_plan_fresh_across_python_patch_releases_and_unrelated_pins():
    text = '```console {run="python app.py"}\n```\n'
    files = {"app.py": "abc"}
    (key,) = input_keys(parse(text).sessions()["main"], folder_digest(files))
    plan = _plan(text, [_record(key, deps={"flask": "3.1.3"})], files,
                 pins={"flask": "3.1.3", "requests": "9.9"})
    assert [s.stale_reason for s in plan.sessions] == [None]


@pytest.mark.parametrize("change, reason", [
    ({"pins": {"flask": "3.1.4"}}, "flask 3.1.3 → 3.1.4 (line 1)"),
    ({"python": "3.12.1"}, "Python 3.11 → 3.12 (line 1)"),
    ({"files": {"app.py": "new"}}, "app.py changed"),
])
def test_plan_says_why_a_session_is_stale(change, reason):
    text = '```console {run="python app.py"}\n```\n'
    files = {"app.py": "abc"}
    (key,) = input_keys(parse(text).sessions()["main"], folder_digest(files))
    arguments = {"pins": {"flask": "3.1.3"}, "files": files, **change}
    plan = _plan(text, [_record(key, deps={"flask": "3.1.3"})], arguments.pop("files"),
                 stored_files=files, **arguments)
    assert plan.sessions[0].stale_reason == reason


def test_plan_falls_back_to_the_whole_lock_without_an_import_record():
    text = '```console {run="python app.py"}\n```\n'
    files = {"app.py": "abc"}
    (key,) = input_keys(parse(text).sessions()["main"], folder_digest(files))
    fresh = _plan(text, [_record(key, lock="lock1")], files)
    stale = _plan(text, [_record(key, lock="lock0")], files)
    assert fresh.sessions[0].fresh
    assert stale.sessions[0].stale_reason == (
        "req.txt changed and the run's imports were not recorded (line 1)")


def test_plan_names_a_changed_sample():
    files = {"app.py": "abc"}
    before = parse('```console {run="python app.py"}\n```\n')
    keys = input_keys(before.sessions()["main"], folder_digest(files))
    plan = _plan('Prose.\n\n```console {run="python app.py --fast"}\n```\n',
                 [_record(keys[0], deps={})], files)
    assert plan.sessions[0].stale_reason == "the sample at line 3 changed"


def test_two_sessions_that_start_alike_find_their_own_records():
    text = ('```console {run="echo a" session="one"}\n```\n\n'
            '```console {run="echo a" session="two"}\n```\n')
    files = {"app.py": "abc"}
    sessions = parse(text).sessions()
    (key_one,) = input_keys(sessions["one"], folder_digest(files))
    (key_two,) = input_keys(sessions["two"], folder_digest(files))
    assert key_one == key_two
    runs = [FrozenRun(key_one, name, "echo a", f"{name}\n", 0, 0.1, "2026-12-01", "3.11.7", {}, {})
            for name in ("one", "two")]
    plan = _plan(text, runs, files)
    assert [(s.name, s.fresh, s.records[0].output) for s in plan.sessions] == [
        ("one", True, "one\n"), ("two", True, "two\n")]
