"""HTML for includes, runs and exec blocks: one renderer per kind, chosen from a table."""

from __future__ import annotations

import re
from functools import cache
from html import escape

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
from pygments.util import ClassNotFound

from .ansi import TerminalLine, terminal_lines
from .figures import FIGURES_FOLDER
from .grammar import parse_line_list
from .model import Exec, Executed, Include, Run, Sample
from .select import Snippet, select_output

FORMATTER = HtmlFormatter(nowrap=True)


@cache
def _lexer_named(name: str):
    return get_lexer_by_name(name)


def lexer_for(directive: Sample, filename: str | None = None):
    """The Pygments lexer the fence names (or the file name suggests)."""
    if directive.lang:
        try:
            return _lexer_named(directive.lang)
        except ClassNotFound:
            raise directive.error(f"unknown language {directive.lang!r}",
                                  "use a Pygments lexer name such as python, bash, c, diff, "
                                  "yaml, console, text") from None
    if filename:
        try:
            return get_lexer_for_filename(filename)
        except ClassNotFound:
            pass
    return _lexer_named("text")


def code_lines(code: str, lexer) -> list[str]:
    """Highlighted HTML, one entry per source line (Pygments closes spans per line)."""
    html = highlight(code, lexer, FORMATTER)
    lines = html.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def code_bar(label: str) -> str:
    """The bar above a block without a caption: its label (drawn by the theme from
    ``data-label``, so it is not part of the block's text) and room for a Copy button,
    reserved here so the page does not move when the script adds it."""
    return f'<div class="code-bar" data-label="{escape(label)}"></div>'


def render_code(code: str, lexer, numbers=None, highlight_lines=frozenset(), language="",
                bar: bool = False) -> str:
    """A source block: one span per line, optional file line numbers in a gutter, and with
    ``bar`` a bar of its own above the code (an include has its caption instead)."""
    rows = []
    for position, html in enumerate(code_lines(code, lexer), start=1):
        classes = "line hll" if position in highlight_lines else "line"
        gutter = f'<span class="ln" aria-hidden="true">{numbers[position - 1]}</span>' \
            if numbers else ""
        rows.append(f'<span class="{classes}">{gutter}{html}</span>')
    lang = f' data-lang="{escape(language)}"' if language else ""
    top = code_bar(language) if bar else ""
    return (f'<div class="highlight source"{lang}>{top}<pre><code>' + "\n".join(rows)
            + "</code></pre></div>")


def render_include(directive: Include, snippet: Snippet) -> str:
    lexer = lexer_for(directive, snippet.relpath)
    numbers = snippet.numbers if directive.attrs.get("linenos") else None
    code = render_code(snippet.text, lexer, numbers, snippet.highlight, lexer.name)
    href = escape(snippet.relpath, quote=True)
    caption = (f'<figcaption class="sample-caption"><a href="{href}" download '
               f'title="Download {href}">{escape(snippet.title)}</a></figcaption>')
    return f'<figure class="sample sample-include">{caption}{code}</figure>'


def render_output(sample: Executed, record, command: str | None) -> str:
    """The terminal block: the prompt and command (for runs), then what was printed
    (with ``output=``, the chosen lines and the whole output behind a disclosure), then
    the exit status when it is not 0.  Empty when nothing would be in it.

    Every output line is a span of its own, so the theme can wrap it with a hanging
    indent, ``hl=`` can mark it and a unified diff can colour it; ``wrap="no"`` keeps
    the lines as printed in a block that scrolls sideways and says so."""
    lines = terminal_lines(record.output)
    ended = "\n" if record.output.endswith("\n") else ""
    plain = [line.plain for line in lines]
    shown = select_output(sample, plain) if "output" in sample.attrs else None
    wraps = _wraps(sample)
    rows = _output_rows(lines, _marked_lines(sample, len(lines), shown), diff_line_kinds(plain))
    scroll = "" if wraps else ' data-scroll="sideways"'
    parts, whole = [], ""
    if command is not None:
        parts.append(f'<span class="command-line"><span class="prompt" aria-hidden="true">$ </span>'
                     f'<span class="command">{escape(command)}</span></span>\n')
        if lines:  # never displayed: search excerpts read "command → output", not one run of words
            parts.append('<span class="output-follows" hidden>→ </span>')
    if lines and (shown is None or len(shown) == len(lines)):
        parts.append(f'<span class="output"{scroll}>{_joined(rows)}{ended}</span>')
    elif lines:
        parts.append(f'<span class="output"{scroll}>{_excerpt(rows, shown)}\n</span>')
        noun = f"{len(lines)} line{'s' * (len(lines) != 1)}"
        whole = (f'<details class="whole-output"><summary>The whole output ({noun})</summary>'
                 f'<pre class="console"><code><span class="output"{scroll}>{_joined(rows)}{ended}</span>'
                 f"</code></pre></details>")
    status = ""
    if record.exit_status:
        status = f'<p class="exit-status">exit status {record.exit_status}</p>'
    if not parts and not status:
        return ""
    label = "Command and output" if command is not None else "Output"
    note = "" if wraps or not lines else \
        '<p class="wrap-note">Not wrapped: scroll sideways for whole lines</p>'
    classes = "terminal" if wraps else "terminal terminal-nowrap"
    pre = f'<pre class="console"><code>{"".join(parts)}</code></pre>' if parts else ""
    bar = code_bar("shell") if command is not None else ""
    return (f'<div class="{classes}" role="group" aria-label="{label}">{bar}{note}{pre}{whole}{status}'
            "</div>")


