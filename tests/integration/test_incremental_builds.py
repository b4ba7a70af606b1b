"""Incremental builds: only changed pages are written, and the tree equals a cold build's."""

from __future__ import annotations

import os
import shutil
import weakref
from pathlib import Path

import pytest
from conftest import ROOT, FixtureSite
from jinja2 import Environment, FileSystemLoader, Template
from pelican import signals
from pelican.contents import Article
from sitebuild import build_site
from sitebuild.incremental.fingerprints import reading_minutes
from sitebuild.live import LiveSite
from sitebuild.live.loop import debris_names, is_debris, summary_line
from sitebuild.search import SearchIndexer, glob_matches, url_of

CACHED = {"CACHE_CONTENT": True, "LOAD_CONTENT_CACHE": True, "GZIP_CACHE": False}


def post(title: str, tags: str, prose: str) -> str:
    return f"Title: {title}\nDate: 2024-01-0{len(title) % 9 + 1}\nTags: {tags}\n\n{prose}\n"


@pytest.fixture
def site(tmp_path) -> FixtureSite:
    return FixtureSite(tmp_path).write({
        "pages/about.md": "Title: About\n\nAbout this blog.\n",
        "posts/alpha/index.md": post("Alpha", "code, notes", "First words of alpha.\n\nMore."),
        "posts/beta/index.md": post("Beta", "notes", "First words of beta.\n\nMore of beta."),
        "posts/gamma/index.md": post("Gamma", "code", "Gamma, the third."),
    })


