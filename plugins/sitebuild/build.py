"""Build a Pelican site into a staging folder and swap it in only when clean.

A full build renders every page into an empty staging folder.  An incremental build
(``previous``: the ledger of the current output tree) starts from hard links to that
tree and renders only the pages whose inputs changed (writer.py); either way the
current tree is replaced only by a clean build, in two renames, and never modified.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pelican import Pelican
from pelican.settings import read_settings

from .hotpath import check_pelican_internals as hotpath_internals
from .hotpath import forget_all_rendered
from .ledger import PageLedger, load_ledger, save_ledger
from .search import SearchIndexer
from .search import check_pagefind_internals as pagefind_internals
from .writer import ACTIVE, BuildSession
from .writer import check_pelican_internals as writer_internals

SEARCH_FOLDER = "pagefind"


@dataclass
class BuildReport:
    """What a build produced: the output folder, every problem it logged, what it wrote."""

    output: Path
    problems: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    ledger: PageLedger | None = None
    seconds: float = 0.0
    discard: Path | None = None  # the replaced tree, when its removal was left to the caller
    search_service_mib: float = 0.0  # peak RSS of the Pagefind service process

    @property
    def ok(self) -> bool:
        return not self.problems


class ProblemCollector(logging.Handler):
    """Remembers every warning and error logged by Pelican or a plugin."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.problems: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None and \
                str(record.exc_info[1]) not in message:
            message += f": {record.exc_info[1]}"
        self.problems.append(f"{record.levelname}: {message}")


def tree_identity(folder: Path) -> tuple[int, ...] | None:
    """(device, inode, change time) of an output folder: every build renames a new folder
    into place, so a ledger made for one tree is never applied to a tree another build
    wrote (even one that got the same inode back)."""
    try:
        stat = folder.stat()
    except FileNotFoundError:
        return None
    return (stat.st_dev, stat.st_ino, stat.st_ctime_ns)


def link_tree(source: Path, target: Path, skip: set[str]) -> None:
    """Hard-link every file of ``source`` into ``target`` (top-level names in ``skip`` left out)."""
    for folder, dirs, files in os.walk(source):
        relative = os.path.relpath(folder, source)
        if relative == ".":
            dirs[:] = [name for name in dirs if name not in skip]
            files = [name for name in files if name not in skip]
        destination = target if relative == "." else target / relative
        destination.mkdir(parents=True, exist_ok=True)
        for name in files:
            os.link(os.path.join(folder, name), destination / name)


def prune(staging: Path, produced: set[str], keep_prefixes: tuple[str, ...]) -> None:
    """Remove linked files this build did not produce (a deleted post's page, an old tag)."""
    for folder, _, files in os.walk(staging, topdown=False):
        relative = os.path.relpath(folder, staging)
        for name in files:
            path = name if relative == "." else f"{relative}/{name}"
            if path not in produced and not path.startswith(keep_prefixes):
                os.unlink(os.path.join(folder, name))
        if relative != "." and not os.listdir(folder):
            os.rmdir(folder)


