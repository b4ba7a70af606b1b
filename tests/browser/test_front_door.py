"""The pages around the posts: the home page says what the blog is and lists every post,
listings show when a post was updated, archives go by year, the header fits one row on
desktop and the search page has one search box."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1280, "height": 900}}


def test_home_page_says_what_the_blog_is_and_lists_every_post(page):
    page.goto("/")
    lede = page.locator("p.site-lede")
    expect(lede).to_be_visible()
    assert lede.evaluate("e => Math.round(e.getBoundingClientRect().height / parseFloat("
                         "getComputedStyle(e).lineHeight))") <= 2  # a line (two on a phone-ish width)
    expect(lede).to_contain_text("every command was run")
    page.goto("/archives/")
    every_post = page.locator(".archive a").all_inner_texts()
    page.goto("/")
    assert sorted(page.locator("article.entry h2").all_inner_texts()) == sorted(every_post)
    assert len(every_post) == 5


def test_listings_show_the_updated_date_of_an_updated_post(page):
    for path in ("/", "/tag/code/"):
        page.goto(path)
        updated = page.locator("article.entry", has_text="Counting words with Python").locator(".entry-meta")
        expect(updated).to_have_text(re.compile(r"^2024-03-01 · updated 2024-03-05\s+· 1 min read$"))
        expect(page.locator("article.entry", has_text="A check that fails on purpose")
               .locator(".entry-meta")).not_to_contain_text("updated")
    page.goto("/archives/")
    expect(page.locator(".archive li", has_text="Counting words")).to_contain_text("(updated 2024-03-05)")


def test_archives_go_by_year_newest_first(page):
    page.goto("/archives/")
    years = page.locator(".archive-year h2").all_inner_texts()
    assert years == sorted(years, reverse=True) and len(years) == len(set(years)) >= 2
    for section in page.locator(".archive-year").all():
        year = section.locator("h2").inner_text()
        dates = [t.get_attribute("datetime") for t in section.locator(".archive > li > time").all()]
        assert dates and all(d.startswith(year) for d in dates)
        assert dates == sorted(dates, reverse=True)


@pytest.mark.parametrize("path", ["/", "/tag/code/", "/archives/", "/posts/counting-words/", "/search/?q=words"])
def test_the_header_fits_one_row_on_desktop(new_context, path):
    page = new_context(**DESKTOP).new_page()
    page.goto(path)
    tops = page.locator(".site-header > *").evaluate_all(
        "items => items.map(e => e.getBoundingClientRect()).map(r => [r.top, r.bottom])")
    middles = [(top + bottom) / 2 for top, bottom in tops]
    assert max(middles) - min(middles) < 8, f"{path}: the header wraps ({tops})"


def test_the_search_page_has_one_search_box(page):
    page.goto("/search/?q=tessellate")
    page.locator(".pagefind-ui__result").first.wait_for()
    boxes = page.locator("input[type=search], input[type=text]")
    expect(boxes).to_have_count(1)
    expect(boxes).to_have_value("tessellate")
    expect(boxes).to_have_accessible_name("Words to find in the posts and their code")
    expect(page.locator(".site-header form")).to_have_count(0)
    page.goto("/tag/code/")
    expect(page.get_by_role("searchbox", name="Search the posts")).to_have_count(1)  # elsewhere
