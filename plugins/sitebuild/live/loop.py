"""The live loop behind `invoke livereload`: watch, rebuild what changed, reload the page.

Each change rebuilds incrementally (only pages whose inputs changed are rendered and
written, build/staged.py) into a staging folder swapped in when clean, so a failed rebuild
leaves the last good site served.  Browsers whose page was rewritten get a reload
event (server-sent events, reload.py); the terminal gets one line per rebuild.  The
search index and the removal of the replaced tree happen after the reload signal, on
a background thread, so the page the author looks at never waits for them.
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

# The engine's names, imported here only (its configuration and its list of debris).
from engine.figures import FIGURES_FOLDER
from engine.files import COPY_IGNORE, ignored_names
from samples.settings import load_config
from watchfiles import Change, watch

from ..build.report import BuildReport
from ..build.staged import build_site, refresh_search
from ..build.tree import swap_in, tree_identity
from ..incremental.ledger import PageLedger, persist
from ..search import SEARCH_FOLDER, url_of
from .relist import relisting
from .reload import ReloadHub, serve_site
from .shortcut import HotResult, hot_rebuild

# Files editors and tools write for a moment while saving: `sed -i`'s sedXXXXXX, vim's swap
# files (.swp, .swo, .swx) and its write test 4913, backups (name~), emacs's lock (.#name)
# and auto-save (#name#).  The save itself changes the real file, which is what rebuilds.
EDITOR_TEMPORARY = ("sed[A-Za-z0-9][A-Za-z0-9][A-Za-z0-9][A-Za-z0-9][A-Za-z0-9][A-Za-z0-9]",
                    ".*.swp", ".*.swo", ".*.swx", "4913", "*~", ".#*", "#*#")


def debris_names(store_name: str) -> tuple[str, ...]:
    """What a rebuild must not react to: the engine's editor and tool debris (never
    copied, hashed or published), editors' temporary files, each post's freeze store with
    its temporary file (a build writes those itself, so reacting to them would rebuild
    forever), and the figures folder a build's runs write beside the store."""
    return (*COPY_IGNORE, *EDITOR_TEMPORARY, store_name, f".{store_name}.tmp", FIGURES_FOLDER)


def is_debris(path: str | Path, names: tuple[str, ...]) -> bool:
    """Whether a part of ``path`` matches one of ``names`` (patterns of file names)."""
    matches = ignored_names(names)
    return any(matches(part) for part in Path(path).parts)


def summary_line(changed: Iterable[str], report: BuildReport | HotResult) -> str:
    """One terminal line: what changed, pages written, time."""
    names = sorted(changed)
    what = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    if not report.ok:
        return (f"{time.strftime('%H:%M:%S')} {what or 'start'}: build failed with "
                f"{len(report.problems)} problem(s); still serving the last good site")
    kept = f", {len(report.kept)} kept" if isinstance(report, BuildReport) else ", one post"
    return (f"{time.strftime('%H:%M:%S')} {what or 'start'}: {len(report.written)} page(s) "
            f"written{kept}, {report.seconds:.2f} s")


