"""The real posts' leads and tag-page summaries talk about their topic, not about the blog.

Readers come for Zabbix, ACME, logging or gdb; the footer says once, for the whole site,
that every sample runs. A lead that says so again (or mentions freezing, the harness,
"this page") reads as machinery. The site is built from the real content with recorded
results only (nothing is executed), then the summaries on the `code` tag page and the lead
of every post page are searched for the forbidden words.
"""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from conftest import ROOT
from sitebuild import build_site

FORBIDDEN = re.compile(r"really ran|frozen|harness|this page|verified|re-run", re.IGNORECASE)
MORE_MARKER = "<!-- more -->"
POSTS = sorted(p.parent.name for p in (ROOT / "content/posts").glob("*/index.md"))


@pytest.fixture(scope="module")
def real_site(tmp_path_factory):
    """The real content built with the project's settings, recorded results only."""
    root = tmp_path_factory.mktemp("real-site")
    report = build_site(ROOT / "pelicanconf.py", root / "output", {
        "PATH": str(ROOT / "content"),
        "SAMPLES_PROJECT_ROOT": str(ROOT),
        "SAMPLES_EXECUTE": False,
        "CACHE_PATH": str(root / "cache"),
    })
    assert report.ok, report.problems
    return report.output


def page(site, relative: str) -> BeautifulSoup:
    return BeautifulSoup((site / relative).read_text(encoding="utf-8"), "html.parser")


def forbidden_in(text: str) -> list[str]:
    """Each sentence-ish stretch of TEXT around a forbidden word, for a readable failure."""
    text = " ".join(text.split())
    return [text[max(m.start() - 40, 0):m.end() + 40] for m in FORBIDDEN.finditer(text)]


def test_forbidden_words_match_what_they_should():
    assert forbidden_in("Every command below Really Ran, and was re-run later.") == [
        "Every command below Really Ran, and was re-run later.",
        "Every command below Really Ran, and was re-run later."]
    assert forbidden_in("Zabbix pages the on-call engineer.") == []


def test_every_post_is_on_the_code_tag_page(real_site):
    titles = [a["href"] for a in page(real_site, "tag/code/index.html").select("article.entry h2 a")]
    assert sorted(href.rstrip("/").rsplit("/", 1)[-1] for href in titles) == POSTS


def test_code_tag_page_summaries_are_about_the_topic(real_site):
    entries = page(real_site, "tag/code/index.html").select("article.entry")
    found = {entry.h2.get_text(strip=True): forbidden_in(entry.select_one(".entry-summary").get_text())
             for entry in entries}
    bad = {title: hits for title, hits in found.items() if hits}
    assert not bad, "forbidden words in tag-page summaries: " + repr(bad)


@pytest.mark.parametrize("slug", POSTS)
def test_post_lead_is_about_the_topic(real_site, slug):
    body = page(real_site, f"posts/{slug}/index.html").select_one("article.post .post-body")
    html = body.decode_contents()
    # The lead is everything before the marker; without one, the first paragraph.
    lead = html.split(MORE_MARKER, 1)[0] if MORE_MARKER in html else str(body.p)
    hits = forbidden_in(BeautifulSoup(lead, "html.parser").get_text())
    assert not hits, f"forbidden words in the lead of {slug}: {hits!r}"
