"""Reproduce: every post with runs gets a download that re-runs them on the reader's machine.

The archive holds the post's files, a manifest of its sessions and runs with their
recorded output, the pins the runs imported, the Debian packages they call and
``verify.py`` (standard library only), which replays the sessions and says what differs.
"""

from __future__ import annotations

from pelican import signals

from .downloads import attach_downloads, write_downloads


def register() -> None:
    signals.article_generator_finalized.connect(attach_downloads)
    signals.article_writer_finalized.connect(write_downloads)
