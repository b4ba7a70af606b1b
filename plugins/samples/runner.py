"""Execute runs and exec blocks in isolated sessions.

A session is a temporary root with ``work/`` (a fresh copy of the post's folder,
the working directory of every run) and ``home/`` (HOME).  Each run gets its own
process group; processes it leaves in the background live until the session
closes, and closing kills everything the session started: every process group
of its runs and every process whose environment carries the session's marker,
which also finds daemons that detached with setsid().
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from .debian import DEBIAN_PACKAGES_FILE, debian_package_for
from .imports import FOLDER_VARIABLE, RUN_VARIABLE, imported_names, install_hook
from .keys import COPY_IGNORE
from .locks import DEFAULT_WAIT, MachineLock
from .netns import create_namespace
from .output import collect_output
from .processes import alive, scan_processes, session_groups
from .samples import Executed, format_size

PLACEHOLDER = "/tmp/sample"
# Where the project's virtual environment lives differs per checkout; pages say $VENV.
VENV_PLACEHOLDER = "$VENV"
MARKER = "SAMPLE_SESSION"
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
DEFAULT_PIDS_MAX = 4096
DEFAULT_MEMORY_MAX = 4 * 1024**3

@dataclass(frozen=True)
class RunResult:
    """What one run printed and how it ended; output has the placeholder applied."""

    output: str
    exit_status: int
    duration: float


class SampleSession:
    """One working directory shared by the runs of a session, in document order."""

    def __init__(self, post_dir: Path, excluded: tuple[str, ...], output_cap: int,
                 python: str = sys.executable, debian_listing: Path | None = None,
                 pids_max: int = DEFAULT_PIDS_MAX, memory_max: int = DEFAULT_MEMORY_MAX,
                 locks: tuple[str, ...] = ()) -> None:
        self.debian_listing = debian_listing or DEBIAN_PACKAGES_FILE
        self.token = uuid.uuid4().hex
        self.root = Path(tempfile.mkdtemp(prefix="sample-"))
        self.root.chmod(0o755)  # an unprivileged user a sample switches to must enter it
        self.work = self.root / "work"
        shutil.copytree(post_dir, self.work, symlinks=True,
                        ignore=shutil.ignore_patterns(*COPY_IGNORE, *excluded))
        (self.root / "home").mkdir()
        (self.root / "tmp").mkdir(mode=0o1777)
        (self.root / "tmp").chmod(0o1777)
        (self.root / "blocks").mkdir()
        self.imports = self.root / "imports"
        self.imports.mkdir()
        self.imports.chmod(0o1777)  # Python run as another user records its imports too
        self.records_imports = install_hook()
        # Run line -> top-level modules its Python processes imported; read at close,
        # once every process is gone (None: no record could be taken).
        self.imported: dict[int, set[str]] | None = None
        self.output_cap = output_cap
        self.environment = {
            "PATH": f"{Path(python).parent}:{SYSTEM_PATH}",
            "HOME": str(self.root / "home"),
            "TMPDIR": str(self.root / "tmp"),
            "TZ": "UTC",
            "LANG": "C.UTF-8",
            "TERM": "dumb",
            "PYTHONUNBUFFERED": "1",  # keep stdout and stderr in the order they were written
            MARKER: self.token,
        }
        if self.records_imports:
            self.environment[FOLDER_VARIABLE] = str(self.imports)
        self._groups: list[int] = []
        self._drains: list[threading.Thread] = []
        self.caps = (pids_max, memory_max)
        self.locks = [MachineLock(name) for name in locks]
        self._locked = False
        self.cgroups = session_groups(self.token)
        self.network = create_namespace(self.token)

    def run(self, directive: Executed) -> RunResult:
        """Execute one run or exec sample; raise SampleError on timeout or bad output."""
        self._check_needs(directive)
        self._take_locks(directive)
        argv = directive.argv(self.root / "blocks", self.cgroups.join_text())
        if self.network is not None:
            argv = self.network.enter() + argv
        pids_max = directive.pids_max or self.caps[0]
        memory_max = directive.memory_max or self.caps[1]
        self.cgroups.set_caps(pids_max, memory_max)
        refused_forks, oom_kills = self.cgroups.cap_events()
        started = time.monotonic()
        process = subprocess.Popen(
            argv, cwd=self.work, env={**self.environment, **directive.environment(self.work),
                 RUN_VARIABLE: str(directive.line)},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self._groups.append(process.pid)
        raw, size, timed_out, drain = collect_output(process, started + directive.timeout,
                                                     self.output_cap)
        if drain is not None:
            self._drains.append(drain)
        duration = time.monotonic() - started
        forks_now, kills_now = self.cgroups.cap_events()
        if kills_now > oom_kills:
            raise directive.error(
                f"{_what(directive)} hit the session's memory cap (memory.max={format_size(memory_max)}) "
                "and was killed", "raise memory= on the run, or use less memory")
        if forks_now > refused_forks:
            raise directive.error(
                f"{_what(directive)} hit the session's process cap (pids.max={pids_max})",
                "raise pids= on the run, or start fewer processes")
        if timed_out:
            raise directive.error(
                f"{_what(directive)} timed out after {directive.timeout:g} s and was killed "
                "with its whole process group",
                "raise timeout=, or make the command finish (servers belong in the background)",
            )
        if size > self.output_cap:
            raise directive.error(
                f"{_what(directive)} printed {size} bytes, over the "
                f"{self.output_cap // 1024} KiB output cap",
                "print less: write bulky output to a file and show a summary (wc, head, tail)",
            )
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            raise directive.error(
                f"{_what(directive)} printed bytes that are not UTF-8 "
                f"(byte 0x{raw[err.start]:02x} at offset {err.start})",
                "show binary data through a text form such as `xxd` or `base64`",
            ) from None
        status = process.returncode
        status = 128 - status if status < 0 else status
        return RunResult(self.placeholder(text), status, round(duration, 3))

    def placeholder(self, text: str) -> str:
        """Replace the session's temporary root (and the venv) with stable placeholders."""
        for form in {str(self.root.resolve()), str(self.root)}:
            text = text.replace(form, PLACEHOLDER)
        if sys.prefix != sys.base_prefix:
            text = text.replace(sys.prefix, VENV_PLACEHOLDER)
        return text

    def close(self) -> list[int]:
        """Kill everything the session started and remove its files; return killed PIDs."""
        killed: list[int] = []
        deadline = time.monotonic() + 10
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if not self.members() and not self._any_group_alive():
                break
            for group in self._groups:
                try:
                    os.killpg(group, sig)
                except (ProcessLookupError, PermissionError):
                    pass
            pids = self.members()
            for pid in pids:
                try:
                    os.kill(pid, sig)
                    killed.append(pid)
                except (ProcessLookupError, PermissionError):
                    pass
            while self.members() and time.monotonic() < deadline - (5 if sig == signal.SIGTERM else 0):
                time.sleep(0.05)
            if not self.members():
                break
        self.cgroups.remove()
        for lock in self.locks:
            lock.release()
        if self.network is not None:
            self.network.delete()
        if self.records_imports:
            self.imported = imported_names(self.imports)
        shutil.rmtree(self.root, ignore_errors=True)
        return sorted(set(killed))

    def members(self) -> list[int]:
        """PIDs of the live processes the session started.

        With a session cgroup that is exactly the cgroup's members (every command
        joined it before it started, and children inherit it).  Without one, scan
        /proc for the session's process groups and its environment marker.
        """
        if self.cgroups.member is not None:
            return [pid for pid in self.cgroups.members() if alive(pid)]
        return scan_processes(set(self._groups), f"{MARKER}={self.token}".encode())

    def _any_group_alive(self) -> bool:
        for group in self._groups:
            try:
                os.killpg(group, 0)
                return True
            except (ProcessLookupError, PermissionError):
                continue
        return False

    def _take_locks(self, directive: Executed) -> None:
        """Before the session's first run: every machine-wide lock of the post."""
        if self._locked:
            return
        for lock in self.locks:
            if not lock.acquire():
                raise directive.error(
                    f"waited {DEFAULT_WAIT:g} s for the machine-wide lock {lock.name!r} "
                    f"(Sample-Lock), which another session holds ({lock.path})",
                    "let the other build or test run finish, or stop it")
        self._locked = True

    def _check_needs(self, directive: Executed) -> None:
        for tool in directive.needs:
            if shutil.which(tool, path=self.environment["PATH"]) is None:
                package = debian_package_for(tool, self.debian_listing)
                raise directive.error(
                    f"needs {tool!r}, which is not installed",
                    f"install the Debian package {package}: apt-get install {package}"
                    if package else f"install {tool} and declare its Debian package in "
                    "requirements-debian.txt",
                )

def _what(directive: Executed) -> str:
    return directive.noun