class LiveSite:
    """One site rebuilt in place on every change; thread-safe ``rebuild``."""

    def __init__(self, settings_file: Path, output: Path, override: dict,
                 hub: ReloadHub, echo: Callable[[str], None] = print,
                 full_rebuild_on: tuple[Path, ...] = ()) -> None:
        self.settings_file, self.output, self.override = settings_file, output.resolve(), override
        self.hub, self.echo, self.full_rebuild_on = hub, echo, full_rebuild_on
        self.debris = debris_names(load_config(settings_file, override).store_name)
        self.ledger: PageLedger | None = None
        self.lock = threading.Lock()
        self.generation = 0
        self.background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="after-reload")

    def rebuild(self, changed: Iterable[Path] = (), root: Path | None = None,
                only_modified: bool = False) -> BuildReport | HotResult:
        """Rebuild after ``changed`` (nothing: the first, full build); signal and report.

        ``only_modified``: every change modified an existing file (none added or
        deleted), so the one-post shortcut (shortcut.py) may apply.
        """
        changed = list(changed)
        full = self.ledger is None or any(
            path == watched or watched in path.parents
            for path in changed for watched in self.full_rebuild_on)
        names = [str(path.relative_to(root)) if root and root in path.parents else str(path)
                 for path in changed]
        if not full and only_modified:
            with self.lock:
                hot = hot_rebuild(self.ledger, self.output, changed)
                if hot is not None and hot.ok:
                    self.generation += 1
                generation = self.generation
            if hot is not None:
                return self._hot_done(hot, names, generation)
        with self.lock:
            relist = None if full else relisting(self.ledger, self.output, changed, only_modified)
            report = build_site(self.settings_file, self.output, self.override,
                                previous=None if full else self.ledger,
                                search="now" if full else "later", keep_replaced=True,
                                generate=relist)
            if report.ok:
                self.ledger = report.ledger
                self.generation += 1
            elif relist is not None:  # the kept generators list the rejected edit now
                self.ledger.generators = []
            generation = self.generation
        self._announce(report, names)
        if report.ok:
            self.background.submit(self._after_reload, report, full, generation)
        return report

    def _announce(self, result, names: list[str]) -> None:
        """Reload the tabs showing a rewritten page, then one line (and the problems)."""
        if result.ok:
            self.hub.publish([url_of(name) for name in result.written], result.seconds)
        self.echo(summary_line(names, result))
        for problem in result.problems:
            self.echo(f"  {problem}")

    def _hot_done(self, hot: HotResult, names: list[str], generation: int) -> HotResult:
        self._announce(hot, names)
        if hot.ok:
            self.background.submit(self._after_reload, BuildReport(self.output, ledger=self.ledger),
                                   False, generation)
        return hot

    def _after_reload(self, report: BuildReport, indexed: bool, generation: int) -> None:
        if report.discard is not None:
            shutil.rmtree(report.discard, ignore_errors=True)
        if indexed or generation != self.generation:
            return  # indexed while built, or a newer build will index
        problems = refresh_index(self, report.ledger, generation)
        for problem in problems:
            self.echo(f"  search index not refreshed: {problem}")

    def ignores(self, path: str | Path) -> bool:
        """Whether a change at ``path`` is none of the author's: debris, or the output."""
        where = Path(path)
        return where == self.output or self.output in where.parents or is_debris(where, self.debris)

    def settle(self, timeout: float = 120) -> None:
        """Wait for the background work (search index, old tree removal) queued so far."""
        self.background.submit(lambda: None).result(timeout=timeout)

    def close(self) -> None:
        self.background.shutdown(wait=True)


def refresh_index(site: LiveSite, ledger: PageLedger, generation: int) -> list[str]:
    """Re-index from the pages in memory into a side folder; swap it in if still current."""
    side = site.output.parent / f".{site.output.name}.search-next"
    shutil.rmtree(side, ignore_errors=True)
    side.mkdir(parents=True)
    problems = refresh_search(side, ledger, ledger.search_glob)
    if problems:
        return problems
    with site.lock:
        if generation == site.generation:
            swap_in(side / SEARCH_FOLDER, site.output / SEARCH_FOLDER)
            ledger.output_identity = tree_identity(site.output)  # the swap touched the folder
            persist(ledger)
    shutil.rmtree(side, ignore_errors=True)
    return []


def watch_and_rebuild(site: LiveSite, watched: list[Path], root: Path,
                      stop: threading.Event | None = None) -> None:
    """Rebuild on every batch of changes under ``watched`` until ``stop`` is set."""
    for batch in watch(*watched, watch_filter=lambda _change, path: not site.ignores(path),
                       step=20, stop_event=stop,
                       rust_timeout=500, yield_on_timeout=False):
        site.rebuild(sorted({Path(path) for _, path in batch}), root,
                     only_modified=all(change == Change.modified for change, _ in batch))


class CannotListen(Exception):
    """The live server could not take its address (the port is busy, the host unknown)."""

    def __init__(self, err: OSError) -> None:
        self.reason = err.strerror or str(err)
        super().__init__(self.reason)


def serve(settings_file: Path, output: Path, override: dict, watched: list[Path], root: Path,
          host: str, port: int, full_rebuild_on: tuple[Path, ...] = ()) -> None:
    """Build, serve ``output`` at host:port, rebuild and reload on every change (Ctrl-C)."""
    hub = ReloadHub()
    try:  # listen first: a busy port is said at once, not after a whole build
        server = serve_site(output, host, port, hub)
    except OSError as err:
        hub.close()
        raise CannotListen(err) from err
    site = LiveSite(settings_file, output, override, hub,
                    echo=lambda line: print(line, flush=True), full_rebuild_on=full_rebuild_on)
    first = site.rebuild()
    if not first.ok and not output.exists():
        server.shutdown()
        print("The first build failed and there is no site to serve.", file=sys.stderr)
        raise SystemExit(1)
    print(f"Serving {output} at http://{host}:{server.server_address[1]}/ "
          "(rebuilds on every change; Ctrl-C to stop)", flush=True)
    try:
        watch_and_rebuild(site, watched, root)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        hub.close()
        site.close()
