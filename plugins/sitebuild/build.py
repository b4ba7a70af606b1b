"""Build a Pelican site into a staging folder and swap it in only when clean."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pelican import Pelican
from pelican.settings import read_settings


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
        Pelican(settings).run()
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
        return report
    previous = output.parent / f".{output.name}.previous-{os.getpid()}"
    if output.exists():
        output.rename(previous)
    staging.rename(output)
    shutil.rmtree(previous, ignore_errors=True)
    return report
