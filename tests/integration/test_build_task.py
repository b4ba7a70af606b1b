"""`invoke build`, run as an author runs it, on a fixture content tree."""

from __future__ import annotations

from conftest import post


def test_invoke_build_fails_on_a_broken_post_naming_it_and_keeps_the_output(site):
    site.write({"posts/good/index.md": post("Good", "2024-01-01", "code", "Lead.\n"),
                "pages/about.md": "Title: About\n\nAbout.\n"})
    done = site.fails_keeping_output("build", {"posts/broken/index.md": post(
        "Broken", "2024-02-01", "code", '```python {file="missing.py"}\n```\n')},
        page="posts/good/index.html")
    assert "content/posts/broken/index.md:5: file 'missing.py' does not exist" in done.stderr
    assert "Could not process" not in done.stderr
    assert "Build failed with 1 problem(s)" in done.stderr
    assert "was left as it was" in done.stderr
    assert not (site.root / "published/posts/broken").exists()


def test_invoke_clean_removes_the_output_and_the_configured_cache_folder(site):
    cache = site.root / "elsewhere" / "cache"
    (cache / "reproduce").mkdir(parents=True)
    (site.root / "published").mkdir(parents=True)
    done = site.run_task("clean", BLOG_CACHE_PATH=str(cache))
    assert done.returncode == 0, done.stderr
    assert not cache.exists() and not (site.root / "published").exists()
