"""Pelican's writer, taught to skip pages whose inputs did not change and to hand every
page it writes to the search indexer, and the state of the build it writes for.

Nothing is connected at import: ``BuildSession.listening`` connects one build's receivers
(the writer through ``get_writer``, the static-file and generator receivers) for the
time that build's Pelican runs, and disconnects them after, so a plain ``pelican`` run
never meets them.

A build that starts from a previous output tree (hard-linked into the staging folder)
passes the digests of that tree's pages (``PageLedger``); a page whose digest is the
same is neither rendered nor written.  Every other page is written to a new file, so
the previous tree, which shares the unchanged files, is never modified.

Private Pelican API (listed and checked in plugins/upstream.py): ``Writer._open_w``, where
every page and feed is opened, and the memoized HTML of ``Content.get_content`` and
``get_summary``.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pelican import Pelican, signals
from pelican.contents import Content
from pelican.generators import Generator, StaticGenerator
from pelican.writers import Writer

from ..search import SearchIndexer, glob_matches
from .fingerprints import PageFingerprints
from .ledger import PageLedger


@dataclass
class BuildSession:
    """The state of one build in progress, its writer and the receivers it connects."""

    staging: Path
    previous: PageLedger | None  # None: a full build, every page rendered
    indexer: SearchIndexer | None
    search_glob: str
    ledger: PageLedger = field(default_factory=PageLedger)
    written: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    # rendered again (a digest changed) but byte for byte what the previous tree has: not
    # reported as written, so no tab reloads for a listing that shows nothing new
    unchanged: set[str] = field(default_factory=set)
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

    def writer_class(self) -> type[IncrementalWriter]:
        """The incremental writer bound to this build (Pelican's get_writer wants a class)."""
        return type("IncrementalWriter", (IncrementalWriter,), {"session": self})

    @contextmanager
    def listening(self, pelican: Pelican | None) -> Iterator[None]:
        """Connect this build's receivers while the block runs ``pelican`` (None: the live
        loop runs kept generators and makes its writer itself); disconnect after."""
        with ExitStack() as connected:
            if pelican is not None:
                connected.enter_context(signals.get_writer.connected_to(self.provide_writer,
                                                                        sender=pelican))
            connected.enter_context(signals.static_generator_finalized.connected_to(
                self.unlink_outdated_statics))
            connected.enter_context(signals.all_generators_finalized.connected_to(
                self.keep_generators))
            yield

    def provide_writer(self, pelican: Pelican) -> type[IncrementalWriter]:
        """get_writer receiver (connected for this build's Pelican only)."""
        return self.writer_class()

    def ours(self, generator: Generator) -> bool:
        """Whether ``generator`` writes into this build's staging folder (another build in
        the same process has its own session and its own receivers)."""
        return Path(generator.output_path) == self.staging

    def unlink_outdated_statics(self, generator: StaticGenerator) -> None:
        """static_generator_finalized receiver: a static file Pelican will copy is unlinked
        first (same test as Pelican's STATIC_CHECK_IF_MODIFIED), so the copy never writes
        through a hard link into the previous tree."""
        if not self.ours(generator):
            return
        for static in generator.staticfiles:
            self.statics.add(static.save_as)
            target = self.staging / static.save_as
            if self.previous is None or not target.exists():
                continue
            source = Path(generator.path) / static.source_path
            if source.stat().st_mtime - target.stat().st_mtime > 0.000001:
                target.unlink()

    def keep_generators(self, generators: list[Generator]) -> None:
        """all_generators_finalized receiver: the build's generators, for the live shortcut."""
        if generators and self.ours(generators[0]):
            self.ledger.generators = list(generators)


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
    """Skips unchanged pages; writes changed ones to fresh files; feeds the indexer.
    Used through ``BuildSession.writer_class``, which binds it to one build."""

    session: BuildSession

    def write_file(self, name, template, context, relative_urls=False, paginated=None,
                   template_name=None, override_output=False, url=None, **kwargs):
        session = self.session
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

    def write_bytes(self, name: str, data: bytes) -> None:
        """Write a file a plugin puts beside the pages (``name`` relative to the output):
        kept when the tree the build starts from holds these bytes there, else written to
        a new file (never through a hard link into that tree)."""
        session = self.session
        key = hashlib.blake2b(data, digest_size=16).hexdigest()
        session.ledger.files[name] = key
        target = session.staging / name
        previous = session.previous
        if previous is not None and previous.files.get(name) == key and target.is_file():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)
        target.write_bytes(data)

    def _open_w(self, filename, encoding, override=False):
        session = self.session
        before = None
        if filename != os.devnull and os.path.lexists(filename):
            if session.previous is not None:
                before = Path(filename).read_bytes()  # to tell a page that did not change
            os.unlink(filename)  # a hard link into the previous tree: never write through it
        handle = super()._open_w(filename, encoding, override)
        if filename == os.devnull:
            return handle
        name = Path(filename).relative_to(session.staging).as_posix()

        def compare(text: str) -> None:
            if before is not None and text.encode(encoding) == before:
                session.unchanged.add(name)

        if not session.searchable(name):  # feeds and the like: no need to keep their text
            session.written.append(name)
            return handle if before is None else CapturingFile(handle, compare)

        def closed(text: str) -> None:
            compare(text)
            session.page_written(name, text)

        return CapturingFile(handle, closed)


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
