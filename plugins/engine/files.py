"""A post's folder: which of its files sessions, digests and downloads see, and reading
the file an include names (never one outside the folder)."""

from __future__ import annotations

import fnmatch
import functools
import re
from pathlib import Path

from .model import Include

# Editor and tool debris in a post's folder: never copied, hashed or published.
COPY_IGNORE = ("__pycache__", "*.pyc", ".#*", "*~", "*.swp", ".ruff_cache", ".pytest_cache",
               ".mypy_cache", ".DS_Store")


@functools.lru_cache(maxsize=32)
def ignored_names(patterns: tuple[str, ...]):
    """One compiled matcher for a tuple of glob patterns (names, not paths); compiled once
    per tuple, since a build asks for it once per post."""
    return re.compile("|".join(fnmatch.translate(p) for p in patterns)).match


def post_files(post_dir: Path, excluded: tuple[str, ...]) -> list[Path]:
    """Files and symlinks in a post's folder as a session sees them, sorted; editor and
    tool debris and ``excluded`` names left out (what is hashed, copied and offered)."""
    ignored = ignored_names(COPY_IGNORE + excluded)
    return [path for path in sorted(post_dir.rglob("*"))
            if (path.is_file() or path.is_symlink())
            and not any(ignored(part) for part in path.relative_to(post_dir).parts)]


def links_leaving(post_dir: Path, excluded: tuple[str, ...]) -> list[tuple[str, Path]]:
    """(relative name, where it leads) of every symlink in the post's folder that resolves
    outside it.  Whatever the folder holds is published, packed into the reproduce archive
    and copied into sessions, so such a link would publish a file the author never meant to
    (``/etc/passwd``, the site's settings): every post is checked, used by a sample or not."""
    root = post_dir.resolve()
    leaving = []
    for path in post_files(post_dir, excluded):
        if path.is_symlink():
            target = path.resolve()
            if target != root and root not in target.parents:
                leaving.append((path.relative_to(post_dir).as_posix(), target))
    return leaving


def resolve_sample_path(include: Include, post_dir: Path) -> Path:
    """The file an include names, refusing anything outside the post's folder."""
    relpath = include.relpath
    parts = Path(relpath).parts
    if not relpath or Path(relpath).is_absolute() or ".." in parts:
        raise include.error(
            f"path {relpath!r} leaves the post's folder",
            "paths are relative to the post's folder and may not use '..' or start with '/'",
        )
    candidate = post_dir / relpath
    root = post_dir.resolve()
    resolved = candidate.resolve()
    if root not in resolved.parents and resolved != root:
        raise include.error(
            f"path {relpath!r} is a symlink that escapes the post's folder (to {resolved})",
            "copy the file into the post's folder instead of linking to it",
        )
    if not resolved.is_file():
        siblings = sorted(p.name for p in candidate.parent.glob("*") if p.is_file()) \
            if candidate.parent.is_dir() else []
        raise include.error(
            f"file {relpath!r} does not exist",
            "files beside the post: " + (", ".join(siblings) or "none"),
        )
    return resolved


def read_included(include: Include, post_dir: Path) -> str:
    """The text of the file an include names; a positioned error if it is not text."""
    source = resolve_sample_path(include, post_dir)
    try:
        return source.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise include.error(f"{include.relpath} is not UTF-8 text ({err.reason} at byte {err.start})",
                            "only text files can be included") from None
