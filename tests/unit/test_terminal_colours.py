"""ANSI output on strings: colours become classes, nothing raw reaches the page, and the
theme's colours for those classes read on the terminal's background in both schemes."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT
from engine.ansi import terminal_lines
from hypothesis import given
from hypothesis import strategies as st

ESC = "\x1b"
CSS = (ROOT / "theme/static/css/site.css").read_text()


def html_of(output: str) -> list[str]:
    return [line.html for line in terminal_lines(output)]


def test_sgr_colours_and_attributes_become_classes():
    assert html_of(f"{ESC}[31mred{ESC}[0m and {ESC}[1;4;32mbold green{ESC}[0m <ok>\n") == [
        '<span class="ansi-red">red</span> and '
        '<span class="ansi-bold ansi-underline ansi-green">bold green</span> &lt;ok&gt;']


def test_backgrounds_256_and_true_colours_map_to_the_standard_sixteen():
    assert html_of(f"{ESC}[97;41mX{ESC}[0m {ESC}[38;5;208mo{ESC}[0m {ESC}[38;2;10;200;30mg{ESC}[0m") == [
        '<span class="ansi-bright-white ansi-bg-red">X</span> <span class="ansi-bright-red">o</span> '
        '<span class="ansi-green">g</span>']


def test_a_colour_holds_across_lines_until_reset():
    assert html_of(f"{ESC}[33mone\ntwo{ESC}[0m\nthree\n") == [
        '<span class="ansi-yellow">one</span>', '<span class="ansi-yellow">two</span>', "three"]


def test_other_escapes_and_controls_are_removed():
    output = (f"{ESC}]0;window title\x07a{ESC}[2K{ESC}[?25lb{ESC}(B{ESC}=c\x07\x08d"
              f"{ESC}]8;;http://x{ESC}\\link{ESC}]8;;{ESC}\\\n")
    assert [line.plain for line in terminal_lines(output)] == ["abcdlink"]


def test_a_carriage_return_keeps_what_a_terminal_shows_and_crlf_is_a_line_end():
    assert [line.plain for line in terminal_lines("10%\r100%\nok\r\n")] == ["100%", "ok"]


def test_plain_output_is_only_escaped():
    assert html_of("a < b & c\n\ttabbed\n") == ["a &lt; b &amp; c", "\ttabbed"]


@given(st.text(alphabet=st.sampled_from(["\x1b", "[", "]", "m", "1", ";", "3", "\x07", "\r",
                                         "\n", "a", "<", "\\", "(", "K", "?"]), max_size=60))
def test_no_escape_or_control_character_ever_reaches_the_html(output):
    for line in html_of(output):
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", line), repr(line)


# Contrast (WCAG 2): every colour class against the terminal's background in both schemes.
def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    red, green, blue = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(one: str, other: str) -> float:
    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def variable(name: str) -> list[str]:
    """The values of a CSS custom property: light scheme, then dark."""
    return re.findall(rf"--{name}:\s*(#[0-9a-f]{{6}})", CSS)


RULES = {match[1]: dict(re.findall(r"(color|background):\s*(#[0-9a-f]{6})", match[2]))
         for match in re.finditer(r"\.ansi-([\w-]+)\s*\{([^}]*)\}", CSS)}


def test_every_colour_has_a_rule():
    names = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]
    for name in names + [f"bright-{n}" for n in names]:
        assert "color" in RULES[name], name
        assert "background" in RULES[f"bg-{name}"], f"bg-{name}"


@pytest.mark.parametrize("terminal", variable("term-bg"))
def test_colour_classes_pass_aa_contrast_on_the_terminal(terminal):
    foregrounds = variable("term-fg")
    assert len(variable("term-bg")) == 2 and len(foregrounds) == 2
    for name, rule in RULES.items():
        if "background" in rule:  # a background, with its own text colour or the terminal's
            for text in [rule["color"]] if "color" in rule else foregrounds:
                assert contrast(text, rule["background"]) >= 4.5, (name, text)
        elif "color" in rule:
            assert contrast(rule["color"], terminal) >= 4.5, (name, terminal)
