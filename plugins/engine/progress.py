"""Progress of executing samples: why a session runs, one line per run, a diff where
an output changed from its record, and a summary line per post.

On a terminal a live line shows the session, run n of m and the elapsed time
(rich); elsewhere (CI, logs) only plain lines are printed.
"""

from __future__ import annotations

import sys
import time
from pathlib import PurePosixPath

from rich.console import Console

from .errors import SampleError
from .model import Executed


class Progress:
    """Prints to ``stream``; ``live`` adds a self-updating status line on terminals."""

    def __init__(self, stream=None, live: bool = False, enabled: bool = True) -> None:
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self._status = None
        self._console = None
        if live and enabled:
            self._console = Console(file=self.stream)
        self._session = ""
        self._total = 0
        self._started = 0.0

    @classmethod
    def for_mode(cls, mode: str) -> Progress:
        """"auto": live line on a terminal, plain lines otherwise; "lines"; "off"."""
        if mode == "off":
            return cls.quiet()
        live = mode == "auto" and sys.stderr.isatty()
        return cls(live=live)

    @classmethod
    def quiet(cls) -> Progress:
        return cls(enabled=False)

    def session_started(self, post: str, session: str, reason: str | None, total: int) -> None:
        self._session, self._total = f"{post} session {session}", total
        self._print(f"{post}: executing session {session!r} ({total} run{'s' * (total != 1)}): "
                    f"{reason}")

    def run_started(self, sample: Executed, number: int) -> None:
        self._started = time.monotonic()
        if self._console is not None:
            text = f"{self._session} · run {number} of {self._total} · {_short(sample)}"
            if self._status is None:
                self._status = self._console.status(text)
                self._status.start()
            self._status.update(text)

    def run_finished(self, sample: Executed, result) -> None:
        mark = "✓" if result.exit_status == sample.expected_exit else "✗"
        self._print(f"  {PurePosixPath(sample.path).name}:{sample.line} {_short(sample)} … "
                    f"{result.duration:.1f} s {mark}")

    def note(self, text: str) -> None:
        """A line of its own (a lab being built)."""
        self._print(text)

    def output_changed(self, sample: Executed, record, lines: list[str]) -> None:
        """A re-executed run printed something else than its record: say so at its line,
        with the differences (a unified diff; masked parts show as the mask's mark)."""
        masked = " (masked parts show as …)" if sample.masks else ""
        self._print(f"  {sample.where}: the output changed since its record of "
                    f"{record.verified}{masked}:\n" + "\n".join("    " + line for line in lines))

    def post_finished(self, post: str, executed: int, changed: int) -> None:
        """The post's summary, when something executed: runs, and outputs that changed."""
        if executed:
            outputs = f"{changed} output{'s' * (changed != 1)} changed" if changed else \
                "no output changed"
            self._print(f"{post}: {executed} run{'s' * (executed != 1)} executed, {outputs}")

    def failed(self, error: SampleError) -> None:
        self._print(f"  ✗ {error.path}:{error.line}: {error.message}")
        self.close()

    def close(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None

    def _print(self, text: str) -> None:
        if not self.enabled:
            return
        if self._console is not None:
            self._console.print(text, markup=False, highlight=False)
        else:
            print(text, file=self.stream, flush=True)


def _short(sample: Executed) -> str:
    text = sample.command.replace("\n", " ")
    return text if len(text) <= 60 else text[:59] + "…"
