"""Finding every process a session started, however it detached.

Where the machine lets us (root, a writable cgroup hierarchy), each session gets
a cgroup of its own and every command moves itself into it before it starts:
children inherit it through fork, setsid and double forks, so daemons that
rewrite their process title (and with it their environment) are still found.
Without cgroups the session falls back to process groups and an environment
marker, which catches everything except such title-rewriting daemons.
"""

from __future__ import annotations

import shlex
from pathlib import Path

CGROUP_ROOTS = (Path("/sys/fs/cgroup/unified"), Path("/sys/fs/cgroup"), Path("/sys/fs/cgroup/pids"))


def session_cgroup(token: str) -> Path | None:
    """Create a cgroup for a session, or return None where that is not possible."""
    for root in CGROUP_ROOTS:
        if not (root / "cgroup.procs").is_file():
            continue
        group = root / _own_path(root) / f"sample-{token}"
        try:
            group.mkdir()
            return group
        except OSError:
            continue
    return None


def _own_path(root: Path) -> str:
    """Our own cgroup in that hierarchy, so the session's group nests under it."""
    unified = root.name != "pids"
    try:
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            number, controllers, path = line.split(":", 2)
            if (unified and number == "0") or (not unified and "pids" in controllers.split(",")):
                candidate = path.lstrip("/")
                if (root / candidate / "cgroup.procs").is_file():
                    return candidate
    except OSError:
        pass
    return ""


def join_cgroup(group: Path | None) -> str:
    """Shell text that moves the shell into ``group`` (a builtin: no extra process)."""
    if group is None:
        return ""
    return f"echo $$ > {shlex.quote(str(group / 'cgroup.procs'))} || exit 125; "


def cgroup_members(group: Path | None) -> list[int]:
    if group is None:
        return []
    try:
        return [int(pid) for pid in (group / "cgroup.procs").read_text().split()]
    except OSError:
        return []


def remove_cgroup(group: Path | None) -> None:
    if group is not None:
        try:
            group.rmdir()
        except OSError:
            pass  # still populated by something unkillable; the kernel keeps it harmlessly
