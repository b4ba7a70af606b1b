"""A session's cgroups: finding every process it started, and capping them.

Where the machine lets us (root, a writable cgroup hierarchy), each session gets a
cgroup of its own and every command moves itself into it before it starts:
children inherit it through fork, setsid and double forks, so daemons that rewrite
their process title (and with it their environment) are still found.  Without
cgroups the session falls back to process groups and an environment marker.

The same groups carry the caps: ``pids.max`` (a fork storm stops there) and the
memory limit (``memory.max`` in cgroup v2, ``memory.limit_in_bytes`` in v1), set
before each run, with event counters telling afterwards whether a cap was hit.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from pathlib import Path

CGROUP = Path("/sys/fs/cgroup")
MEMBERSHIP_ROOTS = (CGROUP / "unified", CGROUP, CGROUP / "pids")


@dataclass
class SessionGroups:
    """The cgroups of one session (any may be None where the machine has none)."""

    member: Path | None  # every process of the session: found and killed through it
    pids: Path | None  # where pids.max applies
    memory: Path | None  # where the memory limit applies
    written: tuple[int, int] | None = field(default=None, repr=False)  # the caps set last

    @property
    def groups(self) -> list[Path]:
        return list(dict.fromkeys(g for g in (self.member, self.pids, self.memory) if g))

    def join_text(self) -> str:
        """Shell text that moves the shell into every group (builtins: no extra process)."""
        return "".join(f"echo $$ > {shlex.quote(str(g / 'cgroup.procs'))} || exit 125; "
                       for g in self.groups)

    def members(self) -> list[int]:
        if self.member is None:
            return []
        try:
            return [int(pid) for pid in (self.member / "cgroup.procs").read_text().split()]
        except OSError:
            return []

    def set_caps(self, pids: int, memory: int) -> None:
        """Write the caps, unless they are already the group's (a write costs a millisecond
        or two, and most runs of a session keep its caps)."""
        if self.written == (pids, memory):
            return
        self.written = (pids, memory)
        if self.pids is not None:
            _write(self.pids / "pids.max", str(pids))
        if self.memory is not None:
            for name in ("memory.max", "memory.limit_in_bytes"):
                if (self.memory / name).exists():
                    _write(self.memory / name, str(memory))
                    break

    def cap_events(self) -> tuple[int, int]:
        """(times a fork was refused at pids.max, processes killed at the memory limit)."""
        forks = _counter(self.pids, "pids.events", "max") if self.pids else 0
        kills = 0
        if self.memory is not None:
            kills = max(_counter(self.memory, "memory.events", "oom_kill"),
                        _counter(self.memory, "memory.oom_control", "oom_kill"))
        return forks, kills

    def remove(self) -> None:
        for group in self.groups:
            try:
                group.rmdir()
            except OSError:
                pass  # still populated by something unkillable; the kernel keeps it harmlessly


def session_groups(token: str) -> SessionGroups:
    """Create the cgroups of a session, as far as this machine allows."""
    member = None
    for root in MEMBERSHIP_ROOTS:
        if (root / "cgroup.procs").is_file():
            member = _make(root, _own_path(root, "0" if root != CGROUP / "pids" else "pids"), token)
            if member is not None:
                break
    pids = member if member and (member / "pids.max").exists() else \
        _make(CGROUP / "pids", _own_path(CGROUP / "pids", "pids"), token)
    memory = member if member and (member / "memory.max").exists() else \
        _make(CGROUP / "memory", _own_path(CGROUP / "memory", "memory"), token)
    return SessionGroups(member, pids, memory)


def _make(root: Path, own: str | None, token: str) -> Path | None:
    if own is None or not (root / "cgroup.procs").is_file():
        return None
    group = root / own / f"sample-{token}"
    try:
        group.mkdir(exist_ok=True)
        return group
    except OSError:
        return None


def _own_path(root: Path, controller: str) -> str | None:
    """Our own cgroup in that hierarchy ("0": the unified one), so the session's nests under it."""
    try:
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            number, controllers, path = line.split(":", 2)
            if (controller == "0" and number == "0") or controller in controllers.split(","):
                candidate = path.lstrip("/")
                if (root / candidate / "cgroup.procs").is_file():
                    return candidate
    except OSError:
        pass
    return "" if controller == "0" else None


def _write(path: Path, value: str) -> None:
    try:
        path.write_text(value)
    except OSError:
        pass  # a cap the machine refuses is no cap; the run still executes


def _counter(group: Path, name: str, key: str) -> int:
    try:
        for line in (group / name).read_text().splitlines():
            field, _, value = line.partition(" ")
            if field == key:
                return int(value)
    except (OSError, ValueError):
        pass
    return 0
