"""Pages and static files outside the post folders (``content/pages``, ``content/images``):
what Pelican reads or copies from there must be inside the content folder.

Pelican follows symlinks (files and folders) and would publish whatever they lead to.  Post
folders have the engine's own check (``engine.pipeline.check_folder``), which names the post;
this one covers the rest, one error per file, and the error fails the build.
"""

from __future__ import annotations

import logging
import os
from itertools import chain
from pathlib import Path

from engine.config import SamplesConfig

logger = logging.getLogger(__name__)


def check_pages(generator) -> None:
    """``page_generator_finalized``: every page read from inside the content folder."""
    contents = chain(generator.pages, generator.hidden_pages, generator.draft_pages)
    _refuse_outside(contents, generator.settings, "page")


def check_statics(generator) -> None:
    """``static_generator_finalized``: every static file copied from inside the content folder."""
    _refuse_outside(generator.staticfiles, generator.settings, "file")


def _refuse_outside(contents, settings: dict, kind: str) -> None:
    config = SamplesConfig.from_settings(settings)
    root = config.content_path
    for content in contents:
        source = Path(content.source_path)
        if config.in_post_folder(source):
            continue  # the post's own check names it
        target = source.resolve()
        if root not in target.parents:
            logger.error("%s: this %s leads outside the content folder (a symlink to %s): the "
                         "build would publish it (copy the file into the content folder instead "
                         "of linking to it)", _shown(source, config.project_root), kind, target)


def _shown(source: Path, root: Path) -> str:
    """The path as the author sees it in the tree (``display_path`` would follow the link)."""
    relative = os.path.relpath(os.path.abspath(source), root)
    return source.as_posix() if relative.startswith("..") else relative
