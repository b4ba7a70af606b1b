"""What each output page is made of, as a digest: equal digests, equal pages.

A page's digest covers the site's chrome (settings, theme templates, the menu of
pages) and what the page shows of the posts:

- a post's own page: all of that post (its HTML and metadata) and, in each of its
  tags, the listing facts of the posts just newer and older than it (the post
  navigation shows those neighbours in a tag; ``tag_neighbours``);
- a tag page: the listing facts of its posts, in order;
- every other page (index, archives, tags, sitemap, 404, search): the listing facts
  of all posts and the tags with their posts;
- a post or page whose HTML has an intrasite link (``{filename}``...), and a listing
  of such a post: every content file's URL, what such a link resolves against (a
  deleted post's link no longer resolves).

Listing facts are what a list shows of a post: URL, title, dates, tags, category,
authors, summary and reading time.  Editing a post's prose below its summary changes
its own page only; changing its title or tags changes the listings too.  The reading
time is the theme's (``_entry.html``: words / 220, rounded up, at least 1); a test
renders the theme's macro to keep the two equal.

Private Pelican API (listed and checked in plugins/upstream.py): ``Content._content``,
a post's HTML as its reader returned it, and ``Content._get_intrasite_link_regex``, what
Pelican takes for an intrasite link.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from pathlib import Path

from jinja2.filters import do_striptags, do_wordcount

WORDS_PER_MINUTE = 220
# Differ between builds of the same site without changing a page.
UNSTABLE_SETTINGS = {"OUTPUT_PATH", "CACHE_PATH", "STATIC_CHECK_IF_MODIFIED"}


def digest(*parts: object) -> str:
    hasher = hashlib.blake2b(digest_size=16)
    for part in parts:
        hasher.update(repr(part).encode("utf-8", "surrogatepass"))
        hasher.update(b"\0")
    return hasher.hexdigest()


def plain(value: object) -> object:
    """A repr-stable view of a setting or metadata value (no memory addresses)."""
    if isinstance(value, (str, int, float, bool, type(None))):
        return value
    if isinstance(value, dict):
        return sorted((str(key), plain(item)) for key, item in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [plain(item) for item in value]
        return sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "slug") and hasattr(value, "name"):  # Pelican's Tag, Category, Author
        return f"{type(value).__name__}:{value.name}"
    return type(value).__name__


def reading_minutes(html: str) -> int:
    """The theme's reading time of a post's HTML, in minutes."""
    return max(math.ceil(do_wordcount(do_striptags(html)) / WORDS_PER_MINUTE), 1)


def theme_digest(theme: str) -> str:
    """Digest of every template file: a template edit re-renders every page."""
    templates = Path(theme) / "templates"
    return digest(*((str(path.relative_to(templates)), path.read_bytes())
                    for path in sorted(templates.rglob("*")) if path.is_file()))


class PageFingerprints:
    """Digests of the pages of one build; listing facts are remembered across builds."""

    def __init__(self, facts_memo: dict[str, str] | None = None) -> None:
        self.facts_memo = facts_memo if facts_memo is not None else {}
        self._chrome: str | None = None
        self._content_urls: str | None = None
        self._listing: str | None = None
        self._tag_positions: dict[str, tuple[list, dict[int, int]]] | None = None
        self._facts: dict[int, str] = {}  # per build: a post appears in many listings
        self._links: dict[int, bool] = {}  # per build: has an intrasite link
        self._urls: dict[int, str] = {}  # Pelican computes a URL anew at every access

    def url(self, content) -> str:
        known = self._urls.get(id(content))
        if known is None:
            known = self._urls[id(content)] = content.url
        return known

    def own(self, content) -> str:
        """All of one post or page: its HTML source and its metadata."""
        return digest(content.source_path, content._content, plain(content.metadata),
                      self.url(content), content.status)

    def facts(self, article) -> str:
        """What a list shows of ``article``; summary and reading time computed once per text."""
        known = self._facts.get(id(article))
        if known is not None:
            return known
        key = digest(article._content, article.metadata.get("summary"))
        if key not in self.facts_memo:
            self.facts_memo[key] = digest(article.get_summary(""), reading_minutes(article._content))
        facts = digest(self.facts_memo[key], self.url(article), article.title, plain(article.date),
                      plain(getattr(article, "modified", None)), article.locale_date,
                      plain(getattr(article, "tags", [])), plain(getattr(article, "category", None)),
                      plain(getattr(article, "authors", [])), article.status)
        self._facts[id(article)] = facts
        return facts

    def reread_facts(self, post) -> str:
        """The listing facts of ``post``, just read again, not remembered under its id (a
        new object may get the id of one collected since)."""
        self._facts.pop(id(post), None)
        facts = self.facts(post)
        del self._facts[id(post)]
        return facts

    def adopt(self, post, facts: str) -> None:
        """``post`` took the state of a post read again, whose listing facts are ``facts``."""
        self._facts[id(post)] = facts
        self._links.pop(id(post), None)  # its HTML is the new one's

    def listing(self, articles: Iterable) -> str:
        return digest(*(self.facts(article) for article in articles))

    def chrome(self, context: dict) -> str:
        if self._chrome is None:
            settings = [(key, plain(value)) for key, value in sorted(context.items())
                        if key.isupper() and key not in UNSTABLE_SETTINGS]
            self._chrome = digest(settings, theme_digest(context["THEME"]),
                                  [(page.title, self.url(page)) for page in context.get("pages", ())])
        return self._chrome

    def content_urls(self, context: dict) -> str:
        """Every content file's URL: what an intrasite link ({filename}...) resolves against,
        and what resolves no more when a post is deleted."""
        if self._content_urls is None:
            everything = [*context.get("articles", ()), *context.get("pages", ()),
                          *context.get("drafts", []), *context.get("hidden_pages", [])]
            self._content_urls = digest(sorted((item.source_path, self.url(item))
                                               for item in everything))
        return self._content_urls

    def links_out(self, context: dict, contents: Iterable) -> str:
        """``content_urls`` when one of ``contents`` (a post or page, or the posts a listing
        shows) has an intrasite link in its HTML or summary, else nothing: a new or deleted
        post does not render every other page again."""
        return self.content_urls(context) if any(map(self._links_within, contents)) else ""

    def _links_within(self, content) -> bool:
        known = self._links.get(id(content))  # a post is in many listings
        if known is None:
            summary = content.metadata.get("summary") or ""
            key = "links " + digest(content._content, summary)  # the regex: once per text
            if key not in self.facts_memo:
                pattern = content._get_intrasite_link_regex()
                self.facts_memo[key] = "yes" if pattern.search(content._content) or \
                    pattern.search(summary) else ""
            known = self._links[id(content)] = bool(self.facts_memo[key])
        return known

    def tag_neighbours(self, context: dict, name: str, article) -> str:
        """The listing facts of ``article`` and the posts just before and after it in tag
        ``name``: all a post's page shows of a tag, so an edit of a post far away in the
        tag does not render the page again."""
        if self._tag_positions is None:
            self._tag_positions = {
                tag.name: (articles, {id(listed): at for at, listed in enumerate(articles)})
                for tag, articles in context.get("tags", ())}
        articles, positions = self._tag_positions.get(name, ([], {}))
        at = positions.get(id(article))
        return "" if at is None else self.listing(articles[max(at - 1, 0):at + 2])

    def site_listing(self, context: dict) -> str:
        if self._listing is None:
            self._listing = digest(self.listing(context.get("articles", ())),
                                   [(tag.name, [self.url(a) for a in articles])
                                    for tag, articles in context.get("tags", ())])
        return self._listing

    def page(self, name: str, template_name: str, context: dict, kwargs: dict) -> str:
        """The digest of output ``name`` rendered from ``template_name`` with ``kwargs``."""
        base = (name, template_name, self.chrome(context))
        if "article" in kwargs:
            article = kwargs["article"]
            tags = [self.tag_neighbours(context, tag.name, article)
                    for tag in getattr(article, "tags", [])]
            return digest(*base, "article", self.own(article), tags,
                          self.links_out(context, [article]))
        if "page" in kwargs:
            return digest(*base, "page", self.own(kwargs["page"]),
                          self.links_out(context, [kwargs["page"]]))
        simple = sorted((key, plain(value)) for key, value in kwargs.items()
                        if key not in {"articles", "dates", "all_articles"})
        if "tag" in kwargs:
            listed = kwargs.get("articles", ())
            return digest(*base, "tag", simple, self.listing(listed),
                          self.links_out(context, listed))
        return digest(*base, "listing", simple, self.site_listing(context),
                      self.listing(kwargs.get("articles", ())),
                      self.links_out(context, context.get("articles", ())))
