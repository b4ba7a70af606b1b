"""Make Pelican's content cache see sample files, not only the post's Markdown.

Pelican stamps a cached post with its Markdown file alone, so an edited sample or
a refreshed freeze store would leave a stale page.  The stamp of a post becomes
(Pelican's own stamp, digest of every other file in the post's folder).

This wraps a private Pelican method, ``FileStampDataCacher._get_file_stamp``.
``check_pelican_internals`` says what is missing if Pelican changes it; the build
then fails instead of serving stale pages, and a test runs the same check.
"""

from __future__ import annotations

import logging
from pathlib import Path

from engine.config import SamplesConfig
from engine.keys import file_digests, folder_digest
from upstream import check_upstream

logger = logging.getLogger(__name__)
PRIVATE_STAMP = "_get_file_stamp"
def check_pelican_internals() -> list[str]:
    """What the engine needs of Pelican's private API and did not find (empty: all there),
    as plugins/upstream.py lists and checks it."""
    return check_upstream(used_in="plugins/samples/cache.py")


def key_content_cache_on_samples(generator) -> None:
    """article_generator_init receiver: widen the stamp of both cache layers."""
    settings = generator.settings
    if not (settings.get("CACHE_CONTENT") or settings.get("LOAD_CONTENT_CACHE")):
        return  # no cache: stamps are never compared, so hashing folders would be waste
    missing = check_pelican_internals()
    if missing:
        logger.error("samples: Pelican's content cache cannot see sample files (%s); turn "
                     "CACHE_CONTENT and LOAD_CONTENT_CACHE off, or pin the Pelican version in "
                     "requirements.txt", "; ".join(missing))
        return
    config = SamplesConfig.from_settings(settings)
    digests: dict[Path, str] = {}
    for cacher in (generator, getattr(generator, "readers", None)):
        if cacher is not None:
            _widen(cacher, Path(generator.path), config, digests)


def _widen(cacher, content_path: Path, config: SamplesConfig, digests: dict[Path, str]) -> None:
    original = getattr(cacher, PRIVATE_STAMP)
    if getattr(original, "samples_widened", False):
        return

    def stamp(filename):
        path = Path(filename)
        if not path.is_absolute():
            path = content_path / path
        own = original(str(path))
        if path.name == config.post_file:
            if path not in digests:  # one digest per post per build, shared by both layers
                digests[path] = folder_digest(file_digests(path.parent, (path.name,)))
            return (own, digests[path])
        return own

    stamp.samples_widened = True
    setattr(cacher, PRIVATE_STAMP, stamp)
