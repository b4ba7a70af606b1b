"""Cross-post rules, run once every article is read (``article_generator_finalized``)."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from engine.config import SamplesConfig
from engine.parse import header_fields
from engine.positions import display_path

from .sources import first_line, unlinked_sources

logger = logging.getLogger(__name__)
# How an unlinked source is reported (POSTRULES_UNLINKED_SOURCES): an error or a warning
# fails the strict build, a note is printed on stderr and fails nothing, off skips the rule.
SOURCE_LEVELS = {"error": logging.ERROR, "warning": logging.WARNING, "note": "note", "off": None}


def check_articles(generator) -> None:
    """Log one positioned error per broken rule; the strict build fails on them."""
    config = SamplesConfig.from_settings(generator.settings)
    articles = sorted([*generator.articles, *generator.drafts], key=lambda a: a.source_path)
    where = {a.source_path: display_path(Path(a.source_path), config.project_root) for a in articles}
    for problem in [*duplicate_slugs(articles, where), *colliding_tags(articles, where),
                    *folders_without_post(config)]:
        logger.error("%s", problem)
    level = SOURCE_LEVELS[generator.settings.get("POSTRULES_UNLINKED_SOURCES", "warning")]
    if level is not None:
        for article in generator.articles:
            for problem in sources_without_link(article, where[article.source_path]):
                if level == "note":
                    print(f"note: {problem}", file=sys.stderr)
                else:
                    logger.log(level, "%s", problem)


def sources_without_link(article, where: str) -> list[str]:
    """One positioned message per RFC, manual page or document the post names and never links."""
    # Kept on the post: the live loop lists the same Article again after another post's edit.
    found = getattr(article, "postrules_unlinked", None)
    if found is None or found[0] is not article._content:
        found = article.postrules_unlinked = (article._content, unlinked_sources(article._content))
    unlinked = found[1]
    if not unlinked:
        return []  # the post's Markdown is read only to position a problem
    try:
        markdown = Path(article.source_path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        markdown = ""
    return [f"{where}:{first_line(markdown, source)}: {source.name} is named with no link to it "
            f"({source.hint})" for source in unlinked]


def duplicate_slugs(articles, where: dict[str, str]) -> list[str]:
    first: dict[tuple[str, str], object] = {}
    problems = []
    for article in articles:
        owner = first.setdefault((article.slug, article.lang), article)
        if owner is not article:
            problems.append(
                f"{where[article.source_path]}:{header_line(article.source_path, 'title')}: the slug "
                f"{article.slug!r} is already the slug of {where[owner.source_path]} (both would be "
                f"written to {article.save_as}) (give each post its own title or folder name)")
    return problems


def colliding_tags(articles, where: dict[str, str]) -> list[str]:
    """Tags are grouped by slug: 'Web Dev' and 'web-dev' silently become one tag page."""
    first: dict[str, tuple[str, object]] = {}
    problems = []
    for article in articles:
        for tag in getattr(article, "tags", []):
            name, owner = first.setdefault(tag.slug, (tag.name, article))
            if tag.name != name:
                problems.append(
                    f"{where[article.source_path]}:{header_line(article.source_path, 'tags')}: tag "
                    f"{tag.name!r} shares the URL {tag.url} with tag {name!r} of "
                    f"{where[owner.source_path]} (write the tag the same way in every post)")
    return problems


def folders_without_post(config: SamplesConfig) -> list[str]:
    """A folder of files under the article folders that is no post's (nor inside one)."""
    problems = []
    for root in config.post_roots:
        if not root.is_dir():
            continue
        # os.walk reads each folder once, without a stat per file; a post's folder is not
        # entered (everything inside it is the post's).
        for where, folders, names in os.walk(root):
            folders.sort()
            if config.post_file in names and (Path(where) / config.post_file).is_file():
                folders.clear()
                continue
            folder = Path(where)
            files = sorted(name for name in names if not name.startswith(".") and
                           (folder / name).is_file())
            if files and folder != root:
                problems.append(
                    f"{display_path(folder, config.project_root)}/: a post folder without "
                    f"{config.post_file} (it holds {', '.join(files)}) (add {config.post_file}, "
                    "or move the files out of the article folders)")
    return problems


def header_line(source_path: str, key: str) -> int:
    """The line of ``key:`` in a post's header, else 1."""
    try:
        lines = Path(source_path).read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return 1
    return next((number for number, (name, _) in header_fields(lines) if name == key), 1)
