"""Run builds in child processes and summarise repeated measurements."""

from __future__ import annotations

import json
import os
import resource
import selectors
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

CHILD = Path(__file__).resolve().parent / "child.py"


@dataclass
class BuildResult:
    """One child build: build wall time (s), whole-process wall (s), peak RSS (MiB)."""

    wall: float
    process_wall: float
    peak_rss_mib: float
    problems: list[str]
    executions: list[str]
    service_rss_mib: float = 0.0  # peak RSS of our build's Pagefind service process


class BuildFailed(RuntimeError):
    pass


def child_build(flavour: str, site: Path, output: Path, override: dict | None = None,
                profile: Path | None = None, fresh_output: bool = True) -> BuildResult:
    """Build ``site`` in a fresh interpreter; raise BuildFailed on any problem."""
    if fresh_output:
        shutil.rmtree(output, ignore_errors=True)
    spec = {"flavour": flavour, "site": str(site), "output": str(output),
            "override": override or {}, "profile": str(profile) if profile else None}
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, str(CHILD), json.dumps(spec)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # wait4 gives this child's own rusage: its peak RSS, not the maximum over all children.
    stdout, stderr, status, usage = _communicate_then_wait4(process)
    process_wall = time.perf_counter() - started
    if status != 0 or not stdout.strip():
        raise BuildFailed(f"{flavour} build of {site} exited {status}: {stderr.decode()[-2000:]}")
    data = json.loads(stdout.decode().strip().splitlines()[-1])
    if data["problems"]:
        raise BuildFailed(f"{flavour} build of {site}: " + "; ".join(data["problems"][:5]))
    return BuildResult(data["wall"], process_wall, usage.ru_maxrss / 1024, data["problems"],
                       data["executions"], data.get("service_rss_mib", 0.0))


def pagefind_cli(site: Path, glob: str) -> tuple[float, float]:
    """``python -m pagefind`` on a built site, as a user would run it: (wall s, peak RSS MiB)."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "pagefind", "--site", str(site), "--glob",
                                glob, "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, stderr, status, usage = _communicate_then_wait4(process)
    if status != 0:
        raise BuildFailed(f"pagefind on {site} exited {status}: {stderr.decode()[-2000:]}")
    return time.perf_counter() - started, usage.ru_maxrss / 1024


def _communicate_then_wait4(process: subprocess.Popen):
    """Read both pipes to the end without deadlocking, then reap the child with wait4."""
    out_chunks: list[bytes] = []
    err_chunks: list[bytes] = []
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ, out_chunks)
    selector.register(process.stderr, selectors.EVENT_READ, err_chunks)
    open_pipes = 2
    while open_pipes:
        for key, _ in selector.select():
            data = os.read(key.fileobj.fileno(), 65536)
            if data:
                key.data.append(data)
            else:
                selector.unregister(key.fileobj)
                key.fileobj.close()
                open_pipes -= 1
    selector.close()
    _, raw_status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(raw_status)
    return b"".join(out_chunks), b"".join(err_chunks), process.returncode, usage


@dataclass
class Series:
    """Repeated measurements of one quantity."""

    values: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def span(self, digits: int = 2) -> str:
        return f"{min(self.values):.{digits}f}–{max(self.values):.{digits}f}"

    def cell(self, digits: int = 2) -> str:
        return f"{self.median:.{digits}f} ({self.span(digits)})"


def peak_rss_self_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
