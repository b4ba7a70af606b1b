"""Sources linked: a post that names an RFC, a manual page or a project's documentation
links it, so a reader can check the claim at its source.

Read from each post's prose, outside samples (a command's output may quote an RFC) and
code spans (unless the span is a manual page and nothing else):
``RFC 8555``, a manual page as ``useradd(8)``, and "Python's logging documentation" or
"logrotate's own manual".  A source is linked when one of its mentions shares its
paragraph (or list item, table cell, heading) with a link whose address or text names it
(the number, the page's name, the project or subject); later mentions need no link of
their own.  Each unlinked source is reported once, at the line of its first mention.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

SAMPLES = re.compile(r"<figure\b.*?</figure>|<pre\b.*?</pre>", re.DOTALL)
BLOCK_END = re.compile(r"</(?:p|li|td|th|dd|dt|h[1-6]|blockquote|figcaption)>")
LINK = re.compile(r'<a\b[^>]*\bhref="(?P<href>[^"]*)"[^>]*>(?P<text>.*?)</a>', re.DOTALL)
TAG = re.compile(r"<[^>]+>")
RFC = re.compile(r"\bRFC[\s\u00a0-]?(?P<number>\d{3,5})\b")
MANUAL_PAGE = re.compile(r"(?<![\w.])(?P<name>[a-z][a-z0-9_.+-]*)\((?P<section>[1-9][a-z]{0,3})\)")
CODE = re.compile(r"<code>(.*?)</code>", re.DOTALL)
# "it's manual", "that's documentation": contractions, not a project's document.
CONTRACTIONS = {"it", "that", "this", "there", "here", "what", "who", "let", "he", "she", "one"}
DOCUMENT = re.compile(r"\b(?P<owner>[A-Za-z][\w.+-]*)['’]s\s+(?:own\s+)?(?:(?P<subject>[a-z][\w.+-]*)\s+)?"
                      r"(?P<kind>documentation|docs|manual page|man page|manual)\b")


@dataclass(frozen=True)
class Source:
    """One source a post names: what it is called and the words a link to it would hold."""

    name: str  # as messages show it: "RFC 8555", "useradd(8)", "Python's logging documentation"
    keys: tuple[str, ...]  # any of them in a link's address or text makes the mention linked
    pattern: str  # finds its first mention in the Markdown source
    hint: str


def mentions(text: str) -> list[Source]:
    """The sources named in a piece of prose, in order."""
    found: list[tuple[int, Source]] = []
    for match in RFC.finditer(text):
        number = match["number"]
        found.append((match.start(), Source(
            f"RFC {number}", (number,), rf"RFC[\s-]?{number}\b",
            f"link it, e.g. [RFC {number}](https://www.rfc-editor.org/rfc/rfc{number})")))
    for match in MANUAL_PAGE.finditer(text):
        name, section = match["name"], match["section"]
        found.append((match.start(), Source(
            f"{name}({section})", (name,), re.escape(f"{name}({section})"),
            f"link it to the manual page, e.g. https://manpages.debian.org/{name}.{section}")))
    for match in DOCUMENT.finditer(text):
        owner, subject, kind = match["owner"], match["subject"], match["kind"]
        if owner.lower() in CONTRACTIONS:
            continue
        words = " ".join(w for w in (subject, kind) if w)
        keys = tuple(k.lower() for k in (subject, owner) if k)
        found.append((match.start(), Source(
            f"{owner}'s {words}", keys,
            rf"{re.escape(owner)}['’]s\s+(?:own\s+)?" + (rf"{re.escape(subject)}\s+" if subject else "")
            + re.escape(kind).replace(r"\ ", r"\s+"),
            "link the document it names")))
    return [source for _, source in sorted(found, key=lambda pair: pair[0])]


def unlinked_sources(content: str) -> list[Source]:
    """The sources a post's HTML names and never links, each once, in order of mention."""
    named: dict[str, Source] = {}
    linked: set[str] = set()
    for block in BLOCK_END.split(SAMPLES.sub(" ", content)):
        links = [(m["href"].lower(), html.unescape(TAG.sub("", m["text"])).lower())
                 for m in LINK.finditer(block)]
        for source in mentions(html.unescape(TAG.sub("", CODE.sub(_code_span, block)))):
            named.setdefault(source.name, source)
            if any(key.lower() in href or key.lower() in text for href, text in links for key in source.keys):
                linked.add(source.name)
    return [source for name, source in named.items() if name not in linked]


def first_line(markdown: str, source: Source) -> int:
    """The 1-based line of the source's first mention in the post's Markdown, else 1."""
    match = re.search(source.pattern, markdown)
    return markdown.count("\n", 0, match.start()) + 1 if match else 1


def _code_span(match: re.Match) -> str:
    """A code span is prose to this rule only when it is a manual page, as `useradd(8)`;
    any other code (``print(1) + 2``) is left out."""
    return match[1] if MANUAL_PAGE.fullmatch(html.unescape(match[1])) else " "
