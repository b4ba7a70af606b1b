"""Replaying on the reader's own machine (``verify.py --host``), not in the post's lab:
which of the runs' tools are missing here, and a venv with the lab's Python requirements."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

from .session import python_shim
from .userns import LabError


def missing_commands(manifest: dict, runs: list, path: str, debian_only: bool = False) -> dict:
    """Tool -> Debian package (or None) of every tool the chosen runs call that is absent
    from ``path`` (with ``debian_only``, only tools a Debian package provides)."""
    wanted = {tool for run in runs for tool in run["needs"]} | set(manifest["tools"])
    return {tool: manifest["tools"].get(tool) for tool in sorted(wanted)
            if (manifest["tools"].get(tool) or not debian_only)
            and shutil.which(tool, path=path) is None}


def make_venv(requirements: Path, folder: Path, say: Callable[[str], object] = print) -> Path:
    """A venv with the pinned requirements (made again only when they changed)."""
    stamp = hashlib.sha256(requirements.read_bytes() + sys.version.encode()).hexdigest()
    if (folder / "stamp").is_file() and (folder / "stamp").read_text() == stamp:
        return folder
    say(f"creating {folder.name}/ with the pins of requirements.txt (pip needs the network)")
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(folder)], check=True)
    pins = [line for line in requirements.read_text().splitlines() if line.split("#")[0].strip()]
    if pins:
        subprocess.run([str(folder / "bin" / "python"), "-m", "pip", "install", "-q",
                        "--disable-pip-version-check", "-r", str(requirements)], check=True)
    (folder / "stamp").write_text(stamp)
    return folder


@contextmanager
def host_python(requirements: Path, venv: Path | None,
                say: Callable[[str], object] = print) -> Iterator[tuple[Path, Path | None]]:
    """``(bin_dir, venv)`` for a replay on this machine: the venv at ``venv`` made with the
    pinned requirements when one is asked for, else a folder where ``python`` is this
    interpreter, removed afterwards.  A venv that cannot be made raises LabError."""
    if venv is not None:
        try:
            venv = make_venv(requirements, venv, say)
        except (subprocess.CalledProcessError, OSError) as err:
            raise LabError(f"could not create the venv: {err}",
                           "check that pip reaches PyPI, or replay without --venv") from None
        yield venv / "bin", venv
        return
    shim = python_shim()
    try:
        yield shim, None
    finally:
        shutil.rmtree(shim, ignore_errors=True)
