"""axe-core, injected into Chromium, on every page type in light and dark: no violations."""

from __future__ import annotations

import pytest

from .conftest import REAL_POSTS, npm_file

pytestmark = pytest.mark.browser

PAGE_TYPES = {
    "home": "/",
    "tag": "/tag/code/",
    "tag index": "/tags/",
    "archives": "/archives/",
    "article with samples": "/posts/counting-words/",
    "article with a failing run": "/posts/failing-exit/",
    "article with chosen lines, colours and a figure": "/posts/chosen-lines/",
    "article without samples": "/posts/reading-notes/",
    "page": "/about/",
    "404": "/404.html",
    "search with results": "/search/?q=tessellate",
}


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {' '.join(node['target'])}: {node['failureSummary'].splitlines()[-1].strip()}")
    return "\n".join(lines)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("kind", list(PAGE_TYPES))
def test_axe_finds_no_violations(new_context, kind, scheme):
    axe = npm_file("axe-core/axe.min.js")
    page = new_context(color_scheme=scheme).new_page()
    page.goto(PAGE_TYPES[kind])
    page.wait_for_load_state("load")
    if kind.startswith("search"):
        page.locator(".pagefind-ui__result").first.wait_for()
    page.add_script_tag(path=str(axe))
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    assert results["violations"] == [], f"{kind} ({scheme}):\n" + describe(results["violations"])


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("slug", REAL_POSTS)
def test_axe_finds_no_violations_in_the_blogs_own_posts(new_context, real_url, slug, scheme):
    """The posts of content/, long, with a table of contents, open so its links are checked."""
    axe = npm_file("axe-core/axe.min.js")
    page = new_context(color_scheme=scheme, viewport={"width": 390, "height": 844}).new_page()
    page.goto(f"{real_url}/posts/{slug}/")
    page.wait_for_load_state("load")
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    page.add_script_tag(path=str(axe))
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    assert results["violations"] == [], f"{slug} ({scheme}):\n" + describe(results["violations"])
