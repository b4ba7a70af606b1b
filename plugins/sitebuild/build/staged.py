"""Build a Pelican site into a staging folder and swap it in only when clean.

A full build renders every page into an empty staging folder.  An incremental build
(``previous``: the ledger of the current output tree) starts from hard links to that
tree and renders only the pages whose inputs changed (incremental/writer.py); either way the
current tree is replaced only by a clean build, in two renames, and never modified.  A clean
build is also one whose post pages link only to what it publishes (links.py).
"""

from __future__ import annotations

import errno
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import jinja2
from pelican import Pelican
from pelican.settings import read_settings
from upstream import check_upstream

from ..incremental.ledger import PageLedger, load_ledger, save_ledger
from ..incremental.writer import BuildSession, forget_all_rendered
from ..search import SEARCH_FOLDER, SearchIndexer
from .links import post_link_problems
from .report import BuildReport, collecting_problems
from .tree import OutputBusy, OutputUnwritable, link_known, output_lock, prune, swap_in, tree_identity

# Writes the site into the session's staging folder, with ``settings`` (read for this build).
Generate = Callable[[BuildSession, dict], None]


def staging_folder(output: Path) -> Path:
    """Where a build in this process stages ``output`` (the same folder at every build)."""
    return output.parent / f".{output.name}.staging-{os.getpid()}"


def run_pelican(session: BuildSession, settings: dict) -> None:
    """A whole Pelican run, with our writer and receivers connected for it only."""
    pelican = Pelican(settings)
    with session.listening(pelican):
        pelican.run()


def build_site(settings_file: str | os.PathLike | None, output: str | os.PathLike,
               override: dict | None = None,
               checks: Callable[[Path, dict], list[str]] | None = None,
               previous: PageLedger | None = None, search: str = "now",
               keep_replaced: bool = False, generate: Generate | None = None) -> BuildReport:
    """Build with ``settings_file`` (plus ``override``) into ``output``.

    The site is written to a staging folder beside ``output``; only a build that
    logged no warning and no error, whose Pagefind index was built and which passed
    ``checks(staging, settings)`` (if given) replaces ``output``, in two renames.
    ``previous`` (the ledger of the last good build of ``output``) makes the build
    incremental; builds with the content cache on keep a ledger for the next one, in
    memory (``report.ledger``) and in CACHE_PATH (read when ``previous`` is not given).
    A private Pelican or pagefind name that changed (plugins/upstream.py) fails the
    build before it starts.  ``search``: "now" indexes the pages while they are written; "later" keeps the
    previous index and leaves ``report.ledger.html`` for ``refresh_search``;
    "off" writes no index.  ``keep_replaced``: leave the replaced tree for the caller to
    remove (``report.discard``), so a live loop can signal the reload first.
    ``generate``: what writes the site into the staging folder (default: a Pelican run,
    ``run_pelican``; the live loop passes one that re-lists the previous build's generators).
    """
    started = time.perf_counter()
    output = Path(output).resolve()
    changed = check_upstream()  # every private Pelican and pagefind name we rely on
    if changed:
        return BuildReport(output, [f"ERROR: {'; '.join(changed)}"])
    try:
        with output_lock(output):
            return _build_locked(settings_file, output, override, checks, previous, search,
                                 keep_replaced, started, generate or run_pelican)
    except OutputBusy as busy:
        return BuildReport(output, [f"ERROR: {output}: another build is writing this output "
                                    f"folder ({busy}) (wait for it to finish, or stop it, then "
                                    "build again)"])
    except OutputUnwritable as err:
        return BuildReport(output, [f"ERROR: {output.parent}: cannot write the output folder "
                                    f"there ({err}) (make it writable, or build elsewhere with "
                                    "BLOG_OUTPUT_PATH)"])


def _build_locked(settings_file, output: Path, override: dict | None, checks,
                  previous: PageLedger | None, search: str, keep_replaced: bool,
                  started: float, generate: Generate) -> BuildReport:
    staging = staging_folder(output)
    shutil.rmtree(staging, ignore_errors=True)
    settings = read_settings(
        str(settings_file) if settings_file else None,
        override={**(override or {}), "OUTPUT_PATH": str(staging)},
    )
    report = BuildReport(output)
    if previous is None:
        previous = load_ledger(settings)
    if previous is not None and previous.output_identity != tree_identity(output):
        previous = None  # another build replaced the tree: start from nothing
    seeded: set[str] = set()
    if previous is not None:
        seeded = link_known(output, staging, set(previous.pages) | previous.statics |
                            set(previous.files),
                            (SEARCH_FOLDER,) if search == "later" else ())
        settings["STATIC_CHECK_IF_MODIFIED"] = True
    glob = settings.get("SEARCH_INDEX_GLOB", "**/*.{html}")
    session = BuildSession(staging, previous, SearchIndexer(glob) if search == "now" else None, glob,
                           track=previous is not None or bool(settings.get("CACHE_CONTENT")))
    with collecting_problems() as collector:
        try:
            staging.mkdir(exist_ok=True)  # an incremental build's staging holds its links already
            generate(session, settings)
        except jinja2.TemplateSyntaxError as err:
            collector.problems.append(f"ERROR: {_shown(err.filename)}:{err.lineno}: {err.message} "
                                      "(fix the theme's template)")
        except Exception as err:  # a crash is one more problem to report, not a traceback
            collector.problems.append(f"ERROR: the build stopped: {type(err).__name__}: {err}")
        finally:
            forget_all_rendered()  # Pelican memoizes every post's HTML for the process's life
    report.problems.extend(collector.problems)
    if report.ok:  # the rule `invoke preview` applies, at the Markdown line that made the link
        report.problems.extend(f"ERROR: {problem}" for problem in post_link_problems(
            staging, session.written, session.ledger.generators or [], settings))
    if previous is not None and report.ok:
        prune(staging, {name for name in seeded if not name.startswith(f"{SEARCH_FOLDER}/")},
              set(session.ledger.pages) | set(session.written) | session.statics |
              set(session.ledger.files))
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
        if any(os.strerror(errno.ENOSPC) in problem for problem in report.problems):
            # Pelican (or Pagefind) reports each file it could not write; say it once, plainly.
            report.problems.insert(0, f"ERROR: {output.parent}: the disk is full "
                                   f"({os.strerror(errno.ENOSPC)} while writing the site) (free "
                                   "space there, or build elsewhere with BLOG_OUTPUT_PATH)")
        return report
    report.discard = swap_in(staging, output, remove=not keep_replaced)
    session.ledger.output_identity = tree_identity(output)
    session.ledger.search_glob, session.ledger.fingerprints = glob, session.fingerprints
    session.ledger.statics = session.statics
    if session.track and settings.get("CACHE_CONTENT"):
        save_ledger(settings, session.ledger)
    # pages rendered again into the same bytes count as kept: only changed pages reload
    report.written = [name for name in session.written if name not in session.unchanged]
    report.kept = session.kept + [name for name in session.written if name in session.unchanged]
    report.ledger = session.ledger
    report.seconds = time.perf_counter() - started
    return report


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


def _shown(path: str | None) -> str:
    """A template's path as an author types it: relative to the working directory when inside."""
    if not path:
        return "a template"
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative
