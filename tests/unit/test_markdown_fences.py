"""Where samples are: fences as Markdown sees them, with their positions and kinds."""

from __future__ import annotations

from engine.model import Exec, Include, Run
from helpers import error_of, parse


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
