"""Finding and killing the processes of a session without cgroups: /proc, process
groups and the session's marker in the environment (which finds daemons that left
their process group with setsid)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

MARKER = "SAMPLE_SESSION"  # environment variable every process of a session inherits


def alive(pid: int) -> bool:
    """True unless the process is gone or a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def scan_processes(groups: set[int], marker: bytes) -> list[int]:
    """Without cgroups: live processes in one of ``groups`` (process group or session id)
    or carrying ``marker`` in their environment."""
    found = []
    with os.scandir("/proc") as entries:
        for entry in entries:
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:
                stat = Path(entry.path, "stat").read_text()
                state, _, pgid, sid = stat.rsplit(")", 1)[1].split()[:4]
                if state in ("Z", "X"):
                    continue
                if int(pgid) in groups or int(sid) in groups or \
                        marker in Path(entry.path, "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except (OSError, ValueError):
                continue
    return found


def signal_groups(groups: list[int], sig: int) -> None:
    """Send ``sig`` to every process group of ``groups`` that is still there."""
    for group in groups:
        try:
            os.killpg(group, sig)
        except (ProcessLookupError, PermissionError):
            pass


def any_group_alive(groups: list[int]) -> bool:
    for group in groups:
        try:
            os.killpg(group, 0)
            return True
        except (ProcessLookupError, PermissionError):
            continue
    return False


def signal_processes(pids: list[int], sig: int) -> list[int]:
    """Send ``sig`` to each of ``pids``; return those it reached."""
    reached = []
    for pid in pids:
        try:
            os.kill(pid, sig)
            reached.append(pid)
        except (ProcessLookupError, PermissionError):
            pass
    return reached


TERMINATION = (signal.SIGTERM, signal.SIGKILL)
