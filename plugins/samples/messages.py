"""One message per mistake: Pelican follows every post it could not read with a generic
``Could not process posts/…/index.md``.  When the reader already reported the post's
problems with their positions (it then raises ``PostRejected``), that second line only
doubles the count, so it is dropped; the reader's own errors still fail the build."""

from __future__ import annotations

import logging
import sys

from engine.errors import PostRejected

GENERIC = "Could not process %s"
PELICAN_LOGGER = "pelican.generators"


class DropReportedFailures(logging.Filter):
    """Drops Pelican's "Could not process" while it handles a ``PostRejected``."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Pelican logs the line from inside its except block: the exception it handles is ours.
        return not (record.msg == GENERIC and isinstance(sys.exc_info()[1], PostRejected))


def drop_reported_failures() -> None:
    """Install the filter on Pelican's generators logger, once per process."""
    logger = logging.getLogger(PELICAN_LOGGER)
    if not any(isinstance(existing, DropReportedFailures) for existing in logger.filters):
        logger.addFilter(DropReportedFailures())
