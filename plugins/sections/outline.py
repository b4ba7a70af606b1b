"""The headings of a post, read from its HTML: anchor links on them, and the table of
contents the theme shows beside a long post.

Python-Markdown's ``toc`` extension (in ``MARKDOWN``) has already given every heading
its ``id``; this only reads them.  A post is long enough for a table of contents when
it has at least ``SECTIONS_MIN_HEADINGS`` h2 headings and ``SECTIONS_MIN_WORDS`` words
(code included); shorter posts fit in a screen or two and get none.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from pelican.contents import Article

MIN_HEADINGS = 3
MIN_WORDS = 1000
HEADING = re.compile(r'<h(?P<level>[23]) id="(?P<id>[^"]+)">(?P<inner>.*?)</h(?P=level)>', re.DOTALL)
TAG = re.compile(r"<[^>]+>")
LINK = re.compile(r"</?a\b[^>]*>")


@dataclass
class Section:
    """One h2 of the post, with the h3 headings under it."""

    id: str
    html: str  # the heading's inner HTML, links removed (the entry is a link itself)
    subsections: list[Section] = field(default_factory=list)


def outline(content: str) -> tuple[str, list[Section]]:
    """The content with an anchor link in every h2 and h3, and its sections in order."""
    sections: list[Section] = []

    def anchored(match: re.Match) -> str:
        level, ident, inner = match["level"], match["id"], match["inner"]
        entry = Section(ident, LINK.sub("", inner))
        if level == "2" or not sections:
            sections.append(entry)
        else:
            sections[-1].subsections.append(entry)
        name = html.escape(" ".join(html.unescape(TAG.sub("", inner)).split()), quote=True)
        return (f'<h{level} id="{ident}">{inner}<a class="heading-anchor" href="#{ident}" '
                f'aria-label="Link to the section {name}" data-pagefind-ignore>#</a></h{level}>')

    return HEADING.sub(anchored, content), sections


def word_count(content: str) -> int:
    return len(html.unescape(TAG.sub(" ", content)).split())


def outline_article(content) -> None:
    """content_object_init: anchor the headings of a post, and give a long post its
    table of contents as ``sections`` (empty for a short one)."""
    if not isinstance(content, Article) or not getattr(content, "_content", None):
        return
    settings = content.settings
    text, sections = outline(content._content)
    content._content = text
    long_enough = (len(sections) >= settings.get("SECTIONS_MIN_HEADINGS", MIN_HEADINGS)
                   and word_count(text) >= settings.get("SECTIONS_MIN_WORDS", MIN_WORDS))
    content.sections = sections if long_enough else []
