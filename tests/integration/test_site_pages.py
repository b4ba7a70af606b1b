"""The foundation: layout, tag pages, summaries, feeds, strict builds."""

from __future__ import annotations

import feedparser
from conftest import post

LEADS = {
    "alpha": ("First lead paragraph of alpha. It has two sentences.", "Second alpha paragraph."),
    "beta": ("Only beta paragraph, long enough to be cut by a naive summary that counts "
             "words instead of paragraphs, which we never want on a tag page.",),
    "gamma": ("Gamma lead.",),
}


def three_posts(site):
    files = {}
    for slug, date in (("alpha", "2021-05-01"), ("beta", "2023-01-15"), ("gamma", "2019-12-31")):
        lead = "\n\n".join(LEADS[slug])
        files[f"posts/{slug}/index.md"] = post(
            slug.title(), date, "code, extra-" + slug,
            f"{lead}\n\n<!-- more -->\n\nBody of {slug} that is not in the summary.\n")
    files["pages/about.md"] = "Title: About\n\nAbout this blog.\n"
    return site.write(files)


def test_code_tag_page_lists_posts_newest_first_with_whole_paragraph_summaries(site):
    report = three_posts(site).build()
    assert report.ok, report.problems
    page = site.html("tag/code/index.html")
    assert page.h1.get_text() == "Posts for: #code"
    entries = page.select("article.entry")
    assert [e.h2.get_text(strip=True) for e in entries] == ["Beta", "Alpha", "Gamma"]
    assert [e.time["datetime"][:10] for e in entries] == ["2023-01-15", "2021-05-01", "2019-12-31"]
    for entry in entries:
        slug = entry.h2.get_text(strip=True).lower()
        paragraphs = [p.get_text() for p in entry.select(".entry-summary p")]
        assert paragraphs == list(LEADS[slug])
        assert "not in the summary" not in entry.get_text()
        assert entry.h2.a["href"] == f"../../posts/{slug}/"
        assert sorted(a.get_text() for a in entry.select(".tags a")) == ["#code", f"#extra-{slug}"]


def test_article_links_each_tag_to_its_tag_page(site):
    three_posts(site).build()
    page = site.html("posts/alpha/index.html")
    links = {a.get_text(): a["href"] for a in page.select("article.post .tags a")}
    assert links == {"#code": "../../tag/code/", "#extra-alpha": "../../tag/extra-alpha/"}
    for href in links.values():
        assert (site.output / "posts/alpha" / href / "index.html").resolve().is_file()


def test_about_page_and_empty_tag_index(site):
    report = site.write({"pages/about.md": "Title: About\n\nWho we are.\n"}).build()
    assert report.ok, report.problems
    assert site.html("about/index.html").h1.get_text() == "About"
    tags = site.html("tags/index.html")
    assert tags.h1.get_text() == "Tags" and "No tags yet." in tags.get_text()


def test_folders_are_not_categories_and_samples_are_not_content(site):
    report = site.write({
        "posts/alpha/index.md": post("Alpha", "2021-01-01", "code", "Lead.\n"),
        "posts/alpha/notes.md": "Title: Not a post\nDate: 2020-01-01\n\nSample text.\n",
        "posts/alpha/page.html": "<html><head><title>Not a post</title></head></html>",
        "posts/alpha/app.py": "print('hi')\n",
    }).build()
    assert report.ok, report.problems
    titles = [e.h2.get_text(strip=True) for e in site.html("index.html").select("article.entry")]
    assert titles == ["Alpha"]
    assert not (site.output / "category").exists()
    assert (site.output / "posts/alpha/app.py").read_text() == "print('hi')\n"


def test_feeds_parse_in_publish_builds(site):
    report = three_posts(site).build("publishconf.py", SITEURL="https://blog.test")
    assert report.ok, report.problems
    feed = feedparser.parse((site.output / "feeds/all.atom.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert [e.title for e in feed.entries] == ["Beta", "Alpha", "Gamma"]
    tag_feed = feedparser.parse((site.output / "feeds/tag/code.atom.xml").read_bytes())
    assert not tag_feed.bozo and len(tag_feed.entries) == 3
    assert feed.entries[0].link == "https://blog.test/posts/beta/"


def test_bad_metadata_fails_the_build_naming_the_file(site):
    site.write({"posts/broken/index.md": "Title: Broken\nDate: not a date\n\nText.\n"})
    report = site.build()
    assert not report.ok
    assert any("content/posts/broken/index.md:2: bad metadata" in p for p in report.problems)
    assert len(report.problems) == 1  # one message per mistake: no generic "Could not process"


def test_slug_must_be_the_folder_name(site):
    site.write({"posts/alpha/index.md": post("Alpha", "2021-01-01", "code", "Lead.\n",
                                              extra="Slug: other\n")})
    report = site.build()
    assert "ERROR: content/posts/alpha/index.md:4: Slug: other differs from the post's folder " \
           "name 'alpha' (drop the Slug line or rename the folder: downloads sit beside the page)" \
           in report.problems


def test_failed_build_keeps_the_previous_output(site):
    three_posts(site).build()
    before = (site.output / "tag/code/index.html").read_bytes()
    site.write({"posts/alpha/index.md": "Title: Alpha\nDate: 2021-13-45\n\nText.\n"})
    report = site.build()
    assert not report.ok
    assert (site.output / "tag/code/index.html").read_bytes() == before
    assert [p.name for p in site.root.glob(".output.*")] == [".output.lock"]  # no staging left
