"""Machine-wide locks for samples that change the machine, not only their folder.

A post whose samples create a system user or write to /etc declares it with a
``Sample-Lock: NAME`` header line.  Every session of that post takes the lock
before its first run and keeps it until it closes, so two sessions of it — two
pytest workers replaying it, a build beside a live-reload loop — never interleave.
"""

from __future__ import annotations

import fcntl
import os
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

LOCK_NAME = re.compile(r"[A-Za-z0-9][\w.-]*")


def lock_folder() -> Path:
    """Where lock files live: /run/lock where writable (shared by every user), else tmp."""
    folder = Path("/run/lock")
    return folder if os.access(folder, os.W_OK) else Path(tempfile.gettempdir())


class MachineLock:
    """An exclusive flock on ``code-that-runs-NAME.lock``, held until ``release``."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.path = lock_folder() / f"code-that-runs-{name}.lock"
        self._file = None

    def acquire(self, wait: float, on_wait: Callable[[str], object] | None = None) -> bool:
        """Take the lock, waiting at most ``wait`` seconds; False if it stayed taken.
        ``on_wait`` is told once, in a sentence, when the lock is not free at once."""
        handle = open(self.path, "a+")  # noqa: SIM115  (kept open while held)
        deadline = time.monotonic() + wait
        told = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self._file = handle
                return True
            except BlockingIOError:
                if on_wait is not None and not told:
                    on_wait(f"waiting for the machine-wide lock {self.name!r} (at most {wait:g} s): "
                            "another session of this post is running")
                    told = True
                if time.monotonic() > deadline:
                    handle.close()
                    return False
                time.sleep(0.2)

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
