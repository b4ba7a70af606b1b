"""What some cases need from the machine: root (to mount a small tmpfs), an sshd, and
the hermetic sessions of the engine (network namespace, process and memory caps)."""

from __future__ import annotations

import os

import sshserver


def hermetic_sessions() -> str:
    from samples.config import DEFAULTS  # noqa: PLC0415

    if "SAMPLES_PIDS_MAX" not in DEFAULTS:
        return "hermetic sessions (SAMPLES_PIDS_MAX and SAMPLES_MEMORY_MAX in samples.config)"
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