def _wraps(sample: Executed) -> bool:
    """Whether the output wraps (the default) or keeps its lines whole (``wrap="no"``)."""
    wrap = sample.attrs.get("wrap", "yes")
    if wrap not in ("yes", "no"):
        raise sample.error(f"wrap={wrap!r} is neither yes nor no",
                           'outputs wrap by default; write wrap="no" to keep a table\'s lines '
                           "whole (the block then scrolls sideways)")
    return wrap == "yes"


def _marked_lines(sample: Executed, total: int, shown: list[int] | None) -> frozenset[int]:
    """The output lines ``hl=`` marks, numbered as printed (as ``output=`` counts them);
    each must be one the block shows."""
    spec = sample.attrs.get("hl")
    if spec is None:
        return frozenset()
    marked = frozenset(parse_line_list(spec, total, "hl", "the output", sample.path, sample.line))
    hidden = sorted(marked - set(shown)) if shown is not None else []
    if hidden:
        raise sample.error(f"hl={spec!r} marks line {hidden[0]} of the output, which "
                           f"output={sample.attrs['output']!r} does not show",
                           "mark shown lines only, or add the line to output=")
    return marked


# How each line of a unified diff is coloured: the classes Pygments gives a diff source.
DIFF_CLASSES = {"+": "gi", "-": "gd", "@": "gu", " ": "", "\\": ""}
DIFF_HEADERS = re.compile(r"(?:diff |index |--- |\+\+\+ )")


def diff_line_kinds(lines: list[str]) -> list[str]:
    """The diff class of each output line ("" for none): the lines of every unified diff
    in the output (from its ``---``/``+++`` header through its last hunk line), so a
    ``git diff`` or ``diff -u`` reads as a diff source does, and other lines stay plain."""
    kinds = [""] * len(lines)
    number = 0
    while number < len(lines):
        if not (lines[number].startswith("--- ") and number + 2 < len(lines)
                and lines[number + 1].startswith("+++ ") and lines[number + 2].startswith("@@")):
            number += 1
            continue
        start = number
        while start > 0 and lines[start - 1].startswith(("diff ", "index ")):
            start -= 1
        for header in range(start, number + 2):
            kinds[header] = "gh"
        number += 2
        while number < len(lines) and lines[number][:1] in DIFF_CLASSES and lines[number] \
                and not DIFF_HEADERS.match(lines[number]):
            kinds[number] = DIFF_CLASSES[lines[number][0]]
            number += 1
    return kinds


def _output_rows(lines: list[TerminalLine], marked: frozenset[int], kinds: list[str]) -> list[str]:
    """One span per output line, with ``hll`` where ``hl=`` marks it and its diff class."""
    rows = []
    for number, (line, kind) in enumerate(zip(lines, kinds), start=1):
        classes = " ".join(c for c in ("line", kind, "hll" if number in marked else "") if c)
        rows.append(f'<span class="{classes}">{line.html}</span>')
    return rows


def _joined(rows: list[str]) -> str:
    return "\n".join(rows)


def _excerpt(rows: list[str], shown: list[int]) -> str:
    """The shown lines, each stretch left out marked by one line: "… 14 lines …"."""
    parts, previous = [], 0
    for number in [*shown, len(rows) + 1]:
        if number > previous + 1:
            left = number - previous - 1
            parts.append(f'<span class="line elided">… {left} line{"s" * (left != 1)} …</span>')
        if number <= len(rows):
            parts.append(rows[number - 1])
        previous = number
    return "\n".join(parts)


def render_figure(sample: Executed, record) -> str:
    """The figure a run made, from the post's figures folder, with its caption."""
    figure = record.figure
    if not sample.figure or figure is None:
        return ""
    size = "".join(f' {key}="{figure[key]}"' for key in ("width", "height") if key in figure)
    caption = sample.attrs.get("title") or sample.attrs["alt"]
    return (f'<figure class="sample sample-figure"><img src="{FIGURES_FOLDER}/{escape(figure["name"])}" '
            f'alt="{escape(sample.attrs["alt"])}"{size}>'
            f'<figcaption>{escape(caption)}</figcaption></figure>')


def render_run(run: Run, record) -> str:
    if run.hidden:
        return render_figure(run, record)
    if run.output_only:
        return _output_alone(run, record) + render_figure(run, record)
    return (f'<figure class="sample sample-run">{render_output(run, record, run.command)}</figure>'
            + render_figure(run, record))


def _output_alone(sample: Executed, record) -> str:
    """An ``output-only`` run or exec: its output box, which must hold something."""
    terminal = render_output(sample, record, None)
    if not terminal:
        run = sample.kind == "run"
        raise sample.error(f"output-only shows what this {'run' if run else 'block'} printed, and "
                           "it printed nothing (exit status 0)", "drop output-only to show the "
                           f"{'command' if run else 'code'}, or make it hidden")
    return f'<figure class="sample sample-{sample.kind} output-only">{terminal}</figure>'


def render_exec(block: Exec, record) -> str:
    if block.hidden:
        return render_figure(block, record)
    if block.output_only:
        return _output_alone(block, record) + render_figure(block, record)
    lexer = lexer_for(block)
    code = render_code(block.body, lexer, language=lexer.name, bar=True)
    return (f'<figure class="sample sample-exec">{code}{render_output(block, record, None)}</figure>'
            + render_figure(block, record))


RENDERERS = {"include": render_include, "run": render_run, "exec": render_exec}


def render_sample(sample: Sample, shown) -> str:
    """The figure readers see: ``shown`` is the Snippet of an include, the record of a run
    or exec (empty for a hidden run without a figure)."""
    return RENDERERS[sample.kind](sample, shown)
