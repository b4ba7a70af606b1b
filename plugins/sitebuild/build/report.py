"""What a build returns: its output folder, every problem it logged, the pages it wrote.

A build fails on any warning or error that Pelican or a plugin logs: the collector
catches them on the root logger while Pelican runs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..incremental.ledger import PageLedger


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


@contextmanager
def collecting_problems() -> Iterator[ProblemCollector]:
    """Collect every warning and error logged inside the block (by any logger)."""
    collector = ProblemCollector()
    root = logging.getLogger()
    root.addHandler(collector)
    try:
        yield collector
    finally:
        root.removeHandler(collector)
