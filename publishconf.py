"""Settings for publishing: absolute URLs, feeds, and no sample execution."""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: E402,F403

SITEURL = os.environ.get("SITEURL", "https://blog.example.org")
RELATIVE_URLS = False

FEED_DOMAIN = SITEURL
FEED_ALL_ATOM = "feeds/all.atom.xml"
TAG_FEED_ATOM = "feeds/tag/{slug}.atom.xml"
FEED_MAX_ITEMS = 20

# A stale or missing frozen result is an error here, never a silent re-run.
SAMPLES_EXECUTE = False
DELETE_OUTPUT_DIRECTORY = True
