"""Selecting what an include shows, on strings: regions, line lists, pyobject, markers
removed, patches verbatim, highlights; every problem positioned at the fence."""

from __future__ import annotations

import pytest
from engine.errors import SampleError
from engine.select import select_snippet
from helpers import parse

SOURCE = '''\
import sys


# ANCHOR: greet
def greet(name):
    """Say hello."""
    return f"hello {name}"
# ANCHOR_END: greet


class Zpark:
    @staticmethod
    def handle(event):  # ANCHOR: inner
        return event.upper()
        # ANCHOR_END: inner
'''


def include(attributes: str, file: str = "app.py"):
    return parse(f'```python {{file="{file}" {attributes}}}\n```\n').samples[0]


def shown(attributes: str, text: str = SOURCE, file: str = "app.py"):
    return select_snippet(include(attributes, file), text)


def test_a_region_shows_its_lines_dedented_without_markers():
    snippet = shown('region="greet" hl="3"')
    assert snippet.text == 'def greet(name):\n    """Say hello."""\n    return f"hello {name}"'
    assert snippet.numbers == (5, 6, 7) and snippet.highlight == frozenset({3})


def test_marker_lines_of_every_region_leave_whole_files_and_line_lists():
    assert "ANCHOR" not in shown("").text
    assert shown('lines="12-15"').numbers == (12, 14)  # 13 and 15 are markers of "inner"


def test_pyobject_takes_decorators_and_nested_names():
    snippet = shown('pyobject="Zpark.handle"')
    assert snippet.numbers == (12, 14) and snippet.text.startswith("@staticmethod")


def test_a_patch_is_shown_verbatim_and_refuses_regions():
    patch = "--- a/x.c\n+++ b/x.c\n /* ANCHOR_END: answer */\n"
    assert shown("", patch, "fix.patch").text == patch.rstrip("\n")
    with pytest.raises(SampleError, match="fix.patch is a patch, and regions are not read"):
        shown('region="answer"', patch, "fix.patch")


@pytest.mark.parametrize("attributes, message", [
    ('region="mian"', "index.md:1: no region 'mian' in app.py (regions in the file: greet, inner)"),
    ('lines="2-40"', "index.md:1: lines='2-40' names line 40 but app.py has 15 lines "
                     "(use numbers from 1 to 15)"),
    ('pyobject="Main"', "index.md:1: no function or class 'Main' in app.py (defined there: "
                        "Zpark, greet)"),
    ('region="greet" hl="4"', "index.md:1: hl='4' names line 4 but the snippet has 3 lines "
                              "(use numbers from 1 to 3)"),
])
def test_selection_problems_are_positioned_at_the_fence(attributes, message):
    with pytest.raises(SampleError) as caught:
        shown(attributes)
    assert str(caught.value) == message


def test_an_unclosed_region_names_its_opening_line():
    with pytest.raises(SampleError, match=r"region 'tail' in app.py is never closed \(ANCHOR: tail at line 16\)"):
        shown('region="greet"', SOURCE + "# ANCHOR: tail\n")
