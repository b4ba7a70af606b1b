"""Replaying on the reader's own machine (``verify.py --host``), not in the post's lab:
which of the runs' tools are missing here, and a venv with the lab's Python requirements."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable


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
