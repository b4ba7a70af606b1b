"""Build a Pelican site into a staging folder and swap it in only when clean."""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from pelican import Pelican
from pelican.settings import read_settings


class OutputBusy(Exception):
    """Another build holds the output folder's lock."""


class OutputUnwritable(Exception):
    """The folder that holds the output cannot be written (read-only, no permission)."""


@dataclass
class BuildReport:
    """What a build produced: the output folder and every problem it logged."""

    output: Path
    problems: list[str] = field(default_factory=list)

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


def index_for_search(site: Path, glob: str = "**/*.{html}") -> list[str]:
    """Build the Pagefind index and UI into ``site``/pagefind; its failures are problems.

    ``glob`` limits the pages Pagefind reads (the SEARCH_INDEX_GLOB setting): only
    posts carry ``data-pagefind-body``, so reading tag and archive pages is wasted time.
    """
    if not any(site.glob(glob)):
        glob = "**/*.{html}"  # no post yet: Pagefind still writes the UI the search page loads
    done = subprocess.run([sys.executable, "-m", "pagefind", "--site", str(site), "--glob", glob,
                           "--quiet"], capture_output=True, text=True)
    if done.returncode != 0:
        detail = (done.stderr.strip() or done.stdout.strip()).splitlines()[-5:]
        return [f"ERROR: pagefind failed with exit status {done.returncode}: " + " / ".join(detail)]
    return []


def build_site(settings_file: str | os.PathLike | None, output: str | os.PathLike,
               override: dict | None = None,
               checks: Callable[[Path, dict], list[str]] | None = None) -> BuildReport:
    """Build with ``settings_file`` (plus ``override``) into ``output``.

    The site is written to a staging folder beside ``output``; only a build that
    logged no warning and no error, whose Pagefind index was built and which passed
    ``checks(staging, settings)`` (if given) replaces ``output``, in two renames.
    """
    output = Path(output).resolve()
    try:
        with output_lock(output):
            return _build_locked(settings_file, output, override, checks)
    except OutputBusy as busy:
        return BuildReport(output, [f"ERROR: {output}: another build is writing this output "
                                    f"folder ({busy}) (wait for it to finish, or stop it, then "
                                    "build again)"])
    except OutputUnwritable as err:
        return BuildReport(output, [f"ERROR: {output.parent}: cannot write the output folder "
                                    f"there ({err}) (make it writable, or build elsewhere with "
                                    "BLOG_OUTPUT_PATH)"])


@contextmanager
def output_lock(output: Path) -> Iterator[None]:
    """Hold ``.OUTPUT.lock`` beside the output folder for the whole build: two builds at
    once (a livereload loop and ``invoke build``) would otherwise swap in each other's
    half-staged trees. The second build is refused at once, naming the first."""
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        opened = open(output.parent / f".{output.name}.lock", "a+")
    except OSError as err:
        raise OutputUnwritable(err.strerror) from None
    with opened as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            raise OutputBusy(f"process {lock.read().strip() or 'unknown'}") from None
        lock.truncate(0)
        lock.write(str(os.getpid()))
        lock.flush()
        try:
            yield
        finally:
            lock.truncate(0)


def _build_locked(settings_file, output: Path, override: dict | None, checks) -> BuildReport:
    staging = output.parent / f".{output.name}.staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    settings = read_settings(
        str(settings_file) if settings_file else None,
        override={**(override or {}), "OUTPUT_PATH": str(staging)},
    )
    collector = ProblemCollector()
    root = logging.getLogger()
    root.addHandler(collector)
    try:
        staging.mkdir()
        Pelican(settings).run()
    except jinja2.TemplateSyntaxError as err:
        collector.problems.append(f"ERROR: {_shown(err.filename)}:{err.lineno}: {err.message} "
                                  "(fix the theme's template)")
    except Exception as err:  # a crash is one more problem to report, not a traceback
        collector.problems.append(f"ERROR: the build stopped: {type(err).__name__}: {err}")
    finally:
        root.removeHandler(collector)
    report = BuildReport(output, collector.problems)
    if report.ok:
        report.problems.extend(index_for_search(staging, settings.get("SEARCH_INDEX_GLOB",
                                                                      "**/*.{html}")))
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
    previous = output.parent / f".{output.name}.previous-{os.getpid()}"
    if output.exists():
        output.rename(previous)
    staging.rename(output)
    shutil.rmtree(previous, ignore_errors=True)
    return report


def _shown(path: str | None) -> str:
    """A template's path as an author types it: relative to the working directory when inside."""
    if not path:
        return "a template"
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative
