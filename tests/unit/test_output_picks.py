"""output= on strings: its grammar, the lines it picks, and the terminal it renders (the
chosen lines, one marker per elided stretch, the whole output behind a disclosure)."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from engine.errors import SampleError
from engine.grammar import parse_output_picks
from engine.render import render_sample
from engine.select import select_output
from engine.store import FrozenRun
from helpers import error_of, parse
from hypothesis import given
from hypothesis import strategies as st

NUMBERS = [str(n) for n in range(1, 41)]  # an output of 40 lines: 1 … 40


def run_with(output: str, command: str = "seq 1 40"):
    (sample,) = parse(f'```console {{run="{command}" output="{output}"}}\n```\n').samples
    return sample


def record(output: str, exit_status: int = 0) -> FrozenRun:
    return FrozenRun("k", "main", "cmd", output, exit_status, 0.1, "2026-12-01", "3.11.2")


@pytest.mark.parametrize("spec, shown", [
    ("3-5, 8", [3, 4, 5, 8]),
    ("38-", [38, 39, 40]),
    ("head:2", [1, 2]),
    ("tail:3", [38, 39, 40]),
    ("/^2\\d$/", list(range(20, 30))),
    ("/^15$/±1", [14, 15, 16]),
    ("/^15$/+-2", [13, 14, 15, 16, 17]),
    ("/^15$/-2", [13, 14, 15]),
    ("/^15$/+1", [15, 16]),
    ("/^15$/-1+2", [14, 15, 16, 17]),
    ("/^1$/±3", [1, 2, 3, 4]),  # context stops at the edges
    ("tail:1 head:1 /^1$/", [1, 40]),  # output order, each line once
])
def test_picks_select_lines_of_the_output(spec, shown):
    assert select_output(run_with(spec), NUMBERS) == shown


def test_a_pattern_may_hold_commas_spaces_and_an_escaped_slash():
    picks = parse_output_picks(r"/a, b\/c/±1, 2", "index.md", 3)
    assert [(p.kind, p.pattern, p.before, p.after) for p in picks] == [
        ("match", "a, b/c", 1, 1), ("lines", "", 0, 0)]


@pytest.mark.parametrize("spec, message", [
    ("-3", "output='-3' is ambiguous at '-3': in lines= it means lines 1-3, but it reads like the "
           "last 3 (write head:3 for the first 3 lines or tail:3 for the last 3)"),
    ("first:3", "output='first:3' cannot be read at 'first:3' (write line numbers and ranges "
                "(3-7, 12-), head:N, tail:N or /REGEX/ with ±N lines around each match, separated "
                'by commas, e.g. output="head:3, /error/±1, tail:2")'),
    ("/abc", "output='/abc': the pattern '/abc' is not closed (end it with /, and write a / "
             "inside it as \\/)"),
    ("/(/", "output='/(/': /(/ is not a valid regular expression: missing ), unterminated "
            "subpattern at position 0 (check the brackets and escapes)"),
    ("head:0", "output='head:0': head:0 shows no line (give a count from 1)"),
    ("5-2", "output='5-2': '5-2' ends before it starts (write the lower number first: 2-5)"),
    ("0-3", "output='0-3': lines are numbered from 1, and '0-3' names line 0 (the first line is 1)"),
    ("/\\d+ (ms/", "output='/\\d+ (ms/': /\\d+ (ms/ is not a valid regular expression: "
                   "missing ), unterminated subpattern at position 4 (check the brackets and "
                   "escapes)"),
    ("/x/±", "output='/x/±' cannot be read at '/x/±' (write line numbers and ranges (3-7, 12-), "
             "head:N, tail:N or /REGEX/ with ±N lines around each match, separated by commas, "
             'e.g. output="head:3, /error/±1, tail:2")'),
])
def test_unreadable_or_ambiguous_picks_are_positioned_errors(spec, message):
    text = f'Lead.\n\n```console {{run="seq 1 40" output="{spec}"}}\n```\n'
    assert error_of(text) == f"index.md:3: {message}"


@pytest.mark.parametrize("spec, message", [
    ("41", "output='41' names line 41 but the output has 40 lines (use numbers from 1 to 40)"),
    ("tail:50", "output='tail:50': tail:50 asks for 50 lines but the output has 40 lines (show "
                "fewer, or drop output= to show it whole)"),
    ("/^x$/", "output='/^x$/': /^x$/ matches no line of the output (the output has 40 lines) "
              "(check the pattern against the recorded output)"),
])
def test_picks_the_output_does_not_have_are_positioned_errors(spec, message):
    with pytest.raises(SampleError) as caught:
        select_output(run_with(spec), NUMBERS)
    assert str(caught.value) == f"index.md:1: {message}"


@given(st.text(max_size=30))
def test_any_output_spec_gives_picks_or_a_positioned_error(spec):
    try:
        picks = parse_output_picks(spec, "index.md", 9)
    except SampleError as err:
        assert (err.path, err.line) == ("index.md", 9)
    else:
        assert picks and all(pick.kind in ("lines", "head", "tail", "match") for pick in picks)


def test_the_terminal_shows_the_chosen_lines_with_one_marker_per_elided_stretch():
    html = render_sample(run_with("head:2, /^20$/, tail:1"), record("\n".join(NUMBERS) + "\n"))
    page = BeautifulSoup(html, "html.parser")
    shown = page.select_one("pre > code > .output")
    assert shown.get_text() == "1\n2\n… 17 lines …\n20\n… 19 lines …\n40\n"
    assert [m.get_text() for m in shown.select(".elided")] == ["… 17 lines …", "… 19 lines …"]
    whole = page.select_one("details.whole-output")
    assert whole.summary.get_text() == "The whole output (40 lines)"
    assert whole.select_one(".output").get_text() == "\n".join(NUMBERS) + "\n"


def test_a_single_elided_line_is_one_line_and_a_pick_of_everything_has_no_disclosure():
    html = render_sample(run_with("1, 3"), record("a\nb\nc\n"))
    assert "… 1 line …" in html
    html = render_sample(run_with("head:3"), record("a\nb\nc\n"))
    assert "<details" not in html and "elided" not in html
