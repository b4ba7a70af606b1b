"""What some cases need from the machine: root (to mount a small tmpfs), an sshd, and
hermetic sessions (a lab with its namespaces, and process and memory caps: root with cgroups).
Without them the fork storm would really fork and the connect case would refuse to try."""

from __future__ import annotations

import functools
import os

import sshserver
from sandbox.cgroups import session_groups
from sandbox.userns import missing_tools


@functools.cache
def hermetic_sessions() -> str:
    if os.geteuid() != 0:
        return "hermetic sessions, which need root (CI runs as root)"
    missing = missing_tools("mmdebstrap", "unshare", "mount")
    if missing:
        return "hermetic sessions, which run in labs: install " + ", ".join(missing)
    groups = session_groups(f"corpus-probe-{os.getpid()}")
    try:
        if groups.pids is None or groups.memory is None:
            return "hermetic sessions, which need cgroups with the pids and memory controllers"
    finally:
        groups.remove()
    return ""


def missing_requirement(requires: tuple[str, ...]) -> str:
    """Why the case cannot run here, or "" when it can."""
    for requirement in requires:
        if requirement == "root" and os.geteuid() != 0:
            return "root (it mounts a small tmpfs; CI runs as root)"
        if requirement == "sshd" and (reason := sshserver.available()):
            return reason
        if requirement == "hermetic" and (reason := hermetic_sessions()):
            return reason
    return ""
