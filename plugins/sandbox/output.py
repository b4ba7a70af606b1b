"""Collecting what a run prints: merged stdout and stderr, capped, with a deadline."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import threading
import time


def collect_output(process: subprocess.Popen, deadline: float, cap: int,
                   drain_grace: float = 0.2) -> tuple[bytes, int, bool, threading.Thread | None]:
    """Read the merged output until the command ends; kill its group at the deadline.
    Once the command exited, its pipe is read for ``drain_grace`` seconds more: after that
    only processes it left in the background still hold it.

    Returns (bytes kept, bytes printed, timed out, the thread still draining the pipe
    for background writers, if any).
    """
    chunks: list[bytes] = []
    size = 0
    pipe = process.stdout
    selector = selectors.DefaultSelector()
    selector.register(pipe, selectors.EVENT_READ)
    eof = False
    exited_at = None
    while not eof:
        now = time.monotonic()
        if exited_at is None and process.poll() is not None:
            exited_at = now
        if exited_at is not None and now - exited_at > drain_grace:
            break  # only background processes still hold the pipe
        if exited_at is None and now > deadline:
            _kill_group(process)
            selector.close()
            pipe.close()
            return b"".join(chunks), size, True, None
        if selector.select(timeout=0.05):
            data = os.read(pipe.fileno(), 65536)
            if not data:
                eof = True
            elif size <= cap:
                chunks.append(data)
                size += len(data)
            else:
                size += len(data)
    selector.close()
    if not eof:
        process.wait()  # it has exited; only background writers hold the pipe
        drain = keep_draining(os.dup(pipe.fileno()))
        pipe.close()
        return b"".join(chunks), size, False, drain
    pipe.close()
    # A command that closed its output may run on: the deadline holds until it exits.
    try:
        process.wait(timeout=max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        _kill_group(process)
        return b"".join(chunks), size, True, None
    return b"".join(chunks), size, False, None


def keep_draining(fd: int) -> threading.Thread:
    """Background writers keep the pipe ``fd``: read and discard in a thread until they
    close it, so they never block or die on a full pipe; the thread closes ``fd``."""
    def drain() -> None:
        try:
            while os.read(fd, 65536):
                pass
        except OSError:
            pass
        finally:
            os.close(fd)
    thread = threading.Thread(target=drain, daemon=True)
    thread.start()
    return thread


def _kill_group(process: subprocess.Popen) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=2)
            return
        except subprocess.TimeoutExpired:
            continue
