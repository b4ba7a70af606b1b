"""Sections: a post's map.  Every h2 and h3 of a post gets an anchor link a reader can
copy, and a long post gets its table of contents (``article.sections``) for the theme."""

from __future__ import annotations

from pelican import signals

from .outline import outline_article


def register() -> None:
    signals.content_object_init.connect(outline_article)
