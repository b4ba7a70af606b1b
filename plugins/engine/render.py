"""HTML for includes, runs and exec blocks: one renderer per kind, chosen from a table."""

from __future__ import annotations

from functools import cache
from html import escape

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
from pygments.util import ClassNotFound

from .model import Exec, Executed, Include, Run, Sample
from .select import Snippet

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


def render_code(code: str, lexer, numbers=None, highlight_lines=frozenset(), language="") -> str:
    """A source block: one span per line, optional file line numbers in a gutter."""
    rows = []
    for position, html in enumerate(code_lines(code, lexer), start=1):
        classes = "line hll" if position in highlight_lines else "line"
        gutter = f'<span class="ln" aria-hidden="true">{numbers[position - 1]}</span>' \
            if numbers else ""
        rows.append(f'<span class="{classes}">{gutter}{html}</span>')
    lang = f' data-lang="{escape(language)}"' if language else ""
    return (f'<div class="highlight source"{lang}><pre><code>' + "\n".join(rows)
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
    """The terminal block: the prompt and command (for runs), then what was printed."""
    parts = []
    if command is not None:
        parts.append(f'<span class="prompt" aria-hidden="true">$ </span>'
                     f'<span class="command">{escape(command)}</span>\n')
    output = record.output
    parts.append(f'<span class="output">{escape(output)}</span>' if output else "")
    status = ""
    if record.exit_status:
        status = f'<p class="exit-status">exit status {record.exit_status}</p>'
    note = (f'<p class="verified">verified {escape(record.verified)} · Python '
            f'{escape(".".join(record.python.split(".")[:2]))}</p>')
    label = "Command and output" if command is not None else "Output"
    return (f'<div class="terminal" role="group" aria-label="{label}"><pre class="console"><code>'
            + "".join(parts) + f"</code></pre>{status}{note}</div>")


def render_run(run: Run, record) -> str:
    return f'<figure class="sample sample-run">{render_output(run, record, run.command)}</figure>'


def render_exec(block: Exec, record) -> str:
    lexer = lexer_for(block)
    code = render_code(block.body, lexer, language=lexer.name)
    return f'<figure class="sample sample-exec">{code}{render_output(block, record, None)}</figure>'


RENDERERS = {"include": render_include, "run": render_run, "exec": render_exec}


def render_sample(sample: Sample, shown) -> str:
    """The figure readers see: ``shown`` is the Snippet of an include, the record of a run
    or exec."""
    return RENDERERS[sample.kind](sample, shown)
