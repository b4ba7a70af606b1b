"""Make Pelican's content cache see sample files, not only the post's Markdown.

Pelican stamps a cached post with its Markdown file alone, so an edited sample or
a refreshed freeze store would leave a stale page.  The stamp of a post becomes
(Pelican's own stamp, digest of every other file in the post's folder).
"""

from __future__ import annotations

from pathlib import Path

from .store import folder_digest


def key_content_cache_on_samples(generator) -> None:
    """article_generator_init receiver: widen the stamp of both cache layers."""
    settings = generator.settings
    if not (settings.get("CACHE_CONTENT") or settings.get("LOAD_CONTENT_CACHE")):
        return  # no cache: stamps are never compared, so hashing folders would be waste
    digests: dict[Path, str] = {}
    for cacher in (generator, getattr(generator, "readers", None)):
        if cacher is not None and hasattr(cacher, "_get_file_stamp"):
            _widen(cacher, Path(generator.path), digests)


def _widen(cacher, content_path: Path, digests: dict[Path, str]) -> None:
    original = cacher._get_file_stamp
    if getattr(original, "samples_widened", False):
        return

    def stamp(filename):
        path = Path(filename)
        if not path.is_absolute():
            path = content_path / path
        own = original(str(path))
        if path.name == "index.md":
            if path not in digests:  # one digest per post per build, shared by both layers
                digests[path] = folder_digest(path.parent, (path.name,))
            return (own, digests[path])
        return own

    stamp.samples_widened = True
    cacher._get_file_stamp = stamp
