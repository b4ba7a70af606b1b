"""Every error of a post is reported together (the single-error cases are in tests/corpus/)."""

from __future__ import annotations

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
