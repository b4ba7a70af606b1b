"""Display paths for posts: relative to the project root, as authors type them."""

from __future__ import annotations

import os
from pathlib import Path


def display_path(path: str | os.PathLike, root: str | os.PathLike | None = None) -> str:
    """Return ``path`` relative to ``root`` (default: the working directory) when inside it."""
    resolved = Path(path).resolve()
    base = Path(root or os.getcwd()).resolve()
    try:
        return resolved.relative_to(base).as_posix()
    except ValueError:
        return resolved.as_posix()
