"""Post rules: what no single post can check alone, reported with file and line.

Two posts with one slug, two spellings of a tag that share a URL, a post folder
without its index.md: Pelican either warns without a position, overwrites a page,
or silently publishes the folder's files. Each is an error here.
"""

from __future__ import annotations

from pelican import signals

from .rules import check_articles


def register() -> None:
    signals.article_generator_finalized.connect(check_articles)
