"""What each tool a run needs was at verification time (provenance in the store)."""

from __future__ import annotations

import os
import shutil
import subprocess

_VERSIONS: dict[str, str] = {}


def tool_versions(tools: tuple[str, ...]) -> dict[str, str]:
    """Each needed tool's Debian package and version when dpkg knows the file, else the
    first line of a successful ``tool --version`` (looked up once per process)."""
    for tool in tools:
        if tool not in _VERSIONS:
            _VERSIONS[tool] = _debian_version(tool) or _self_reported_version(tool) or "unknown"
    return {tool: _VERSIONS[tool] for tool in tools}


def _debian_version(tool: str) -> str | None:
    path = shutil.which(tool)
    if path is None:
        return None
    for candidate in dict.fromkeys([path, os.path.realpath(path)]):
        owner = _quiet(["dpkg-query", "-S", candidate])
        if owner:
            package = owner.split(":", 1)[0].strip()
            version = _quiet(["dpkg-query", "-W", "-f=${Version}", package])
            if version:
                return f"{package} {version}"
    return None


def _self_reported_version(tool: str) -> str | None:
    output = _quiet([tool, "--version"])
    return output.splitlines()[0].strip() if output else None


def _quiet(argv: list[str]) -> str | None:
    """Output of a successful short command, or None."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=10,
                              stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (done.stdout or done.stderr).strip()
    return text if done.returncode == 0 and text else None
