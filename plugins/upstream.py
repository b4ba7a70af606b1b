"""Every private name of Pelican and pagefind the project relies on, what for, and one
check that each is still there and still behaves as we use it.

None of these names is public API: a release may change any of them without notice.
``check_upstream`` runs at the start of every build (``build_site`` fails with one error
naming what changed) and in ``tests/test_upstream.py``.  Each problem names the installed
version, the requirement the list was checked with (pinned in requirements.txt) and the
module to update.  Python-Markdown has no entry: the samples reader uses only its
documented extension API (preprocessors, ``htmlStash``, the meta extension's ``Meta``).

This module imports nothing from the project: the sample engine and sitebuild both use it.
"""

from __future__ import annotations

import base64
import copy
import datetime
import inspect
import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version

from markdown import Markdown
from pagefind.index import PagefindIndex
from pagefind.service import PagefindService, _encode
from pelican.cache import FileDataCacher, FileStampDataCacher
from pelican.contents import Article, Content
from pelican.generators import ArticlesGenerator
from pelican.readers import MarkdownReader
from pelican.settings import DEFAULT_CONFIG
from pelican.writers import Writer

# What ArticlesGenerator.__init__ starts empty and generate_context fills: the live loop
# (plugins/sitebuild/live/relist.py) empties these, as a new generator starts, to list again.
ARTICLES_GENERATOR_STATE = {
    "articles": list, "translations": list, "hidden_articles": list, "hidden_translations": list,
    "drafts": list, "drafts_translations": list, "related_posts": list, "dates": dict,
    "period_archives": lambda: defaultdict(list), "tags": lambda: defaultdict(list),
    "categories": lambda: defaultdict(list), "authors": lambda: defaultdict(list)}

# The requirement each distribution's names were last checked with; a test keeps these
# equal to lines of requirements.txt, so bumping a pin means reading this list again.
CHECKED_WITH = {"pelican": "pelican==4.12.0", "pagefind": "pagefind[bin]==1.5.2"}


@dataclass(frozen=True)
class PrivateName:
    """One private upstream name: whose it is, where we use it and why, how to check it."""

    distribution: str
    name: str
    used_in: str  # the module to update when it changes, relative to the project
    purpose: str
    check: Callable[[], str | None]  # None when it is as we use it, else what changed


def _article(html: str, title: str) -> Article:
    return Article(html, {"title": title, "date": datetime.datetime(2024, 1, 1)},
                   settings=copy.deepcopy(DEFAULT_CONFIG), source_path=f"{title}.md")


def _forget(*contents: Content) -> None:
    for memo in (Content.get_content.cache, Content.get_summary.cache):
        for key in [key for key in memo if key and key[0] in contents]:
            del memo[key]


def _parameters(function: Callable, expected: list[str]) -> str | None:
    found = list(inspect.signature(function).parameters)
    return None if found == expected else f"takes ({', '.join(found)}), not ({', '.join(expected)})"


def _in_source(function: Callable[[], Callable], text: str, otherwise: str) -> Callable[[], str | None]:
    """A check that the source of ``function()`` (looked up when checked) holds ``text``."""
    return lambda: None if text in inspect.getsource(function()) else otherwise


def _open_w() -> str | None:
    if "self._open_w(" not in inspect.getsource(Writer.write_file):
        return "is no longer where Writer.write_file opens a page"
    return _parameters(Writer._open_w, ["self", "filename", "encoding", "override"])


def _raw_content() -> str | None:
    if _article("<p>as read</p>", "raw")._content != "<p>as read</p>":
        return "no longer holds the HTML the reader returned"
    return None


def _memoized(method: str) -> Callable[[], str | None]:
    def check() -> str | None:
        article = _article("<p>memo</p>", "memo")
        getattr(article, method)("")
        found = any(key and key[0] is article for key in getattr(Content, method).cache)
        _forget(article)
        return None if found else f"no longer keeps what {method} returned, keyed by the post"
    return check


def _intrasite_links() -> str | None:
    pattern = _article("", "links")._get_intrasite_link_regex()
    if not pattern.search('<a href="{filename}/other.md">other</a>') or \
            pattern.search("<code>print(f'{limit}')</code>"):
        return "no longer tells an intrasite link from other braces"
    return None