def build_site(settings_file: str | os.PathLike | None, output: str | os.PathLike,
               override: dict | None = None,
               checks: Callable[[Path, dict], list[str]] | None = None,
               previous: PageLedger | None = None, search: str = "now",
               keep_replaced: bool = False) -> BuildReport:
    """Build with ``settings_file`` (plus ``override``) into ``output``.

    The site is written to a staging folder beside ``output``; only a build that
    logged no warning and no error, whose Pagefind index was built and which passed
    ``checks(staging, settings)`` (if given) replaces ``output``, in two renames.
    ``previous`` (the ledger of the last good build of ``output``) makes the build
    incremental; builds with the content cache on keep a ledger for the next one, in
    memory (``report.ledger``) and in CACHE_PATH (read when ``previous`` is not given).
    ``search``: "now" indexes the pages while they are written; "later" keeps the
    previous index and leaves ``report.ledger.html`` for ``refresh_search``;
    "off" writes no index.  ``keep_replaced``: leave the replaced tree for the caller to
    remove (``report.discard``), so a live loop can signal the reload first.
    """
    started = time.perf_counter()
    output = Path(output).resolve()
    staging = output.parent / f".{output.name}.staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    settings = read_settings(
        str(settings_file) if settings_file else None,
        override={**(override or {}), "OUTPUT_PATH": str(staging)},
    )
    missing = writer_internals() + (pagefind_internals() if search != "off" else []) + \
        (hotpath_internals() if settings.get("CACHE_CONTENT") else [])
    report = BuildReport(output, problems=[f"ERROR: {problem}" for problem in missing])
    if report.problems:
        return report
    if previous is None:
        previous = load_ledger(settings)
    if previous is not None and previous.output_identity != tree_identity(output):
        previous = None  # another build replaced the tree: start from nothing
    theme_static = settings["THEME_STATIC_DIR"]
    if previous is not None:
        link_tree(output, staging, {theme_static} | ({SEARCH_FOLDER} if search != "later" else set()))
        settings["STATIC_CHECK_IF_MODIFIED"] = True
    glob = settings.get("SEARCH_INDEX_GLOB", "**/*.{html}")
    session = BuildSession(staging, previous, SearchIndexer(glob) if search == "now" else None, glob,
                           track=previous is not None or bool(settings.get("CACHE_CONTENT")))
    collector = ProblemCollector()
    root = logging.getLogger()
    root.addHandler(collector)
    ACTIVE.append(session)
    try:
        Pelican(settings).run()
    except Exception as err:  # a crash is one more problem to report, not a traceback
        collector.problems.append(f"ERROR: the build stopped: {type(err).__name__}: {err}")
    finally:
        ACTIVE.remove(session)
        root.removeHandler(collector)
        forget_all_rendered()  # Pelican memoizes every post's HTML for the process's life
    report.problems.extend(collector.problems)
    if previous is not None and report.ok:
        prune(staging, set(session.ledger.pages) | set(session.written) | session.statics,
              (f"{theme_static}/", f"{SEARCH_FOLDER}/"))
    if session.indexer is not None:
        if report.ok:
            report.problems.extend(session.indexer.finish(staging))
            report.search_service_mib = session.indexer.service_peak_mib
        else:
            session.indexer.close()
    if report.ok and checks is not None:
        report.problems.extend(f"CHECK: {problem}" for problem in checks(staging, settings))
    if not report.ok:
        shutil.rmtree(staging, ignore_errors=True)
        return report
    report.discard = swap_in(staging, output, remove=not keep_replaced)
    session.ledger.output_identity = tree_identity(output)
    session.ledger.search_glob, session.ledger.fingerprints = glob, session.fingerprints
    if session.track and settings.get("CACHE_CONTENT"):
        save_ledger(settings, session.ledger)
    report.written, report.kept, report.ledger = session.written, session.kept, session.ledger
    report.seconds = time.perf_counter() - started
    return report


def swap_in(new: Path, current: Path, remove: bool = True) -> Path | None:
    """Replace ``current`` by ``new`` in two renames; the old tree is removed last (or
    returned, with ``remove=False``)."""
    previous = current.parent / f".{current.name}.previous-{os.getpid()}-{time.monotonic_ns()}"
    if current.exists():
        current.rename(previous)
    new.rename(current)
    if remove or not previous.exists():
        shutil.rmtree(previous, ignore_errors=True)
        return None
    return previous


def refresh_search(output: Path, ledger: PageLedger, glob: str) -> list[str]:
    """Rebuild ``output``/pagefind from the pages in ``ledger.html`` (no disk reads), then
    swap it in; the problems, if any (the old index then stays)."""
    output = Path(output)
    fresh = output.parent / f".{output.name}.search-{os.getpid()}"
    shutil.rmtree(fresh, ignore_errors=True)
    indexer = SearchIndexer(glob)
    indexer.add_all(ledger.html.items())
    problems = indexer.finish(fresh)
    if problems:
        shutil.rmtree(fresh, ignore_errors=True)
        return problems
    swap_in(fresh / SEARCH_FOLDER, output / SEARCH_FOLDER)
    shutil.rmtree(fresh, ignore_errors=True)
    return []
