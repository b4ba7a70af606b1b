"""One session: a folder with the post's files in which runs execute in order.

With a built lab (``lab=``), the runs execute inside it (``jail``): the session's
folder is all they see of the host, at the settings' ``root_placeholder``
(``/tmp/sample``), and the jail's namespaces hold and kill everything they start.
Without one, they run on this machine, isolated as far as it allows (a network
namespace and cgroups as root; process groups and a marker otherwise).

The session's folder holds ``work/`` (a fresh copy of the post's files, every run's
working directory), ``home/`` (HOME), ``tmp/`` (TMPDIR) and ``blocks/`` (exec blocks,
outside ``work/`` so that ``ls`` never shows them).  Each run gets its own process
group; what it leaves in the background lives on for the later runs, and closing the
session kills everything it started (its cgroup, its process groups, every process
carrying its marker), then removes its namespace and folder.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from .cgroups import SessionGroups, session_groups
from .compare import run_differences
from .jail import Jail
from .lab import VENV, BuiltLab
from .netns import NetworkNamespace, create_namespace
from .output import collect_output
from .processes import (
    MARKER,
    TERMINATION,
    alive,
    any_group_alive,
    scan_processes,
    signal_groups,
    signal_processes,
)
from .runs import EXEC_LANGUAGES, WORK_TEMPLATE, RunFailure, RunResult, RunSpec
from .settings import Settings
from .userns import SYSTEM_PATH, remove_tree

RUN_VARIABLE = "SAMPLE_RUN"  # the line of the run a process belongs to
FOLDERS = ("home", "tmp", "blocks")


class Session:
    """Runs in order in one folder; a context manager that leaves nothing behind.

    ``files``: the folder copied to ``work/`` (``ignore``: glob patterns of names left out);
    ``bin_dir``: put first on PATH (the venv's bin, or a folder where ``python`` is);
    ``venv``: shown as the venv placeholder in outputs; ``environment``: added to every run ({root} stands for
    the session's folder); ``folders``: more folders to create in it, writable by all;
    ``lab``: the built lab the runs execute in (None: this machine).
    """

    def __init__(self, files: Path, settings: Settings, *, bin_dir: Path | None = None,
                 venv: Path | None = None, ignore: tuple[str, ...] = (),
                 environment: dict[str, str] | None = None, folders: tuple[str, ...] = (),
                 lab: BuiltLab | None = None) -> None:
        self.lab = lab
        self.jail: Jail | None = None
        self.files, self.settings, self.bin_dir, self.venv = files, settings, bin_dir, venv
        self.ignore, self.folders = ignore, folders
        self.extra_environment = dict(environment or {})
        self.root: Path | None = None
        self.environment: dict[str, str] = {}
        self.network: NetworkNamespace | None = None
        self.cgroups: SessionGroups | None = None
        self._groups: list[int] = []
        self._drains: list[threading.Thread] = []
        self.token = uuid.uuid4().hex

    @property
    def work(self) -> Path:
        assert self.root is not None, "the session is not open"
        return self.root / "work"

    def __enter__(self) -> Session:
        return self.open()

    def __exit__(self, *exc_info) -> None:
        self.close()

    def open(self) -> Session:
        """Make the folder, copy the files, create the cgroups and the namespace; on any
        failure undo what was done and raise."""
        self.root = Path(tempfile.mkdtemp(prefix="sample-"))
        try:
            self.root.chmod(0o755)  # an unprivileged user a sample switches to must enter it
            if self.files.is_dir():
                shutil.copytree(self.files, self.work, symlinks=True,
                                ignore=shutil.ignore_patterns(*self.ignore))
            else:  # a post whose runs need no file of its own
                self.work.mkdir()
            for name in (*FOLDERS, *self.folders):
                (self.root / name).mkdir()
                if name != "home" and name != "blocks":
                    (self.root / name).chmod(0o1777)
            if self.lab is not None:  # users a sample switches to inside write its files
                self.work.chmod(0o1777)
            inside = self.inside
            path = SYSTEM_PATH
            if self.lab is not None and self.lab.has_venv:
                path = f"{VENV}/bin:{SYSTEM_PATH}"
            elif self.lab is None and self.bin_dir:
                path = f"{self.bin_dir}:{SYSTEM_PATH}"
            self.environment = {
                "PATH": path,
                "HOME": f"{inside}/home",
                "TMPDIR": f"{inside}/tmp",
                "TZ": "UTC",
                "LANG": "C.UTF-8",
                "TERM": "dumb",
                "PYTHONUNBUFFERED": "1",  # keep stdout and stderr in the order they were written
                MARKER: self.token,
                **{name: value.replace("{root}", inside)
                   for name, value in self.extra_environment.items()},
            }
            if self.lab is not None:
                self.environment.update(USER="root", LOGNAME="root")
            self.cgroups = session_groups(self.token)
            if self.lab is not None:
                self.jail = Jail(self.lab, self.root, mount_at=self.settings.root_placeholder,
                                 cgroups=self.cgroups.groups).start()
            else:
                self.network = create_namespace(self.token)
        except BaseException:
            self.close()
            raise
        return self

    @property
    def inside(self) -> str:
        """The session's folder as its runs see it."""
        assert self.root is not None, "the session is not open"
        return self.settings.root_placeholder if self.lab is not None else str(self.root)

    def run(self, spec: RunSpec) -> RunResult:
        """Execute one run; raise RunFailure when it gave no result to compare."""
        assert self.cgroups is not None and self.root is not None
        settings = self.settings
        argv = self._argv(spec)
        if self.network is not None:
            argv = self.network.enter() + argv
        pids_max = spec.pids_max or settings.pids_max
        memory_max = spec.memory_max or settings.memory_max
        self.cgroups.set_caps(pids_max, memory_max)
        refused_forks, oom_kills = self.cgroups.cap_events()
        work = f"{self.inside}/work"
        environment = {**self.environment, RUN_VARIABLE: str(spec.line),
                       **{name: value.replace(WORK_TEMPLATE, work)
                          for name, value in spec.environment.items()}}
        started = time.monotonic()
        if self.jail is not None:
            raw, size, timed_out, drain, status = self.jail.run(
                argv, environment, work, started + spec.timeout, settings.output_cap,
                settings.drain_grace)
            return self._result(spec, raw, size, timed_out, drain, status, started,
                                pids_max, memory_max, refused_forks, oom_kills)
        try:
            process = subprocess.Popen(argv, cwd=self.work, env=environment, stdin=subprocess.DEVNULL,
                                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        except OSError as err:
            raise RunFailure(f"could not start {argv[0]}: {err.strerror}",
                             "install it, or fix the command") from None
        self._groups.append(process.pid)
        raw, size, timed_out, drain = collect_output(process, started + spec.timeout,
                                                     settings.output_cap, settings.drain_grace)
        status = process.returncode
        status = 128 - status if status < 0 else status
        return self._result(spec, raw, size, timed_out, drain, status, started,
                            pids_max, memory_max, refused_forks, oom_kills)

    def _result(self, spec: RunSpec, raw: bytes, size: int, timed_out: bool,
                drain: threading.Thread | None, status: int, started: float, pids_max: int,
                memory_max: int, refused_forks: int, oom_kills: int) -> RunResult:
        """What a finished command gave, or the RunFailure that says why it gave nothing."""
        assert self.cgroups is not None
        settings = self.settings
        if drain is not None:
            self._drains.append(drain)
        duration = time.monotonic() - started
        forks_now, kills_now = self.cgroups.cap_events()
        if kills_now > oom_kills:
            raise RunFailure(f"hit the session's memory cap (memory.max={format_size(memory_max)}) "
                             "and was killed", "raise memory= on the run, or use less memory")
        if forks_now > refused_forks:
            raise RunFailure(f"hit the session's process cap (pids.max={pids_max})",
                             "raise pids= on the run, or start fewer processes")
        if timed_out:
            raise RunFailure(f"timed out after {spec.timeout:g} s and was killed with its whole "
                             "process group", "raise timeout=, or make the command finish (servers "
                             "belong in the background)")
        if size > settings.output_cap:
            raise RunFailure(f"printed {size} bytes, over the {settings.output_cap // 1024} KiB "
                             "output cap", "print less: write bulky output to a file and show a "
                             "summary (wc, head, tail)")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            raise RunFailure(f"printed bytes that are not UTF-8 (byte 0x{raw[err.start]:02x} at "
                             f"offset {err.start})", "show binary data through a text form such "
                             "as `xxd` or `base64`") from None
        return RunResult(self.placeholder(text), status, round(duration, 3), self._figure(spec))

    def _figure(self, spec: RunSpec) -> bytes | None:
        """The figure file the run wrote in the work folder (None: none is there)."""
        if not spec.figure:
            return None
        path = self.work / spec.figure
        if not path.is_file():
            return None
        size = path.stat().st_size
        if size > self.settings.output_cap:
            raise RunFailure(f"wrote the figure {spec.figure} of {size} bytes, over the "
                             f"{self.settings.output_cap // 1024} KiB output cap",
                             "make it smaller (fewer points, SVG rather than PNG, or a lower dpi)")
        return path.read_bytes()

    def _argv(self, spec: RunSpec) -> list[str]:
        """bash -c for a run; the interpreter on the block, written to a file, for an exec.
        The cgroup prelude runs first, on the same line, so bash's "line N" stays the author's
        (in a lab, the jail joined the cgroups before its first process started)."""
        assert self.cgroups is not None and self.root is not None
        prelude = "" if self.jail is not None else self.cgroups.join_text()
        if spec.kind == "run":
            return ["/bin/bash", "-c", prelude + spec.command]
        interpreter, suffix = EXEC_LANGUAGES[spec.lang]
        name = f"line{spec.line}.{suffix}"
        (self.root / "blocks" / name).write_text(spec.body + "\n", encoding="utf-8")
        block = f"{self.inside}/blocks/{name}"
        if not prelude:
            return [interpreter, block]
        return ["/bin/sh", "-c", prelude + 'exec "$@"', "sample", interpreter, block]

    def placeholder(self, text: str) -> str:
        """Write the session's folder and the venv as the settings' placeholders."""
        assert self.root is not None
        for form in {str(self.root.resolve()), str(self.root)}:
            text = text.replace(form, self.settings.root_placeholder)
        if self.venv is not None:
            text = text.replace(str(self.venv), self.settings.venv_placeholder)
        return text

    def members(self) -> list[int]:
        """PIDs of the live processes the session started: its cgroup's members where it
        has one (every command joined it before starting, children inherit it), else its
        process groups and the processes carrying its marker."""
        if self.cgroups is not None and self.cgroups.member is not None:
            return [pid for pid in self.cgroups.members() if alive(pid)]
        return scan_processes(set(self._groups), f"{MARKER}={self.token}".encode())

    def stop(self) -> list[int]:
        """Kill everything the session started (SIGTERM, then SIGKILL after the grace);
        return the PIDs signalled."""
        if self.jail is not None:
            killed = self.jail.members()
            self.jail.close(self.settings.kill_grace)
            self.jail = None
            return killed
        killed: list[int] = []
        deadline = time.monotonic() + 2 * self.settings.kill_grace
        for sig in TERMINATION:
            if not self.members() and not any_group_alive(self._groups):
                break
            signal_groups(self._groups, sig)
            killed += signal_processes(self.members(), sig)
            until = deadline - (self.settings.kill_grace if sig == TERMINATION[0] else 0)
            while self.members() and time.monotonic() < until:
                time.sleep(0.05)
            if not self.members():
                break
        return sorted(set(killed))

    def remove(self) -> None:
        """Remove the cgroups, the namespace and the folder."""
        if self.cgroups is not None:
            self.cgroups.remove()
        if self.network is not None:
            self.network.delete()
            self.network = None
        if self.root is not None:
            if self.lab is not None:  # users a sample switched to own some of its files
                remove_tree(self.root)
            else:
                shutil.rmtree(self.root, ignore_errors=True)

    def close(self) -> list[int]:
        """``stop`` then ``remove``; return the PIDs signalled."""
        killed = self.stop() if self.root is not None else []
        self.remove()
        return killed


def replay(files: Path, settings: Settings, sessions: list, target: int | None = None,
           **where) -> Iterator[tuple[str, RunSpec, dict, list[str], int | None]]:
    """Replay recorded sessions (a manifest's: ``name`` and ``runs``, each run a RunSpec's
    fields plus its recorded ``output`` and ``recorded_figure``) in fresh sessions over
    ``files`` (``where``: a lab, or a host's bin folder and venv), stopping after the run at
    line ``target`` when given.  Yields, per run: the session's name, the run, its record, how
    it differs from the record (empty: it matches) and its exit status (None: no result)."""
    for recorded in sessions:
        with Session(files, settings, **where) as live:
            for run in recorded["runs"]:
                spec = RunSpec.from_dict(run)
                try:
                    result = live.run(spec)
                except RunFailure as failure:
                    yield recorded["name"], spec, run, [failure.message], None
                else:
                    yield recorded["name"], spec, run, run_differences(
                        run["output"], spec.exit, run.get("recorded_figure"), result, spec.masks,
                        spec.figure, spec.figure_varies, f"index.md line {spec.line}",
                        settings.masked), result.exit_status
                if spec.line == target:
                    return


def python_shim() -> Path:
    """A folder where ``python`` is this interpreter, as runs expect without a venv."""
    folder = Path(tempfile.mkdtemp(prefix="sandbox-bin-"))
    for name in ("python", "python3"):
        (folder / name).symlink_to(sys.executable)
    return folder


SIZE_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}


def format_size(size: int) -> str:
    """``4G``, ``512M``, or bytes when no binary unit divides it."""
    for unit in ("G", "M", "K"):
        if size % SIZE_UNITS[unit] == 0:
            return f"{size // SIZE_UNITS[unit]}{unit}"
    return str(size)
