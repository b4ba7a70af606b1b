"""The live loop's path for an edit that changes what lists show: a post's lead, title,
tags or date, a new post folder, a deleted one.

A new Pelican run would build every Article again (from the content cache: each post's
HTML unpickled, its Article made, every plugin's per-post work done again) to change one.
Instead, the last clean build's generators (``PageLedger.generators``) list the posts
again: Pelican's own ``generate_context`` runs on them, answered from the kept Articles
for every post whose folder did not change, so only the changed posts are read.  Tags,
categories, dates, period archives and the shared context are rebuilt by Pelican's code,
as a cold build builds them; the static files are listed again (a new post brings its
samples); then every generator writes through the incremental writer, which renders only
the pages whose digests changed.  All of it runs inside ``build_site`` (``generate=``):
the lock, the staging folder, the link check, the prune and the swap are the build's.

Pages, the theme, settings or a generator this module does not know: None, and the loop
runs a Pelican build.  A failed re-listing leaves the generators half updated, so the loop
drops them (``LiveSite.rebuild``) and the next edit runs a Pelican build.

Pelican names this relies on (listed and checked in plugins/upstream.py): the attributes
``ArticlesGenerator.__init__`` starts empty (``ARTICLES_GENERATOR_STATE``), and
``get_cached_data`` as the one place ``generate_context`` asks for a post before reading it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import chain
from pathlib import Path

from pelican import signals
from pelican.generators import ArticlesGenerator, PagesGenerator, StaticGenerator, TemplatePagesGenerator
from upstream import ARTICLES_GENERATOR_STATE

from ..build.staged import Generate, staging_folder
from ..incremental.ledger import PageLedger
from ..incremental.writer import BuildSession

# The generators a re-listing knows how to bring up to date (Pelican's own, as this
# site's settings make them); any other (a plugin's) means a Pelican build.
KNOWN_GENERATORS = (ArticlesGenerator, PagesGenerator, TemplatePagesGenerator, StaticGenerator)
ARTICLE_LISTS = ("articles", "translations", "hidden_articles", "hidden_translations",
                 "drafts", "drafts_translations")


def every_article(articles: ArticlesGenerator) -> list:
    """Published, hidden and draft articles, with their translations."""
    return list(chain.from_iterable(getattr(articles, name) for name in ARTICLE_LISTS))


def relisting(ledger: PageLedger | None, output: Path, changed: list[Path],
              only_modified: bool = False) -> Generate | None:
    """What re-lists the kept generators after ``changed`` paths (files or post folders,
    modified, added or deleted) under the article paths, or None when the edit needs a
    Pelican build.  ``only_modified``: no file was added, so no file a disabled reader
    would have read (``check_disabled_readers``) can have appeared."""
    if ledger is None or not ledger.generators or not changed:
        return None
    generators = ledger.generators
    if any(type(generator) not in KNOWN_GENERATORS for generator in generators) or \
            any(Path(generator.output_path) != staging_folder(output) for generator in generators):
        return None
    articles = next((g for g in generators if isinstance(g, ArticlesGenerator)), None)
    statics = next((g for g in generators if isinstance(g, StaticGenerator)), None)
    pages = [g for g in generators if isinstance(g, PagesGenerator)]
    if articles is None or statics is None or len(pages) != 1:
        return None
    content = Path(articles.path)
    settings = articles.settings
    article_roots = [content / path for path in settings["ARTICLE_PATHS"]]
    page_roots = [content / path for path in settings["PAGE_PATHS"]]
    if not all(_inside(path, article_roots) and not _inside(path, page_roots) and
               path != content for path in changed):
        return None

    def generate(session: BuildSession, _settings: dict) -> None:
        kept = {article.source_path: article for article in every_article(articles)
                if not _touched(Path(article.source_path).parent, changed)}
        settings["STATIC_CHECK_IF_MODIFIED"] = True  # the staging folder holds the last tree
        _forget_listing(articles, pages[0], statics)
        with session.listening(None), _answering_from(articles, kept):
            articles.generate_context()
            statics.generate_context()
            if not only_modified:  # as Pelican.run does: a warning per file no reader reads
                articles.check_disabled_readers()
                statics.check_disabled_readers()
            signals.all_generators_finalized.send(generators)
            for generator in generators:  # as Pelican.run does, between context and output
                if hasattr(generator, "refresh_metadata_intersite_links"):
                    generator.refresh_metadata_intersite_links()
            writer = session.writer_class()(str(session.staging), settings=settings)
            for generator in generators:
                generator.generate_output(writer)

    return generate


def _inside(path: Path, roots: list[Path]) -> bool:
    return any(root in path.parents for root in roots)


def _touched(folder: Path, changed: list[Path]) -> bool:
    """Whether a change is in a post's ``folder``, is the folder, or holds it."""
    return any(path == folder or folder in path.parents or path in folder.parents
               for path in changed)


def _forget_listing(articles: ArticlesGenerator, pages: PagesGenerator,
                    statics: StaticGenerator) -> None:
    """Empty what ``generate_context`` of the articles and the static files fills, as a
    new generator starts: their lists, groups and entries in the shared context."""
    context = articles.context
    listed = {id(article) for article in every_article(articles)}
    for location in [location for location, content in context["generated_content"].items()
                     if id(content) in listed]:
        del context["generated_content"][location]
    context["static_content"] = {}
    context["static_links"] = set().union(*(page.get_static_links() for page in chain(
        pages.pages, pages.hidden_pages, pages.draft_pages, pages.translations,
        pages.hidden_translations, pages.draft_translations)))
    for name, empty in ARTICLES_GENERATOR_STATE.items():
        setattr(articles, name, empty())
    statics.staticfiles = []


@contextmanager
def _answering_from(articles: ArticlesGenerator, kept: dict) -> Iterator[None]:
    """While the block runs, ``generate_context`` gets the kept Article of every post not
    changed instead of reading it, and stores no cache (the readers' cache on disk is
    stamped per file: a later process reads the changed posts again)."""
    base = articles.path

    def kept_article(path: str, default=None):
        return kept.get(os.path.join(base, path), default)

    def nothing() -> None:
        return None

    articles.get_cached_data = kept_article
    articles.save_cache = articles.readers.save_cache = nothing
    try:
        yield
    finally:
        for owner, name in ((articles, "get_cached_data"), (articles, "save_cache"),
                            (articles.readers, "save_cache")):
            owner.__dict__.pop(name, None)