def _generator_state() -> str | None:
    """ArticlesGenerator.__init__ starts empty exactly what the live loop empties before
    it runs generate_context again, and generate_context asks get_cached_data first."""
    assigned = set(re.findall(r"self\.(\w+) = ", inspect.getsource(ArticlesGenerator.__init__)))
    if assigned != set(ARTICLES_GENERATOR_STATE):
        return f"starts {', '.join(sorted(assigned ^ set(ARTICLES_GENERATOR_STATE)))} differently"
    if "self.get_cached_data(f, None)" not in inspect.getsource(ArticlesGenerator.generate_context):
        return "no longer asks get_cached_data for a post before reading it"
    return None


def _state_in_dict() -> str | None:
    old, new = _article("<p>old</p>", "Old"), _article("<p>new</p>", "New")
    old.__dict__.clear()
    old.__dict__.update(new.__dict__)
    same = (old.title, old.url, old.get_content(""), old.get_summary("")) == \
        (new.title, new.url, new.get_content(""), new.get_summary(""))
    _forget(old, new)
    return None if same else "no longer holds all of an Article's state"


def _data_cache() -> str | None:
    cacher = FileDataCacher({"CACHE_PATH": "", "GZIP_CACHE": False}, "check", True, False)
    cacher.cache_data("post.md", "data")
    if cacher._cache.pop("post.md", None) != "data" or cacher.get_cached_data("post.md"):
        return "no longer holds what cache_data stores and get_cached_data reads"
    return None


def _file_stamp() -> str | None:
    cacher = FileStampDataCacher({"CACHE_PATH": "", "GZIP_CACHE": False,
                                  "CHECK_MODIFIED_METHOD": "mtime"}, "check", True, False)
    changed = _parameters(FileStampDataCacher._get_file_stamp, ["self", "filename"])
    cacher._get_file_stamp = lambda filename: ("widened", filename)  # as samples/cache.py does
    cacher.cache_data("post.md", "data")
    if changed is None and cacher.get_cached_data("post.md") != "data":
        return "is no longer what cache_data and get_cached_data stamp a file with"
    return changed


def _reader_protocol() -> str | None:
    """Our reader converts a post itself and leaves the Markdown instance where Pelican's
    read() leaves it; _parse_metadata renders formatted fields (the summary) with it."""
    reader = MarkdownReader(copy.deepcopy(DEFAULT_CONFIG))
    reader._source_path = "check.md"
    reader._md = Markdown(**reader.settings["MARKDOWN"])
    reader._md.convert("Title: Checked\nSummary: the *lead*\n\nText.\n")
    metadata = reader._parse_metadata(reader._md.Meta)
    if metadata.get("title") != "Checked" or "<em>lead</em>" not in metadata.get("summary", ""):
        return "no longer turns the reader's own conversion into Pelican's metadata"
    return None


def _response_loop() -> str | None:
    if not inspect.iscoroutinefunction(PagefindService._wait_for_responses):
        return "is no longer a coroutine"
    if "self._wait_for_responses()" not in inspect.getsource(PagefindService.launch):
        return "is no longer what PagefindService.launch starts"
    return None


def _wire_format() -> str | None:
    message = {"message_id": 1, "payload": {"type": "NewIndex"}}
    if base64.b64decode(_encode(message)) != json.dumps(message).encode():
        return "no longer sends base64 JSON"
    return None


