"""Settings for writing and previewing the blog (publishconf.py builds on these)."""

import os
import sys

AUTHOR = "The Verified Code team"
SITENAME = "Code That Runs"
SITESUBTITLE = "Every sample on this blog is a real file, executed; every output is what it printed."
SITEURL = ""
RELATIVE_URLS = True

PATH = "content"
THEME = "theme"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_DATE_FORMAT = "%Y-%m-%d"

# Content layout: content/posts/<slug>/index.md with its samples beside it,
# pages in content/pages/.  Folders never become categories.
ARTICLE_PATHS = ["posts"]
PAGE_PATHS = ["pages"]
USE_FOLDER_AS_CATEGORY = False
DEFAULT_CATEGORY = "posts"
# Only Markdown is content; samples that happen to be HTML or reST stay samples.
READERS = {"html": None, "htm": None, "rst": None}
# Sample files are copied beside their post so captions can link to them; the
# samples plugin adds its freeze stores and editor debris to IGNORE_FILES, so those
# are never offered as downloads.
STATIC_PATHS = ["posts", "images"]
STATIC_EXCLUDE_SOURCES = True

# A post's slug is its folder's name, so sample downloads sit beside its page.
PATH_METADATA = r"posts/(?P<slug>[^/]+)/index\.md"

# Pretty URLs.
ARTICLE_URL = "posts/{slug}/"
ARTICLE_SAVE_AS = "posts/{slug}/index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
TAG_URL = "tag/{slug}/"
TAG_SAVE_AS = "tag/{slug}/index.html"
TAGS_URL = "tags/"
TAGS_SAVE_AS = "tags/index.html"
ARCHIVES_URL = "archives/"
ARCHIVES_SAVE_AS = "archives/index.html"
CATEGORY_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
DRAFT_URL = "drafts/{slug}/"
DRAFT_SAVE_AS = "drafts/{slug}/index.html"
DIRECT_TEMPLATES = ["index", "tags", "archives", "404", "search", "sitemap"]
SEARCH_URL = "search/"
# Pages the Pagefind search index reads (only posts carry data-pagefind-body).
SEARCH_INDEX_GLOB = "posts/**/*.html"
SEARCH_SAVE_AS = "search/index.html"
# theme/templates/sitemap.html is written out as XML.
SITEMAP_SAVE_AS = "sitemap.xml"
ARTICLE_ORDER_BY = "reversed-date"
DEFAULT_PAGINATION = False
FRONT_DOOR_TAG = "code"

# Feeds are generated for publishing only.
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

PLUGIN_PATHS = ["plugins"]
PLUGINS = ["samples", "postrules", "reproduce", "sections"]
# An RFC, manual page or document a post names with no link to it (plugins/postrules/
# sources.py) is a warning, which fails the strict build; "note" would only print it.
POSTRULES_UNLINKED_SOURCES = "warning"
# The plugins import one another by name (samples, upstream): tasks.py, pytest and bench/
# put plugins/ on sys.path themselves, this line does it for a plain `pelican` run.
_plugins = os.path.join(os.path.dirname(os.path.abspath(__file__)), "plugins")
if _plugins not in sys.path:
    sys.path.insert(0, _plugins)

# Sample engine: execute stale or missing runs and write them back to each
# post's samples.frozen.json (publishconf turns execution off).
SAMPLES_EXECUTE = True
SAMPLES_STORE_NAME = "samples.frozen.json"
SAMPLES_OUTPUT_CAP = 1024 * 1024
SAMPLES_LOCK_FILES = ["requirements.txt"]

# A user MARKDOWN dict replaces Pelican's default whole, so it is given in full.
MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.codehilite": {"css_class": "highlight", "guess_lang": False},
        "markdown.extensions.extra": {},
        "markdown.extensions.meta": {},
        "markdown.extensions.toc": {"permalink": False},
        "markdown.extensions.smarty": {},
    },
    "output_format": "html5",
}

CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
