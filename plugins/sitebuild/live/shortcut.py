"""The live loop's shortcut for the commonest edit: one post's prose or sample changed,
and nothing a list shows of it (title, dates, tags, summary, reading time, URL).

The last clean build's generators stay in memory (``PageLedger.generators``).  The
edited post is read again through Pelican's own ``Readers.read_file`` (so stale
samples run, as in any build); if its listing facts are unchanged, the old Article
takes the new one's state and only its page is rendered, by Pelican's own
``generate_articles`` with a writer that skips every other post, into a side folder,
then moved into the served tree with ``os.replace`` (atomic: a reader never sees half
a page).  Anything else (a new or deleted file, a changed title, feeds on, a warning
while reading, a link of the new page that does not resolve) returns None and the live loop
runs the incremental build instead; a read that logs a problem writes nothing, so the last
good page stays served.

Private Pelican API (listed and checked in plugins/upstream.py): ``FileDataCacher._cache``
(to read the edited file again), an Article's ``__dict__`` (the old Article takes the new
one's state) and the memoized HTML of ``Content.get_content`` / ``get_summary``.
"""

from __future__ import annotations

import copy
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from engine.errors import PostRejected
from pelican import signals
from pelican.generators import ArticlesGenerator, StaticGenerator

from ..build.links import post_link_problems
from ..build.report import collecting_problems
from ..incremental.ledger import PageLedger, persist
from ..incremental.writer import BuildSession, forget_rendered


@dataclass
class HotResult:
    written: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems


def _generators(ledger: PageLedger):
    articles = next((g for g in ledger.generators if isinstance(g, ArticlesGenerator)), None)
    statics = next((g for g in ledger.generators if isinstance(g, StaticGenerator)), None)
    return articles, statics


def one_post_view(articles: ArticlesGenerator, article, output_path: str | None = None):
    """The articles generator as if the site had one post: what plugins hooked on the
    generator's signals (article_generator_finalized, article_writer_finalized) see."""
    view = copy.copy(articles)
    view.articles, view.drafts, view.translations = [article], [], []
    view.hidden_articles, view.hidden_translations = [], []
    if output_path is not None:
        view.output_path = output_path
    return view


def feeds_on(settings: dict) -> bool:
    return any(value for key, value in settings.items() if "FEED_" in key and
               key.endswith(("_ATOM", "_RSS")))


def hot_rebuild(ledger: PageLedger, output: Path, modified: list[Path]) -> HotResult | None:
    """Rewrite one post's page after ``modified`` files of its folder changed, or None
    when the edit needs the incremental build."""
    started = time.perf_counter()
    if not ledger.generators or not modified:
        return None
    articles, statics = _generators(ledger)
    folders = {path.parent for path in modified}
    if articles is None or statics is None or len(folders) != 1 or feeds_on(articles.settings):
        return None
    folder = folders.pop()
    old = next((a for a in articles.articles if Path(a.source_path).parent == folder), None)
    if old is None or not all(path.is_file() for path in modified):
        return None
    static_by_source = {str(Path(articles.path) / s.source_path): s for s in statics.staticfiles}
    others = [path for path in modified if path != Path(old.source_path)]
    if any(str(path) not in static_by_source for path in others):
        return None  # a file the last build did not copy: let the full machinery decide
    new = None
    with collecting_problems() as collector:
        try:
            articles.readers._cache.pop(old.source_path, None)
            new = articles.readers.read_file(
                base_path=articles.path, path=os.path.relpath(old.source_path, articles.path),
                content_class=type(old), context=articles.context,
                preread_signal=signals.article_generator_preread, preread_sender=articles,
                context_signal=signals.article_generator_context, context_sender=articles)
            if new is not None:  # plugins finish the post as they finish a whole build's posts
                signals.article_generator_finalized.send(one_post_view(articles, new))
        except PostRejected as err:  # the reader logged every reason, with its position
            if not collector.problems:
                collector.problems.append(f"ERROR: could not process {err}")
        except Exception as err:  # as Pelican does: a post that cannot be read is a problem
            collector.problems.append(f"ERROR: could not process {old.source_path}: {err}")
    if collector.problems or new is None:
        return HotResult(problems=collector.problems, seconds=time.perf_counter() - started)
    fingerprints = ledger.fingerprints
    before = fingerprints.facts(old)
    after = fingerprints.reread_facts(new)
    forget_rendered(new)
    if after != before or new.save_as != old.save_as or \
            new.template != old.template or new.get_static_links() != old.get_static_links():
        return None  # old keeps its facts: the tree served still shows them
    forget_rendered(old)
    old.__dict__.clear()
    old.__dict__.update(new.__dict__)
    fingerprints.adopt(old, after)
    return _write(ledger, output, old, articles, [static_by_source[str(p)] for p in others],
                  started)


def _write(ledger: PageLedger, output: Path, article, articles, changed_statics,
           started: float) -> HotResult | None:
    side = output.parent / f".{output.name}.hot-{os.getpid()}"
    shutil.rmtree(side, ignore_errors=True)
    session = BuildSession(side, None, None, ledger.search_glob)
    session.ledger, session.fingerprints = ledger, ledger.fingerprints
    writer = session.writer_class()(str(side), settings=articles.settings)

    def only_this_post(name, template, context, **kwargs):
        if kwargs.get("article") is article:  # as Pelican's generate_pages calls the writer
            writer.write_file(name, template, context,
                              relative_urls=articles.settings["RELATIVE_URLS"], **kwargs)

    articles.generate_articles(only_this_post)
    signals.article_writer_finalized.send(one_post_view(articles, article, str(side)),
                                          writer=writer)
    for static in changed_statics:
        target = side / static.save_as
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(Path(articles.path) / static.source_path, target)
    written = sorted(path.relative_to(side).as_posix() for path in side.rglob("*")
                     if path.is_file())  # the page, changed statics, what plugins wrote
    if post_link_problems(side, written, ledger.generators, articles.settings, site=output):
        # A link that does not resolve: the incremental build renders the page again (its
        # ledger entry goes) and reports the link at its line, keeping the last good site.
        for name in written:
            ledger.pages.pop(name, None)
            ledger.files.pop(name, None)
        shutil.rmtree(side, ignore_errors=True)
        return None
    for name in written:
        (output / name).parent.mkdir(parents=True, exist_ok=True)
        os.replace(side / name, output / name)
    shutil.rmtree(side, ignore_errors=True)
    persist(ledger)  # a later process must not take the old page for the new one
    return HotResult(written=written, seconds=time.perf_counter() - started)
