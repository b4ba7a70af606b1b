"""Every internal link a post's Markdown made on the page the build wrote resolves, checked
before the swap with the rule ``invoke preview`` applies (``publish/checks.py``), and reported
at the Markdown line that made the link: an include's caption (``file=``), a Markdown link, an
HTML ``href``.  Links the theme makes (tags, pages) are left to preview's check of the site.

``invoke preview`` alone noticed such links before, after the build and without a line (an
include of the post's own ``index.md`` or its store: the caption links to a file that is not
published).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

from engine.config import SamplesConfig
from engine.positions import display_path

from ..publish.checks import link_problem, page_facts


def post_link_problems(staging: Path, written: list[str], generators: list, settings: dict,
                       site: Path | None = None) -> list[str]:
    """One problem per broken internal link of the post pages in ``written`` (in
    ``staging``), positioned at the line of the post's Markdown that made it.  Links resolve
    in ``site`` (default: ``staging``; the live shortcut writes one page beside the site)."""
    site = site or staging
    sources = {article.save_as: Path(article.source_path)
               for generator in generators for article in getattr(generator, "articles", ())}
    config = SamplesConfig.from_settings(settings)
    facts: dict[str, object] = {}

    def facts_of(page: str):
        if page not in facts:
            fresh = staging / page.lstrip("/")
            facts[page] = page_facts(fresh if fresh.is_file() else site / page.lstrip("/"))
        return facts[page]

    problems = []
    for name in written:
        source = sources.get(name)
        if source is None or not config.is_post(source):
            continue
        page = "/" + name
        lines = source.read_text(encoding="utf-8-sig").splitlines()
        for link in dict.fromkeys(facts_of(page).links):  # each link once per page
            line = markdown_line(lines, link)
            if line is None:
                continue  # the theme's own link (tags, the site's pages): preview checks those
            why = link_problem(site, page, link, settings.get("SITEURL", ""), facts_of)
            if why is not None:
                where = display_path(source, config.project_root)
                problems.append(f"{where}:{line}: the page links to {link}, which does not "
                                f"resolve ({why}) ({_hint(link, config)})")
    return problems


def markdown_line(lines: list[str], link: str) -> int | None:
    """The 1-based line of the post that made ``link``: an include naming it, a Markdown or
    HTML link to it, else the first line that mentions it; None when the post never writes
    it (the theme made it)."""
    written = [link, unquote(link)]
    made = [f'file="{text}"' for text in written] + [f"]({text}" for text in written] + \
        [f'href="{text}"' for text in written] + [f"<{text}>" for text in written]
    for candidates in (made, written):
        for number, line in enumerate(lines, start=1):
            if any(candidate in line for candidate in candidates):
                return number
    return None


def _hint(link: str, config: SamplesConfig) -> str:
    name = unquote(link).rstrip("/").rsplit("/", 1)[-1].split("#")[0]
    if name in (config.post_file, config.store_name):
        return f"the post's {name} is not published beside the page: include or link another file"
    return "link to a page or a file the site publishes, or add the file to the post's folder"