_PELICAN = (
    ("pelican.writers.Writer._open_w", "plugins/sitebuild/incremental/writer.py",
     "every page and feed is opened there: the incremental writer unlinks a hard link into "
     "the previous tree first, and keeps a page's text for the search index", _open_w),
    ("pelican.contents.Content._content", "plugins/sitebuild/incremental/fingerprints.py",
     "a post's HTML as read (links not yet resolved): in its page's digest and its listing "
     "facts", _raw_content),
    ("pelican.contents.Content._content", "plugins/sections/outline.py",
     "a post's HTML as read: the sections plugin puts an anchor link in each heading there, "
     "before anything renders it", _raw_content),
    ("pelican.contents.Content.get_content.cache", "plugins/sitebuild/incremental/writer.py",
     "each post's HTML, memoized for the process's life: a build forgets it all after it "
     "runs, the live shortcut the post it reads again", _memoized("get_content")),
    ("pelican.contents.Content.get_summary.cache", "plugins/sitebuild/incremental/writer.py",
     "as get_content.cache, for summaries", _memoized("get_summary")),
    ("pelican.contents.Article.__dict__", "plugins/sitebuild/live/shortcut.py",
     "all of an Article's state: the live shortcut moves a post read again into the Article "
     "the listings hold", _state_in_dict),
    ("pelican.generators.ArticlesGenerator.__init__", "plugins/sitebuild/live/relist.py",
     "the lists and groups it starts empty (ARTICLES_GENERATOR_STATE): the live loop empties "
     "them and runs generate_context again, answering get_cached_data from kept Articles",
     _generator_state),
    ("pelican.contents.Content._get_intrasite_link_regex",
     "plugins/sitebuild/incremental/fingerprints.py",
     "what Pelican takes for an intrasite link: only a page with one depends on every "
     "content file's URL", _intrasite_links),
    ("pelican.cache.FileDataCacher._cache", "plugins/sitebuild/live/shortcut.py",
     "the readers' cache: the live shortcut drops the edited post to read it again",
     _data_cache),
    ("pelican.cache.FileStampDataCacher._get_file_stamp", "plugins/samples/cache.py",
     "the stamp a cached post is compared by: wrapped to cover the sample files beside it",
     _file_stamp),
    ("pelican.readers.MarkdownReader._parse_metadata", "plugins/samples/reader.py",
     "turns the Meta of the reader's own conversion into Pelican's metadata", _reader_protocol),
    ("pelican.readers.MarkdownReader._md", "plugins/samples/reader.py",
     "the Markdown instance _parse_metadata renders formatted fields with: our reader sets it",
     _in_source(lambda: MarkdownReader._parse_metadata, "self._md.",
                "is no longer the Markdown instance _parse_metadata uses")),
    ("pelican.readers.MarkdownReader._source_path", "plugins/samples/reader.py",
     "the path _parse_metadata names in its warnings: our reader sets it",
     _in_source(lambda: MarkdownReader._parse_metadata, "self._source_path",
                "is no longer the path _parse_metadata names")),
)
_SEARCH = "plugins/sitebuild/search.py"  # every pagefind name is used there


def _set_by(method: str, field: str) -> Callable[[], str | None]:
    return _in_source(lambda: getattr(PagefindService, method), f"self.{field} =",
                      f"is no longer set by PagefindService.{method}")


_PAGEFIND = (
    ("pagefind.service.PagefindService._wait_for_responses", _SEARCH,
     "the response loop, which sleeps 0.1 s before each response: ours replaces it",
     _response_loop),
    ("pagefind.service.PagefindService._bin", _SEARCH,
     "the service binary, set by __init__: our launch starts it", _set_by("__init__", "_bin")),
    ("pagefind.service.PagefindService._loop", _SEARCH, "the client's event loop, set by "
     "__init__: our launch starts the response loop on it", _set_by("__init__", "_loop")),
    ("pagefind.service.PagefindService._poll_task", _SEARCH, "the response loop's task, set by "
     "launch: ours sets it too, the indexer cancels it", _set_by("launch", "_poll_task")),
    ("pagefind.service.PagefindService._responses", _SEARCH,
     "the futures send waits on: our response loop resolves them",
     _in_source(lambda: PagefindService.send, "self._responses[",
                "is no longer where PagefindService.send waits")),
    ("pagefind.service.PagefindService._backend", _SEARCH,
     "the service process: our launch sets it, send writes to it, the indexer ends it",
     _in_source(lambda: PagefindService.send, "self._backend.stdin",
                "is no longer where PagefindService.send writes")),
    ("pagefind.index.PagefindIndex._service", _SEARCH,
     "an index's client: the indexer stops its process and reads its peak memory",
     _in_source(lambda: PagefindIndex.__init__, "self._service =",
                "is no longer where an index keeps its client")),
    ("pagefind.service._encode", _SEARCH,
     "the wire format (base64 JSON, comma-ended) our response loop decodes", _wire_format),
)
PRIVATE_NAMES = tuple(PrivateName(distribution, *entry)
                      for distribution, entries in (("pelican", _PELICAN), ("pagefind", _PAGEFIND))
                      for entry in entries)


def check_upstream(used_in: str | None = None) -> list[str]:
    """What changed of the private names listed above (of those used in ``used_in``, a
    path such as "plugins/samples/cache.py", if given), one plain sentence each; [] when
    everything is as we use it."""
    problems = []
    for private in PRIVATE_NAMES:
        if used_in is not None and private.used_in != used_in:
            continue
        try:
            changed = private.check()
        except Exception as err:  # noqa: BLE001 - any failure means the name changed
            gone = isinstance(err, AttributeError) and err.name == private.name.rsplit(".", 1)[1]
            changed = "is gone" if gone else \
                f"no longer works as we use it ({type(err).__name__}: {err})"
        if changed is not None:
            problems.append(f"{private.distribution} {version(private.distribution)}: "
                            f"{private.name} {changed} (pin {CHECKED_WITH[private.distribution]} "
                            f"in requirements.txt, or update {private.used_in})")
    return problems
