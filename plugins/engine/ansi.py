"""What a terminal shows of an output: ANSI colours as classed HTML, nothing else raw.

SGR sequences (colours, bold, underline, …) are decoded by rich's ``AnsiDecoder``
into styles, and each style becomes CSS classes (``ansi-red``, ``ansi-bg-blue``,
``ansi-bold``) that the theme colours for both schemes: 256 and true colours are
brought to the nearest of the 16 standard ones.  Every other escape sequence (cursor
moves, erasing, window titles) and control character is removed first, so no raw
ESC reaches the page; a carriage return keeps what follows it, as a terminal would
show the line.  The output is split on newlines only, so line N here is line N of
the recorded output (what ``output=`` counts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

from rich.ansi import AnsiDecoder
from rich.color import Color, ColorSystem, ColorType
from rich.style import Style
from rich.text import Text

COLOUR_NAMES = ("black", "red", "green", "yellow", "blue", "magenta", "cyan", "white")
SGR = re.compile(r"(\x1b\[[0-9;:]*m)")  # split on it, the sequences kept
# Escape sequences that are not SGR: other CSI, OSC (ended by BEL or ST), the rest.
OTHER_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
                           r"|\x1b[P^_X][^\x1b]*(?:\x1b\\)?|\x1b[ -/]*[0-~]?")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f]")  # ESC and \t, \n, \r stay


@dataclass(frozen=True)
class TerminalLine:
    """One line of output: its text as shown, and its HTML (escaped, classed spans)."""

    plain: str
    html: str


def terminal_lines(output: str) -> list[TerminalLine]:
    """The output's lines as a terminal shows them (a final newline ends the last line;
    it does not start another)."""
    lines = output.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    decoder = AnsiDecoder()  # one decoder: a colour set on one line holds on the next
    return [_line(decoder, line) for line in lines]


def _line(decoder: AnsiDecoder, line: str) -> TerminalLine:
    line = line.removesuffix("\r")
    if "\x1b" not in line and "\r" not in line:
        line = CONTROL.sub("", line)
        return TerminalLine(line, escape(line, quote=False))
    # SGR sequences (odd pieces) stay for the decoder; every other escape and control goes.
    pieces = SGR.split(line)
    pieces[::2] = [CONTROL.sub("", OTHER_ESCAPES.sub("", piece).replace("\x1b", ""))
                   for piece in pieces[::2]]
    text = decoder.decode_line("".join(pieces))
    return TerminalLine(text.plain, text_html(text))


def text_html(text: Text) -> str:
    """Escaped HTML of a rich Text: one span per run of equal classes."""
    plain = text.plain
    cuts = sorted({0, len(plain), *(s.start for s in text.spans), *(s.end for s in text.spans)})
    pieces: list[tuple[str, str]] = []
    for start, end in zip(cuts, cuts[1:]):
        style = Style.combine([Style.null()] + [
            span.style if isinstance(span.style, Style) else Style.parse(span.style)
            for span in text.spans if span.start <= start and end <= span.end])
        classes = " ".join(style_classes(style))
        if pieces and pieces[-1][0] == classes:
            pieces[-1] = (classes, pieces[-1][1] + plain[start:end])
        else:
            pieces.append((classes, plain[start:end]))
    return "".join(f'<span class="{classes}">{escape(part, quote=False)}</span>' if classes
                   else escape(part, quote=False) for classes, part in pieces)


def style_classes(style: Style) -> list[str]:
    """The CSS classes of a style: attributes, then foreground and background colours."""
    classes = [f"ansi-{name}" for name in ("bold", "dim", "italic", "underline", "strike", "reverse")
               if getattr(style, name)]
    if style.color is not None and style.color.type != ColorType.DEFAULT:
        classes.append(f"ansi-{_colour_name(style.color)}")
    if style.bgcolor is not None and style.bgcolor.type != ColorType.DEFAULT:
        classes.append(f"ansi-bg-{_colour_name(style.bgcolor)}")
    return classes


def _colour_name(colour: Color) -> str:
    number = colour.downgrade(ColorSystem.STANDARD).number or 0
    return ("bright-" if number >= 8 else "") + COLOUR_NAMES[number % 8]
