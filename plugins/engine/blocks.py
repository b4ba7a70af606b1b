"""Where a post's fenced blocks and inline code spans are, from a real Markdown parse.

A line scanner of our own disagreed with Markdown: it missed fences nested in list
items and blockquotes and took fences inside HTML comments.  markdown-it-py parses
the block structure with line maps, so a fence is a sample exactly where Markdown
sees a code block.  The reader checks afterwards that Python-Markdown (which
renders the page) put every sample where this parse found it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt

# A line that an author meant as a sample fence: a fence marker, then an attribute
# block naming file=, run= or exec.
LOOKS_LIKE_SAMPLE = re.compile(r"(`{3,}|~{3,})[^`\n]*\{[^}\n]*\b(file=|run=|exec\b)")


@dataclass(frozen=True)
class Fence:
    """A fenced code block: 1-based opening and closing lines, as Markdown sees it."""

    line: int
    end_line: int
    prefix: str  # container text before the fence marker: indentation, "> "
    markup: str  # the fence marker, e.g. ``` or ~~~~
    info: str
    body: str
    closed: bool
    containers: tuple[str, ...] = ()  # HTML elements around it: "li", "blockquote"


@dataclass(frozen=True)
class CodeSpan:
    """An inline code span in prose, with the line it starts on."""

    line: int
    content: str
    markup: str  # the backticks around it


@dataclass(frozen=True)
class ProseValue:
    """Text in prose, outside code spans, that starts an inline value: ``{=`` up to the
    next ``}`` on its line (``\\{=`` is a literal and is not listed)."""

    line: int
    text: str


@dataclass(frozen=True)
class BlockScan:
    fences: list[Fence]
    spans: list[CodeSpan]
    loose_sample_lines: list[int]  # look like sample fences, but Markdown reads them otherwise
    prose_values: list[ProseValue] = field(default_factory=list)


# CommonMark code spans: a run of backticks, closed by a run of the same length.
CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`).*?(?<!`)\1(?!`)", re.DOTALL)
# ``{=`` not escaped with a backslash, up to the ``}`` that closes it on its line (a ``}``
# inside /REGEX/ does not), or up to where it cannot be read: an error at its line.
PROSE_VALUE = re.compile(r"(?<!\\)\{=(?:/(?:[^/\\\n]|\\.)*/|[^}\n/])*\}?")

_PARSER = MarkdownIt("commonmark")
CONTAINERS = {"list_item_open": "li", "blockquote_open": "blockquote"}


def scan_blocks(text: str) -> BlockScan:
    """Fences and code spans of ``text``; lines in HTML comments and indented code are inert."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    fences: list[Fence] = []
    spans: list[CodeSpan] = []
    prose: list[ProseValue] = []
    inert: set[int] = set()  # 0-based lines Markdown does not read as prose
    open_containers: list[str] = []
    for token in _PARSER.parse(text):
        if token.type in CONTAINERS:
            open_containers.append(CONTAINERS[token.type])
        elif token.type.replace("_close", "_open") in CONTAINERS and open_containers:
            open_containers.pop()
        if token.map is None:
            continue
        start, end = token.map
        if token.type == "fence":
            fences.append(_fence(token, lines, start, end, tuple(open_containers)))
            inert.update(range(start, end))
        elif token.type in ("code_block", "html_block"):
            inert.update(range(start, end))
        elif token.type == "inline":
            spans.extend(_spans(token, lines, start, end))
            prose.extend(_prose_values(token.content, start))
    loose = [number + 1 for number, line in enumerate(lines)
             if number not in inert and LOOKS_LIKE_SAMPLE.search(line)]
    return BlockScan(fences, spans, loose, prose)


def _prose_values(content: str, start: int) -> list[ProseValue]:
    """Inline values written in prose without backticks, from an inline token's raw text
    (escapes still in it, container prefixes gone, one line per source line)."""
    found = []
    for match in PROSE_VALUE.finditer(CODE_SPAN.sub(_blank, content)):
        found.append(ProseValue(start + content.count("\n", 0, match.start()) + 1, match[0]))
    return found


def _blank(match: re.Match) -> str:
    """A code span's text replaced by spaces, newlines kept (its values are read as spans)."""
    return re.sub(r"[^\n]", " ", match[0])


def _fence(token, lines: list[str], start: int, end: int, containers: tuple[str, ...]) -> Fence:
    opening = lines[start]
    prefix = opening[: opening.find(token.markup)]
    last = lines[end - 1] if end - 1 > start else ""
    closing = last[len(prefix):].strip() if last.startswith(prefix) else last.lstrip("> ").strip()
    closed = end - 1 > start and set(closing) == {token.markup[0]} and len(closing) >= len(token.markup)
    return Fence(start + 1, end, prefix, token.markup, token.info, token.content.rstrip("\n"),
                 closed, containers)


def _spans(token, lines: list[str], start: int, end: int) -> list[CodeSpan]:
    found = []
    cursor = start
    for child in token.children or ():
        if child.type in ("softbreak", "hardbreak"):
            cursor = min(cursor + 1, end - 1)
        elif child.type == "code_inline":
            # A span may itself wrap lines; find where its first word is, from the cursor on.
            head = child.content.split(" ", 1)[0]
            number = next((n for n in range(cursor, end) if head in lines[n]), cursor)
            found.append(CodeSpan(number + 1, child.content, child.markup))
            cursor = number + child.content.count("\n")
    return found
