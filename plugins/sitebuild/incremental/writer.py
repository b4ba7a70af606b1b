"""Pelican's writer, taught to skip pages whose inputs did not change and to hand every
page it writes to the search indexer, installed through the ``get_writer`` signal.

A build that starts from a previous output tree (hard-linked into the staging folder)
passes the digests of that tree's pages (``PageLedger``); a page whose digest is the
same is neither rendered nor written.  Every other page is written to a new file, so
the previous tree, which shares the unchanged files, is never modified.

Private Pelican API: ``Writer._open_w`` (every page and feed is opened there).
``check_pelican_internals`` names what changed if Pelican changes it; the build then
fails, and a test runs the same check.
"""

from __future__ import annotations

import inspect
import os
from dataclasses import dataclass, field
from pathlib import Path

from pelican import signals
from pelican.contents import Content
from pelican.writers import Writer

from ..search import SearchIndexer, glob_matches
from .fingerprints import PageFingerprints
from .ledger import PageLedger

PRIVATE_OPEN = "_open_w"


def check_pelican_internals() -> list[str]:
    """What the incremental writer needs of Pelican's private API and did not find."""
    method = getattr(Writer, PRIVATE_OPEN, None)
    if method is None:
        return [f"pelican.writers.Writer.{PRIVATE_OPEN} is gone"]
    parameters = list(inspect.signature(method).parameters)
    if parameters != ["self", "filename", "encoding", "override"]:
        return [f"pelican.writers.Writer.{PRIVATE_OPEN} takes {parameters}, "
                "expected ['self', 'filename', 'encoding', 'override']"]
    if PRIVATE_OPEN not in inspect.getsource(Writer.write_file):
        return [f"pelican.writers.Writer.write_file no longer opens pages with {PRIVATE_OPEN}"]
    return []


def check_shortcut_internals() -> list[str]:
    """What the live shortcut (live/shortcut.py) needs of Pelican's private API and did not find."""
    from pelican.cache import FileDataCacher  # noqa: PLC0415

    missing = []
    for name in ("get_content", "get_summary"):
        if not isinstance(getattr(getattr(Content, name), "cache", None), dict):
            missing.append(f"pelican.contents.Content.{name} is no longer memoized with a .cache")
    if "self._cache" not in inspect.getsource(FileDataCacher.get_cached_data):
        missing.append("pelican.cache.FileDataCacher no longer keeps its data in ._cache")
    return missing


@dataclass
class BuildSession:
    """The state of the build in progress, read by the writer and the static receiver."""

    staging: Path
    previous: PageLedger | None  # None: a full build, every page rendered
    indexer: SearchIndexer | None
    search_glob: str
    ledger: PageLedger = field(default_factory=PageLedger)
    written: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    statics: set[str] = field(default_factory=set)
    fingerprints: PageFingerprints | None = None
    track: bool = True  # compute page digests (only builds that a later one starts from)

    def __post_init__(self) -> None:
        memo = self.previous.facts_memo if self.previous else {}
        self.ledger.facts_memo = memo
        self.fingerprints = PageFingerprints(memo)

    def searchable(self, name: str) -> bool:
        return glob_matches(self.search_glob, name)

    def page_written(self, name: str, html: str) -> None:
        """A searchable page was written: keep its HTML and hand it to the indexer."""
        self.written.append(name)
        if self.track:  # a later build re-indexes from these; a one-off build needs none
            self.ledger.html[name] = html
        if self.indexer is not None:
            self.indexer.add(name, html)

    def page_kept(self, name: str) -> None:
        self.kept.append(name)
        if self.searchable(name):
            html = self.previous.html.get(name) if self.previous else None
            if html is None:
                html = (self.staging / name).read_text(encoding="utf-8")
            self.ledger.html[name] = html
            if self.indexer is not None:
                self.indexer.add(name, html)


ACTIVE: list[BuildSession] = []  # the build_site call in progress, if any


class CapturingFile:
    """A text file that also keeps what was written, to index it without reading it back."""

    def __init__(self, handle, on_close) -> None:
        self._handle, self._on_close, self._parts = handle, on_close, []

    def write(self, text: str) -> int:
        self._parts.append(text)
        return self._handle.write(text)

    def __getattr__(self, name: str):
        return getattr(self._handle, name)  # flush, encoding... as the real file has them

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._handle.close()
        self._on_close("".join(self._parts))


class IncrementalWriter(Writer):
    """Skips unchanged pages; writes changed ones to fresh files; feeds the indexer."""

    def write_file(self, name, template, context, relative_urls=False, paginated=None,
                   template_name=None, override_output=False, url=None, **kwargs):
        session = ACTIVE[-1]
        if name and session.track:
            key = session.fingerprints.page(name, getattr(template, "name", ""), context, kwargs)
            session.ledger.pages[name] = key
            previous = session.previous
            if previous and previous.pages.get(name) == key and \
                    (session.staging / name).is_file():
                session.page_kept(name)
                return None
        return super().write_file(name, template, context, relative_urls, paginated,
                                  template_name, override_output, url, **kwargs)

    def _open_w(self, filename, encoding, override=False):
        session = ACTIVE[-1]
        if filename != os.devnull and os.path.lexists(filename):
            os.unlink(filename)  # a hard link into the previous tree: never write through it
        handle = super()._open_w(filename, encoding, override)
        if filename == os.devnull:
            return handle
        name = Path(filename).relative_to(session.staging).as_posix()
        if not session.searchable(name):  # feeds and the like: no need to keep their text
            session.written.append(name)
            return handle
        return CapturingFile(handle, lambda text: session.page_written(name, text))


def writer_for_active_build(pelican):
    """get_writer receiver: our writer while build_site runs, Pelican's otherwise."""
    return IncrementalWriter if ACTIVE else None


def unlink_outdated_statics(generator) -> None:
    """static_generator_finalized receiver: a static file Pelican will copy is unlinked
    first (same test as Pelican's STATIC_CHECK_IF_MODIFIED), so the copy never writes
    through a hard link into the previous tree."""
    if not ACTIVE:
        return
    session = ACTIVE[-1]
    for static in generator.staticfiles:
        session.statics.add(static.save_as)
        target = session.staging / static.save_as
        if session.previous is None or not target.exists():
            continue
        source = Path(generator.path) / static.source_path
        if source.stat().st_mtime - target.stat().st_mtime > 0.000001:
            target.unlink()


def forget_rendered(content) -> None:
    """Drop Pelican's memoized HTML of ``content`` (keyed by the object, kept forever)."""
    for name in ("get_content", "get_summary"):
        cache = getattr(Content, name).cache
        for key in [key for key in cache if key and key[0] is content]:
            del cache[key]


def forget_all_rendered() -> None:
    """Drop every memoized HTML: a long-lived process would keep each build's posts."""
    for name in ("get_content", "get_summary"):
        getattr(Content, name).cache.clear()


def register() -> None:
    signals.get_writer.connect(writer_for_active_build)
    signals.static_generator_finalized.connect(unlink_outdated_statics)
