"""The built fixture blog through real validators: the Nu HTML Checker, the
link checker of sitebuild, sitemap.xml, publish metadata; and the project's settings."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pelican.settings import read_settings
from sitebuild.publish.checks import broken_links

from .conftest import PUBLISH_URL, ROOT, THEME_SETTINGS, npm_file, require

pytestmark = pytest.mark.browser


def html(output, relative: str) -> BeautifulSoup:
    return BeautifulSoup((output / relative).read_text(encoding="utf-8"), "html.parser")


def test_nu_html_checker_finds_no_errors_in_either_build(built):
    jar = npm_file("vnu-jar/build/dist/vnu.jar")
    java = shutil.which("java") or str(require(Path("/usr/bin/java"), "Java",
                                               "apt-get install default-jre-headless"))
    done = subprocess.run([java, "-jar", str(jar), "--errors-only", "--skip-non-html", "--format", "json",
                           "--verbose", str(built.dev), str(built.publish)],
                          capture_output=True, text=True, timeout=300)
    checked = [line for line in done.stdout.splitlines() if line.endswith(".html")]
    report = json.loads(done.stderr[done.stderr.index("{"):])
    errors = [f"{m.get('url', '?').split('/site-')[-1]}:{m.get('lastLine', '?')}: {m['message']}"
              for m in report["messages"]]
    assert errors == [] and done.returncode == 0, "\n".join(errors) or done.stderr
    assert len(checked) >= 2 * 14, checked  # every page of both builds was read


def test_every_internal_link_and_asset_resolves(built):
    assert broken_links(built.dev) == []
    assert broken_links(built.publish, PUBLISH_URL) == []
    # the crawl saw the pages that only exist with the theme's settings and Pagefind
    search = html(built.dev, "search/index.html")
    assert {s["src"] for s in search.select("script[src]")} >= {"../pagefind/pagefind-ui.js"}
    assert (built.dev / "pagefind/pagefind-ui.js").is_file()


def test_sitemap_lists_every_page_with_absolute_urls(built):
    tree = ET.parse(built.publish / "sitemap.xml")
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    urls = [loc.text for loc in tree.getroot().findall("s:url/s:loc", namespace)]
    pages = sorted(str(p.parent.relative_to(built.publish)) for p in built.publish.rglob("index.html")
                   if "search" not in p.parts)
    expected = sorted(f"{PUBLISH_URL}/" + ("" if page == "." else page + "/") for page in pages)
    assert sorted(urls) == expected


def test_publish_pages_carry_canonical_url_open_graph_and_feeds(built):
    article = html(built.publish, "posts/counting-words/index.html")
    url = f"{PUBLISH_URL}/posts/counting-words/"
    assert article.find("link", rel="canonical")["href"] == url
    og = {m["property"]: m["content"] for m in article.select("meta[property^='og:']")}
    assert og == {"og:site_name": "Code That Runs", "og:type": "article", "og:url": url,
                  "og:title": "Counting words with Python · Code That Runs",
                  "og:description": og["og:description"]}
    assert og["og:description"].startswith("How many words does a file hold?")
    feeds = {link["href"] for link in article.select("link[rel=alternate][type='application/atom+xml']")}
    assert feeds == {f"{PUBLISH_URL}/feeds/all.atom.xml", f"{PUBLISH_URL}/feeds/tag/code.atom.xml",
                     f"{PUBLISH_URL}/feeds/tag/python.atom.xml"}
    tag = html(built.publish, "tag/code/index.html")
    assert tag.find("link", rel="canonical")["href"] == f"{PUBLISH_URL}/tag/code/"
    assert f"{PUBLISH_URL}/feeds/tag/code.atom.xml" in \
        {link["href"] for link in tag.select("link[rel=alternate]")}
    assert (built.publish / "feeds/tag/code.atom.xml").is_file()
    # dev builds use relative URLs: no canonical, no Open Graph
    assert html(built.dev, "posts/counting-words/index.html").find("link", rel="canonical") is None
    assert html(built.publish, "404.html").find("link", rel="canonical") is None


def test_tag_index_counts_and_reading_time(built):
    tags = html(built.dev, "tags/index.html")
    counts = {li.a.get_text(): li.select_one(".count").get_text() for li in tags.select(".tag-index li")}
    assert counts == {"#code": "(3 posts)", "#notes": "(1 post)", "#python": "(1 post)",
                      "#shell": "(2 posts)", "#terminal": "(1 post)"}
    tag = html(built.dev, "tag/code/index.html")
    assert [t.get_text() for t in tag.select(".reading-time")] == ["1 min read"] * 3


def test_project_settings_carry_the_theme_pages():
    settings = read_settings(str(ROOT / "pelicanconf.py"))
    missing = {key: value for key, value in THEME_SETTINGS.items()
               if key != "DIRECT_TEMPLATES" and settings.get(key) != value}
    templates = set(THEME_SETTINGS["DIRECT_TEMPLATES"]) - set(settings["DIRECT_TEMPLATES"])
    assert not missing and not templates, (
        f"pelicanconf.py needs DIRECT_TEMPLATES with {sorted(templates)} and {missing} "
        "for the search page and sitemap.xml of the theme")


def test_search_excerpts_set_a_command_apart_from_its_output(built):
    """Pagefind builds excerpts from a page's text; a terminal's command and the first line it
    printed are read "command → output", and the arrow is never displayed on the page."""
    fragments = {}
    for path in (built.dev / "pagefind" / "fragment").iterdir():
        data = json.loads(gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd"))
        fragments[data["url"]] = data["content"]
    text = fragments["/posts/chosen-lines/"]
    assert "grep -n . numbers.txt | head -12 → 1:1 2:2" in text, text
    assert "cat numbers.txt → 1 2" in text, text
    page = html(built.dev, "posts/chosen-lines/index.html")
    arrows = page.select(".terminal .output-follows")
    assert arrows and all(a.has_attr("hidden") for a in arrows)
