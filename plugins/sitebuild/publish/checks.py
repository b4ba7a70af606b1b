"""Checks a built site must pass before it is published: internal links and assets
resolve (fragments included), feeds parse, every page has a title."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

LINK_ATTRIBUTES = {"a": "href", "link": "href", "script": "src", "img": "src", "source": "src",
                   "iframe": "src", "form": "action"}


@dataclass
class PageFacts:
    """What one HTML page links to, which ids it defines, and its title."""

    links: list[str] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    title: str = ""


class PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.facts = PageFacts()
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name in ("id", "name") if tag == "a" else ("id",):
            if values.get(name):
                self.facts.ids.add(values[name])
        attribute = LINK_ATTRIBUTES.get(tag)
        if attribute and values.get(attribute):
            self.facts.links.append(values[attribute])
        if tag == "title":
            self._in_title = True

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.facts.title += data


def read_pages(output: Path) -> dict[str, PageFacts]:
    """Facts of every page, keyed by its URL path ("/posts/x/index.html")."""
    return {"/" + path.relative_to(output).as_posix(): page_facts(path)
            for path in sorted(output.rglob("*.html"))}


def target_file(output: Path, url_path: str) -> Path | None:
    """The file a URL path is served from, as a static server would pick it."""
    candidate = output / unquote(url_path).lstrip("/")
    if url_path.endswith("/") or candidate.is_dir():
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() else None


def broken_links(output: Path, site_url: str = "") -> list[str]:
    """Every internal href/src that does not resolve, as "page: link (why)"."""
    pages = read_pages(output)
    return [f"{page}: {link} ({why})" for page, facts in pages.items() for link in facts.links
            if (why := link_problem(output, page, link, site_url, pages.get)) is not None]


def page_facts(path: Path) -> PageFacts:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.facts


def link_problem(output: Path, page: str, link: str, site_url: str,
                 facts_of: Callable[[str], PageFacts | None]) -> str | None:
    """Why ``link`` on ``page`` (a URL path such as "/posts/x/index.html") does not resolve
    in ``output``, or None when it does (or leads to another site).  ``facts_of`` gives a
    target page's facts, for its ids."""
    if site_url and link.startswith(site_url.rstrip("/") + "/"):
        link = link[len(site_url.rstrip("/")):]
    parts = urlsplit(link)
    if parts.scheme or parts.netloc:
        return None  # external, or another site
    resolved = urlsplit(urljoin(page, link))
    target = target_file(output, resolved.path) if resolved.path else output / page.lstrip("/")
    if target is None:
        return f"no file at {resolved.path}"
    fragment = unquote(resolved.fragment)
    if fragment and target.suffix == ".html":
        target_page = "/" + target.relative_to(output).as_posix()
        facts = facts_of(target_page) or page_facts(target)
        if fragment not in facts.ids:
            return f"no id {fragment!r} in {target_page}"
    return None


def untitled_pages(output: Path) -> list[str]:
    return [f"{page}: no <title>" for page, facts in read_pages(output).items()
            if not facts.title.strip()]


def broken_feeds(output: Path) -> list[str]:
    import feedparser  # noqa: PLC0415 - 70 ms to import, and only publishing needs it

    problems = []
    for feed in sorted(output.rglob("*.xml")):
        if feed.name == "sitemap.xml":
            continue
        parsed = feedparser.parse(feed.read_bytes())
        if parsed.bozo:
            problems.append(f"/{feed.relative_to(output)}: {parsed.bozo_exception}")
    return problems


def check_site(output: Path, site_url: str = "") -> list[str]:
    """All problems that make a built site unfit to publish."""
    return broken_links(output, site_url) + broken_feeds(output) + untitled_pages(output)