def tree(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def cold_tree(site: FixtureSite, tmp_path: Path) -> dict[str, bytes]:
    """A cold build of the site as it is now, in a copy (empty cache)."""
    twin = FixtureSite(tmp_path / "cold")
    shutil.copytree(site.content, twin.content)
    report = twin.build(**CACHED)
    assert report.ok, report.problems
    return tree(twin.output)


def rebuild(site: FixtureSite, ledger):
    report = build_site(
        ROOT / "pelicanconf.py", site.output,
        {"PATH": str(site.content), "SAMPLES_PROJECT_ROOT": str(site.root),
         "CACHE_PATH": str(site.root / "cache"), **CACHED},
        previous=ledger)
    assert report.ok, report.problems
    return report


def test_a_prose_edit_writes_only_that_post_and_equals_a_cold_build(site, tmp_path):
    first = site.build(**CACHED)
    assert first.ok, first.problems
    site.write({"posts/beta/index.md": post("Beta", "notes", "First words of beta.\n\nEdited.")})
    report = rebuild(site, first.ledger)
    assert report.written == ["posts/beta/index.html"]
    assert tree(site.output) == cold_tree(site, tmp_path)


def test_a_title_change_rewrites_the_listings_that_show_it(site, tmp_path):
    first = site.build(**CACHED)
    site.write({"posts/gamma/index.md": post("Gamma!", "code", "Gamma, the third.")})
    report = rebuild(site, first.ledger)
    assert {"posts/gamma/index.html", "index.html", "archives/index.html",
            "tag/code/index.html"} <= set(report.written)
    assert "tag/notes/index.html" not in report.written
    assert tree(site.output) == cold_tree(site, tmp_path)


def test_a_deleted_post_leaves_no_page_behind(site, tmp_path):
    first = site.build(**CACHED)
    shutil.rmtree(site.content / "posts" / "gamma")
    rebuild(site, first.ledger)
    assert not (site.output / "posts" / "gamma").exists()
    assert tree(site.output) == cold_tree(site, tmp_path)


def test_a_failed_incremental_build_leaves_the_tree_and_its_ledger_usable(site, tmp_path):
    first = site.build(**CACHED)
    good = tree(site.output)
    site.write({"posts/beta/index.md": "Title: Beta\nDate: not a date\n\nBroken.\n"})
    failed = build_site(ROOT / "pelicanconf.py", site.output, {
        "PATH": str(site.content), "SAMPLES_PROJECT_ROOT": str(site.root),
        "CACHE_PATH": str(site.root / "cache"), **CACHED},
        previous=first.ledger)
    assert not failed.ok
    assert tree(site.output) == good
    site.write({"posts/beta/index.md": post("Beta", "notes", "Fixed.")})
    rebuild(site, first.ledger)
    assert tree(site.output) == cold_tree(site, tmp_path)


def test_a_tree_replaced_by_another_build_is_rebuilt_whole(site):
    first = site.build(**CACHED)
    site.build(**CACHED)  # a new tree: the first ledger does not describe it
    report = rebuild(site, first.ledger)
    assert report.kept == []


def test_a_build_connects_its_receivers_only_while_it_runs(site):
    """Nothing is connected at import or between builds: a plain Pelican run in the same
    process gets Pelican's own writer and no receiver of ours."""
    assert site.build(**CACHED).ok
    for signal in (signals.get_writer, signals.static_generator_finalized,
                   signals.all_generators_finalized):
        # The samples plugin (in PLUGINS) keeps its own check of static files connected.
        left = [receiver() if isinstance(receiver, weakref.ref) else receiver
                for receiver in signal.receivers.values()]
        assert [f"{r.__module__}.{r.__qualname__}" for r in left] == (
            ["samples.statics.check_statics"] if signal is signals.static_generator_finalized
            else []), signal.name


def test_reading_minutes_equal_the_theme_macro():
    env = Environment(loader=FileSystemLoader(ROOT / "theme" / "templates"))
    macro = env.get_template("_entry.html").module.reading_time

    class Article:
        def __init__(self, content: str) -> None:
            self.content = content

    for words in (0, 1, 219, 220, 221, 700):
        html = "<p>" + " ".join(["word"] * words) + " <code>x = 1</code></p>"
        assert str(macro(Article(html))) == f"{reading_minutes(html)} min read"


def test_search_glob_and_urls():
    assert glob_matches("posts/**/*.html", "posts/a/index.html")
    assert not glob_matches("posts/**/*.html", "tag/a/index.html")
    assert url_of("posts/a/index.html") == "/posts/a/"
    assert url_of("sitemap.xml") == "/sitemap.xml"


def children_named(name: str) -> list[int]:
    """Pids of this process's children whose command is ``name``."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "comm").read_text().strip()
        except OSError:
            continue
        if int(fields[1]) == os.getpid() and command.startswith(name):
            found.append(int(stat.parent.name))
    return found


def test_closing_the_indexer_while_it_starts_stops_its_service():
    # A failed build closes the indexer with pages in flight, often before the service
    # has answered its first message: the close must not fail and must stop the service.
    for _ in range(5):
        indexer = SearchIndexer()
        for n in range(3):
            indexer.add(f"posts/{n}/index.html", "<html><body><p>words</p></body></html>")
        indexer.close()
        assert not indexer._thread.is_alive()
    assert not children_named("pagefind"), "a pagefind service outlived its indexer"


def test_one_terminal_line_per_rebuild(site):
    report = site.build(**CACHED)
    line = summary_line(["content/posts/beta/index.md"], report)
    assert "content/posts/beta/index.md:" in line and "page(s) written" in line


class Hub:
    """Stands in for the reload hub: remembers what was announced."""

    def __init__(self) -> None:
        self.published: list[list[str]] = []

    def publish(self, urls, seconds) -> None:
        self.published.append(urls)


def live_site(site: FixtureSite, lines: list[str]) -> LiveSite:
    override = {"PATH": str(site.content), "SAMPLES_PROJECT_ROOT": str(site.root),
                "CACHE_PATH": str(site.root / "cache"), **CACHED}
    return LiveSite(ROOT / "pelicanconf.py", site.output, override, Hub(), echo=lines.append)


def test_the_live_shortcut_rewrites_one_page_and_equals_a_cold_build(site, tmp_path):
    lines: list[str] = []
    live = live_site(site, lines)
    try:
        assert live.rebuild().ok
        source = site.content / "posts" / "beta" / "index.md"
        site.write({"posts/beta/index.md": post("Beta", "notes", "First words of beta.\n\nNew.")})
        result = live.rebuild([source], site.root, only_modified=True)
        assert result.written == ["posts/beta/index.html"]
        assert "one post" in lines[-1]
        assert live.hub.published[-1] == ["/posts/beta/"]
        live.settle()
        assert tree(site.output) == cold_tree(site, tmp_path)
        # a title change is not for the shortcut: the listings are rewritten too
        site.write({"posts/beta/index.md": post("Beta 2", "notes", "New.")})
        result = live.rebuild([source], site.root, only_modified=True)
        assert "index.html" in result.written
        live.settle()
        assert tree(site.output) == cold_tree(site, tmp_path / "again")
    finally:
        live.close()


def test_a_broken_edit_through_the_shortcut_keeps_the_page(site):
    lines: list[str] = []
    live = live_site(site, lines)
    try:
        assert live.rebuild().ok
        good = (site.output / "posts" / "beta" / "index.html").read_bytes()
        site.write({"posts/beta/index.md": "Title: Beta\nDate: 2024-01-06\nTags: notes\n\n"
                    "```console {run=\"exit 3\"}\n```\n"})
        result = live.rebuild([site.content / "posts" / "beta" / "index.md"], site.root,
                              only_modified=True)
        assert not result.ok
        assert "still serving the last good site" in lines[-len(result.problems) - 1]
        assert (site.output / "posts" / "beta" / "index.html").read_bytes() == good
    finally:
        live.close()


def test_the_live_loop_ignores_what_builds_and_editors_write():
    names = debris_names("results.json")  # the store's name is a setting
    for path in ("/home/me/.tmp/blog/content/posts/a/index.md", "/b/content/posts/a/samples.frozen.json"):
        assert not is_debris(path, names), path
    for path in ("/b/content/posts/a/results.json", "/b/content/posts/a/.results.json.tmp",
                 "/b/content/posts/a/__pycache__/app.cpython-311.pyc", "/b/content/posts/a/.#index.md",
                 "/b/content/posts/a/app.py~", "/b/content/posts/a/.index.md.swp",
                 "/b/content/posts/a/.ruff_cache/0.1/x"):
        assert is_debris(path, names), path


def test_the_live_loop_ignores_editors_temporary_files():
    names = debris_names("samples.frozen.json")
    for name in ("sedwLdHuS", "sed0aB9zQ", ".index.md.swp", ".index.md.swo", ".index.md.swx",
                 "4913", "index.md~", ".#index.md", "#index.md#"):
        assert is_debris(f"/b/content/posts/a/{name}", names), name
    for name in ("index.md", "sed.py", "sedentary.txt", "4913.csv", "notes#1.md"):
        assert not is_debris(f"/b/content/posts/a/{name}", names), name


def test_a_failed_rebuild_prints_its_problems_once(site):
    lines: list[str] = []
    live = live_site(site, lines)
    try:
        assert live.rebuild().ok
        source = site.content / "posts" / "beta" / "index.md"
        broken = 'Title: Beta\nDate: 2024-01-06\nTags: notes\n\n```python {file="nope.py"}\n```\n'
        site.write({"posts/beta/index.md": broken})
        shortcut = live.rebuild([source], site.root, only_modified=True)
        full = live.rebuild([source, source.with_name("sedwLdHuS")], site.root)
        for result in (shortcut, full):
            assert result.problems == [
                "ERROR: content/posts/beta/index.md:5: file 'nope.py' does not exist (files "
                "beside the post: index.md)"]
        assert sum("nope.py" in line for line in lines) == 2  # once per rebuild
        assert live.ignores(source.with_name("sedwLdHuS"))  # never in a rebuild line
    finally:
        live.close()


def test_the_live_loop_ignores_the_stores_of_its_settings_and_its_output(site):
    live = live_site(site, [])
    try:
        assert live.ignores(site.content / "posts" / "alpha" / "samples.frozen.json")
        assert live.ignores(site.output / "posts" / "alpha" / "index.html")
        assert not live.ignores(site.content / "posts" / "alpha" / "index.md")
    finally:
        live.close()


def test_a_cached_build_in_a_new_process_starts_from_the_stored_ledger(site, tmp_path):
    assert site.build(**CACHED).ok
    site.write({"posts/alpha/index.md": post("Alpha", "code, notes", "First words of alpha.\n\nNew.")})
    report = site.build(**CACHED)  # no ledger passed: the one stored in CACHE_PATH
    assert report.written == ["posts/alpha/index.html"]
    assert tree(site.output) == cold_tree(site, tmp_path)
    assert site.build().ok  # a build without the cache replaces the tree...
    assert site.build(**CACHED).kept == []  # ...so the stored ledger no longer applies


def test_an_edit_after_a_failed_rebuild_is_checked_against_the_site_served(site):
    """The shortcut compares an edit with what the served listings show: a rejected edit
    (tags that collide, so the build failed) followed by a prose edit still fails."""
    lines: list[str] = []
    live = live_site(site, lines)
    try:
        assert live.rebuild().ok
        good = tree(site.output)
        source = site.content / "posts" / "beta" / "index.md"
        site.write({"posts/beta/index.md": post("Beta", "Notes", "First words of beta.\n\nMore.")})
        assert not live.rebuild([source], site.root, only_modified=True).ok
        site.write({"posts/beta/index.md": post("Beta", "Notes", "First words of beta.\n\nNew.")})
        again = live.rebuild([source], site.root, only_modified=True)
        assert not again.ok and any("Notes" in problem for problem in again.problems), again
        assert tree(site.output) == good
    finally:
        live.close()


def test_a_broken_link_made_by_a_live_edit_is_reported_at_its_line_and_not_served(site):
    lines: list[str] = []
    live = live_site(site, lines)
    try:
        assert live.rebuild().ok
        good = (site.output / "posts" / "beta" / "index.html").read_bytes()
        source = site.content / "posts" / "beta" / "index.md"
        site.write({"posts/beta/index.md": post("Beta", "notes", "First words of beta.\n\n"
                                                "See [the data](data.csv).")})
        result = live.rebuild([source], site.root, only_modified=True)
        assert result.problems == [
            "ERROR: content/posts/beta/index.md:7: the page links to data.csv, which does not "
            "resolve (no file at /posts/beta/data.csv) (link to a page or a file the site "
            "publishes, or add the file to the post's folder)"]
        assert (site.output / "posts" / "beta" / "index.html").read_bytes() == good
        # the next edit still meets the link: the page is rendered and checked again
        site.write({"posts/beta/index.md": post("Beta", "notes", "First words of beta.\n\n"
                                                "See [the data](data.csv) again.")})
        assert not live.rebuild([source], site.root, only_modified=True).ok
    finally:
        live.close()


LEAD_POST = ("Title: Delta\nDate: 2024-01-08\nTags: code, notes\n\nThe lead of delta."
             "\n\n<!-- more -->\n\nThe rest of delta.\n")
EDITS = {  # issue 27, item 2: every kind of one-post edit, as a file change or a new/gone file
    "prose": {"posts/delta/index.md": LEAD_POST.replace("rest of delta", "rest, edited")},
    "lead": {"posts/delta/index.md": LEAD_POST.replace("lead of delta", "edited lead")},
    "title": {"posts/delta/index.md": LEAD_POST.replace("Title: Delta", "Title: Delta 2")},
    "tags": {"posts/delta/index.md": LEAD_POST.replace("code, notes", "notes, fresh")},
    "date": {"posts/delta/index.md": LEAD_POST.replace("2024-01-08", "2023-12-31")},
    "new": {"posts/epsilon/index.md": post("Epsilon", "code", "A new post.")},
    "delete": {},
}


READ: list[str] = []  # the posts whose Article was made, by the receiver below


def article_made(content) -> None:
    """content_object_init receiver (module level: blinker holds receivers weakly)."""
    if isinstance(content, Article) and Path(content.source_path).is_absolute():
        READ.append(Path(content.source_path).parent.name)  # not check_upstream's probes


@pytest.mark.parametrize("kind", sorted(EDITS))
def test_every_kind_of_one_post_edit_equals_a_cold_build_and_writes_only_changed_pages(
        site, tmp_path, kind):
    """Through the live loop: the tree equals a cold build's, the pages written are
    exactly those whose bytes changed (a listing that shows nothing new is not rewritten),
    and only the edited post is read again (issue 27: not every post, as a Pelican run)."""
    site.write({"posts/delta/index.md": LEAD_POST})
    lines: list[str] = []
    live = live_site(site, lines)
    try:
        assert live.rebuild().ok
        live.settle()
        before = tree(site.output)
        source = site.content / "posts" / "delta" / "index.md"
        if kind == "delete":
            shutil.rmtree(source.parent)
            changed = [source]
        else:
            site.write(EDITS[kind])
            changed = [site.content / name for name in EDITS[kind]]
        READ.clear()
        with signals.content_object_init.connected_to(article_made):
            result = live.rebuild(changed, site.root, only_modified=kind not in ("new", "delete"))
        assert result.ok, result.problems
        assert set(READ) == {"delete": set(), "new": {"epsilon"}}.get(kind, {"delta"}), READ
        live.settle()
        after = tree(site.output)
        assert after == cold_tree(site, tmp_path)
        differ = {name for name in set(before) | set(after)
                  if name.endswith(".html") and before.get(name) != after.get(name)
                  and not name.startswith("pagefind/")}
        assert differ <= set(result.written) | {n for n in before if n not in after}
        assert set(result.written) <= {n for n in after if before.get(n) != after[n]}
    finally:
        live.close()


def test_a_new_post_renders_only_the_pages_that_list_it_or_neighbour_it(site, monkeypatch):
    """Not every page (a post's page depends on other posts' URLs only through an
    intrasite link, and on a tag only through its neighbours there)."""
    lines: list[str] = []
    live = live_site(site, lines)
    rendered: list[str] = []
    render = Template.render

    def counting(self, *args, **kwargs):  # Pelican's writer names the page it renders
        rendered.append(dict(*args, **kwargs).get("output_file"))
        return render(self, *args, **kwargs)

    try:
        assert live.rebuild().ok
        monkeypatch.setattr(Template, "render", counting)
        site.write({"posts/epsilon/index.md": post("Epsilon", "code", "A new post.")})
        assert live.rebuild([site.content / "posts" / "epsilon"], site.root).ok
        assert "posts/epsilon/index.html" in rendered and "index.html" in rendered
        assert "posts/beta/index.html" not in rendered  # tagged notes only: nothing changed
        assert "tag/notes/index.html" not in rendered and "tag/code/index.html" in rendered
    finally:
        live.close()


def test_deleting_a_post_another_links_to_fails_as_a_cold_build_does(site, tmp_path):
    site.write({"posts/beta/index.md": post("Beta", "notes", "See [gamma]({filename}/posts/"
                                            "gamma/index.md).")})
    live = live_site(site, [])
    try:
        assert live.rebuild().ok
        served = tree(site.output)
        shutil.rmtree(site.content / "posts" / "gamma")
        result = live.rebuild([site.content / "posts" / "gamma"], site.root)
        assert any("gamma/index.md" in problem for problem in result.problems), result.problems
        assert tree(site.output) == served
        twin = FixtureSite(tmp_path / "cold")
        shutil.copytree(site.content, twin.content)
        assert not twin.build(**CACHED).ok
    finally:
        live.close()


def test_an_archive_whose_bytes_did_not_change_is_kept_not_written_again(site, tmp_path):
    """The reproduce archives go through the build's writer: a title edit of one post
    writes that post's archives again, and keeps every other post's (the same file)."""
    runs = "\n\n```console {run=\"echo hello\"}\n```\n"
    site.write({"posts/alpha/index.md": post("Alpha", "code, notes", "Alpha runs." + runs),
                "posts/beta/index.md": post("Beta", "notes", "Beta runs." + runs)})
    live = live_site(site, [])
    try:
        assert live.rebuild().ok
        archives = sorted((site.output / "posts").glob("*/*-reproduce.*"))
        assert {path.parent.name for path in archives} == {"alpha", "beta"}
        before = {path: path.stat().st_ino for path in archives}
        site.write({"posts/beta/index.md": post("Beta 2", "notes", "Beta runs." + runs)})
        result = live.rebuild([site.content / "posts" / "beta" / "index.md"], site.root,
                              only_modified=True)
        assert result.ok, result.problems
        live.settle()
        kept = {path.parent.name for path in archives if path.stat().st_ino == before[path]}
        assert kept == {"alpha"}
        assert tree(site.output) == cold_tree(site, tmp_path)
    finally:
        live.close()
