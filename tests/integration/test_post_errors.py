"""Every error of a post is reported together (the single-error cases are in tests/corpus/)."""

from __future__ import annotations

import pytest
from conftest import post

APP = """\
import sys

# ANCHOR: main
def main():
    return 1
# ANCHOR_END: main
"""

# The fixture header (Title, Date, Tags, blank line) puts the first body line at line 5.


def build_with(site, body: str, files: dict | None = None, **override):
    site.write({"posts/demo/index.md": post("Demo", "2024-01-01", "code", body),
                "posts/demo/app.py": APP, **(files or {})})
    return site.build(**override)


def test_every_error_of_a_post_is_reported(site):
    body = '```python {file="nope.py"}\n```\n\n```python {file="app.py" region="x"}\n```\n'
    report = build_with(site, body)
    joined = "\n".join(report.problems)
    assert "index.md:5: file 'nope.py' does not exist" in joined
    assert "index.md:8: no region 'x' in app.py" in joined


def test_a_link_leaving_the_post_folder_fails_the_build_though_no_sample_uses_it(site, tmp_path):
    (tmp_path / "secret.txt").write_text("TOKEN=1\n")
    site.write({"posts/demo/index.md": post("Demo", "2024-01-01", "code", "No sample here.\n")})
    (site.content / "posts/demo/secret.txt").symlink_to(tmp_path / "secret.txt")
    (site.content / "posts/demo/inside.txt").write_text("fine\n")
    (site.content / "posts/demo/alias.txt").symlink_to("inside.txt")  # stays inside: fine
    report = site.build()
    assert not report.ok
    assert report.problems[0] == (
        f"ERROR: content/posts/demo/index.md:1: secret.txt is a symlink to {tmp_path}/secret.txt, "
        "outside the post's folder: the build would publish it, pack it into the reproduce "
        "archive and copy it into every session (copy the file into the post folder instead of "
        "linking to it)")
    assert not (site.output / "posts/demo").exists()


def test_pages_and_static_files_leading_outside_the_content_folder_fail_the_build(site, tmp_path):
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside/about.md").write_text("Title: About\n\nAbout.\n")
    (tmp_path / "outside/logo.png").write_bytes(b"\x89PNG")
    site.write({"posts/demo/index.md": post("Demo", "2024-01-01", "code", "Lead.\n"),
                "images/own.png": b"\x89PNG"})
    (site.content / "pages").mkdir()
    (site.content / "pages/about.md").symlink_to(tmp_path / "outside/about.md")
    (site.content / "images/shared").symlink_to(tmp_path / "outside")
    report = site.build()
    assert not report.ok
    assert f"ERROR: content/pages/about.md: this page leads outside the content folder (a " \
           f"symlink to {tmp_path}/outside/about.md): the build would publish it (copy the file " \
           "into the content folder instead of linking to it)" in report.problems
    assert f"ERROR: content/images/shared/logo.png: this file leads outside the content folder " \
           f"(a symlink to {tmp_path}/outside/logo.png): the build would publish it (copy the " \
           "file into the content folder instead of linking to it)" in report.problems


@pytest.mark.parametrize("text, message", [
    (post("Demo", "2024-01-01", "code", '```python {file="nope.py"}\n```\n'),
     "ERROR: content/posts/demo/index.md:5: file 'nope.py' does not exist (files beside the "
     "post: app.py, index.md)"),
    ("Title: Demo\nDate: 2024-13-45\n\nText.\n", None),
    ("", "ERROR: content/posts/demo/index.md:1: the post is empty (start it with a header: "
         "Title:, Date:, Tags:, then a blank line and the text)"),
    (b"Title: Demo\n\ncaf\xe9\n", "ERROR: content/posts/demo/index.md:3: the file is not "
                                   "UTF-8 (byte 0xe9 at column 4) (save it as UTF-8)"),
])
def test_one_message_per_mistake_and_the_build_still_fails(site, text, message):
    site.write({"posts/demo/index.md": text, "posts/demo/app.py": APP})
    report = site.build()
    assert not report.ok
    assert len(report.problems) == 1, report.problems
    assert message is None or report.problems == [message]


def test_a_link_the_build_wrote_that_does_not_resolve_names_its_markdown_line(site):
    run = '```console {run="echo hi"}\n```\n'
    assert build_with(site, run).ok
    body = ('Lead, see [the notes](notes.txt).\n\n```markdown {file="index.md" lines="1-2"}\n```\n\n'
            + run + '\n```json {file="samples.frozen.json" lines="1"}\n```\n')
    report = build_with(site, body)
    assert report.problems == [
        "ERROR: content/posts/demo/index.md:5: the page links to notes.txt, which does not "
        "resolve (no file at /posts/demo/notes.txt) (link to a page or a file the site "
        "publishes, or add the file to the post's folder)",
        "ERROR: content/posts/demo/index.md:7: the page links to index.md, which does not "
        "resolve (no file at /posts/demo/index.md) (the post's index.md is not published "
        "beside the page: include or link another file)",
        "ERROR: content/posts/demo/index.md:13: the page links to samples.frozen.json, which "
        "does not resolve (no file at /posts/demo/samples.frozen.json) (the post's "
        "samples.frozen.json is not published beside the page: include or link another file)",
    ]
    assert "notes.txt" not in (site.output / "posts/demo/index.html").read_text()  # the last good page


def test_each_mistake_is_one_problem_of_the_build(site):
    body = '```python {file="nope.py"}\n```\n\n```python {file="app.py" lines="0-3"}\n```\n'
    assert build_with(site, body).problems == [
        "ERROR: content/posts/demo/index.md:5: file 'nope.py' does not exist (files beside the "
        "post: app.py, index.md)",
        "ERROR: content/posts/demo/index.md:8: lines='0-3': lines are numbered from 1, and '0-3' "
        "names line 0 (the first line is 1)",
    ]
