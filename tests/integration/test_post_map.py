"""A post's map (plugins/sections), through real builds: anchored headings on every post,
a table of contents only on posts long enough to need one."""

from __future__ import annotations

from conftest import post

WORDS = " ".join(["Reading"] * 360) + "."


def long_body(sections: int = 3) -> str:
    parts = ["Lead.\n\n<!-- more -->\n"]
    for number in range(1, sections + 1):
        parts.append(f"## Part {number}: `code` & more\n\n{WORDS}\n")
        if number == 2:
            parts.append(f"### A detail of part {number}\n\n{WORDS}\n")
    return "\n".join(parts)


def test_a_long_post_gets_a_table_of_contents_reaching_every_heading(site):
    report = site.write({"posts/long/index.md": post("Long", "2024-01-01", "code", long_body())}).build()
    assert report.ok, report.problems
    page = site.html("posts/long/index.html")
    toc = page.select_one("nav.toc")
    entries = [(a["href"], a.get_text()) for a in toc.select("ol a")]
    assert entries == [("#part-1-code-more", "Part 1: code & more"), ("#part-2-code-more", "Part 2: code & more"),
                       ("#a-detail-of-part-2", "A detail of part 2"), ("#part-3-code-more", "Part 3: code & more")]
    assert toc.select_one("ol ol a")["href"] == "#a-detail-of-part-2"  # an h3 under its h2
    for href, _ in entries:
        heading = page.find(id=href[1:])
        assert heading.name in ("h2", "h3")
        anchor = heading.select_one("a.heading-anchor")
        assert anchor["href"] == href and anchor.has_attr("data-pagefind-ignore")
    assert toc.has_attr("data-pagefind-ignore")  # search shows the text, not the map
    assert page.body["class"] == ["post-page", "has-toc"]
    assert page.select_one("a.to-top")["href"] == "#top" and page.find(id="top") is not None


def test_short_posts_and_posts_with_few_sections_skip_it_but_keep_their_anchors(site):
    report = site.write({
        "posts/short/index.md": post("Short", "2024-01-01", "code",
                                     "Lead.\n\n## One\n\nA few words.\n\n## Two\n\nMore.\n\n## Three\n\nEnd.\n"),
        "posts/few/index.md": post("Few", "2024-01-02", "code", long_body(sections=2)),
    }).build()
    assert report.ok, report.problems
    for slug in ("short", "few"):
        page = site.html(f"posts/{slug}/index.html")
        assert page.select("nav.toc, a.to-top") == [] and page.body["class"] == ["post-page"]
        assert all(h.select_one("a.heading-anchor") for h in page.select(".post-body h2"))


def test_the_length_that_earns_a_map_is_a_setting(site):
    site.write({"posts/short/index.md": post("Short", "2024-01-01", "code",
                                             "Lead.\n\n## One\n\nA.\n\n## Two\n\nB.\n")})
    report = site.build(SECTIONS_MIN_HEADINGS=2, SECTIONS_MIN_WORDS=5)
    assert report.ok, report.problems
    assert site.html("posts/short/index.html").select_one("nav.toc") is not None


def test_a_source_named_without_a_link_is_reported_at_its_line(site, capsys):
    body = "Lead.\n\nThe client follows\nRFC 8555 to the letter.\n\n[RFC 7638](https://www.rfc-editor.org/rfc/rfc7638) too.\n"
    site.write({"posts/acme/index.md": post("Acme", "2024-01-01", "code", body)})
    strict = site.build()  # the project's settings: a warning, which fails the strict build
    assert strict.problems == [
        "WARNING: content/posts/acme/index.md:8: RFC 8555 is named with no link to it (link it, e.g. "
        "[RFC 8555](https://www.rfc-editor.org/rfc/rfc8555))"]
    capsys.readouterr()
    assert site.build(POSTRULES_UNLINKED_SOURCES="note").ok  # a note is printed, nothing fails
    assert "note: content/posts/acme/index.md:8: RFC 8555 is named with no link to it" in \
        capsys.readouterr().err
