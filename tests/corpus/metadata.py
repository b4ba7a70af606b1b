"""Markdown and metadata cases: line endings, encodings, headers, slugs, tags, folders."""

from __future__ import annotations

from conftest import post

from .harness import Case, CaseSite, Outcome

WHERE = "content/posts/demo/index.md"
MISSING = '```python {file="nope.py"}\n```\n'
NOPE = "file 'nope.py' does not exist (files beside the post: index.md)"


def one_post(text: str | bytes, **files: str):
    def act(site: CaseSite) -> Outcome:
        return site.write({"posts/demo/index.md": text, **files}).built()
    return act


def posts(**texts: str):
    def act(site: CaseSite) -> Outcome:
        return site.write({f"posts/{slug.replace('__', '/')}/index.md": text
                           for slug, text in texts.items()}).built()
    return act


def page_shows(*pieces: str):
    def check(site: CaseSite) -> None:
        text = (site.output / "posts/demo/index.html").read_text(encoding="utf-8")
        for piece in pieces:
            assert piece in text, piece
    return check


PLAIN = post("Demo", "2024-01-01", "code", 'Lead.\n\n```console {run="echo crlf-ok"}\n```\n')
CRLF = PLAIN.replace("\n", "\r\n").encode()

CASES = [
    Case("markdown", "CRLF line endings, error still on its line",
         f"{WHERE}:7: {NOPE}",
         act=one_post(post("Demo", "2024-01-01", "code", "Lead.\n\n" + MISSING).replace("\n", "\r\n").encode())),
    Case("markdown", "byte order mark, error still on its line",
         f"{WHERE}:7: {NOPE}",
         act=one_post(b"\xef\xbb\xbf" + post("Demo", "2024-01-01", "code", "Lead.\n\n" + MISSING).encode())),
    Case("markdown", "CRLF and a byte order mark build like any post",
         "crlf-ok", succeeds=True, changes_stores=True,
         act=lambda site: site.write({"posts/demo/index.md": b"\xef\xbb\xbf" + CRLF}).built_showing("crlf-ok"),
         check=page_shows("<h1", "Demo", "crlf-ok")),
    Case("markdown", "missing title",
         f"{WHERE}:1: the post has no Title: line (add one to the header, e.g. Title: Counting "
         "words with Python)",
         act=one_post("Date: 2024-01-01\nTags: code\n\nLead.\n")),
    Case("markdown", "unparseable date",
         f"{WHERE}:2: bad metadata: '2024-13-45' is not a valid date (check the header lines, "
         "e.g. Date: 2024-01-31 10:00)",
         act=one_post("Title: Demo\nDate: 2024-13-45\nTags: code\n\nLead.\n")),
    Case("markdown", "duplicate slug",
         "content/posts/2024/demo/index.md:1: the slug 'demo' is already the slug of "
         "content/posts/2023/demo/index.md (both would be written to posts/demo/index.html) "
         "(give each post its own title or folder name)",
         act=posts(**{"2023__demo": post("Demo", "2024-01-01", "code", "Lead a.\n"),
                      "2024__demo": post("Demo", "2024-01-02", "code", "Lead b.\n")})),
    Case("markdown", "tag with a space colliding with a slugged tag",
         "content/posts/b/index.md:3: tag 'web-dev' shares the URL tag/web-dev/ with tag 'Web Dev' "
         "of content/posts/a/index.md (write the tag the same way in every post)",
         act=posts(a=post("A", "2024-01-01", "Web Dev", "Lead a.\n"),
                   b=post("B", "2024-01-02", "web-dev", "Lead b.\n"))),
    Case("markdown", "uppercase variant of a tag",
         "content/posts/b/index.md:3: tag 'code' shares the URL tag/code/ with tag 'Code' of "
         "content/posts/a/index.md (write the tag the same way in every post)",
         act=posts(a=post("A", "2024-01-01", "Code", "Lead a.\n"),
                   b=post("B", "2024-01-02", "code", "Lead b.\n"))),
    Case("markdown", "index.md that is not UTF-8",
         f"{WHERE}:5: the file is not UTF-8 (byte 0xe9 at column 4) (save it as UTF-8)",
         act=one_post(b"Title: Demo\nDate: 2024-01-01\nTags: code\n\nCaf\xe9.\n")),
    Case("markdown", "empty post",
         f"{WHERE}:1: the post is empty (start it with a header: Title:, Date:, Tags:, then a "
         "blank line and the text)",
         act=one_post("")),
    Case("markdown", "post folder without index.md",
         "content/posts/lost/: a post folder without index.md (it holds app.py, notes.txt) (add "
         "index.md, or move the files out of the article folders)",
         act=lambda site: site.demo("Lead.\n", {"posts/lost/app.py": "print(1)\n",
                                                "posts/lost/notes.txt": "x\n"}).built()),
]
