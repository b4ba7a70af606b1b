"""Every post, the fixture blog's and the blog's own (content/), read at 390 and 1280 px:
no command needs a sideways scroll, every output wraps or says it scrolls, no source block
scrolls for a few characters, every target is 24×24 px or spaced as WCAG 2.2 2.5.8
allows, and a long post's table of contents reaches its headings."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import REAL_POSTS

pytestmark = pytest.mark.browser

FIXTURE_POSTS = ["counting-words", "failing-exit", "reading-notes", "chosen-lines", "oldest-code"]
WIDTHS = [390, 1280]
FIT_FLOOR = 0.85  # theme/static/js/copy.js: a source block is set smaller down to this to fit

# Every terminal: its command wraps inside the block; every output line either fits
# its block or sits in a block the author left unwrapped, which says so and scrolls.
TERMINAL_PROBLEMS = """() => {
  document.querySelectorAll("details").forEach(d => { d.open = true; });
  const problems = [];
  document.querySelectorAll(".terminal").forEach((terminal, index) => {
    const name = `terminal ${index + 1} (${(terminal.querySelector(".command") || terminal).textContent.slice(0, 60)})`;
    terminal.querySelectorAll("pre").forEach(pre => {
      if (pre.scrollWidth > pre.clientWidth + 1) { problems.push(`${name}: its block scrolls sideways`); }
      const right = pre.getBoundingClientRect().right - parseFloat(getComputedStyle(pre).paddingRight);
      pre.querySelectorAll(".command-line").forEach(line => {
        if (line.getBoundingClientRect().right > right + 1) { problems.push(`${name}: the command is cut`); }
      });
      pre.querySelectorAll(".output").forEach(output => {
        const scroller = output.dataset.scroll ? output : pre;
        const edge = scroller === pre ? right : output.getBoundingClientRect().right;
        const cut = [...output.querySelectorAll(".line")].filter(
          line => line.getBoundingClientRect().right > edge + 1);
        if (!cut.length) { return; }
        const note = terminal.querySelector(".wrap-note");
        const cued = scroller !== pre && note && note.checkVisibility() &&
          getComputedStyle(output).overflowX === "auto" && output.getAttribute("tabindex") === "0";
        if (!cued) { problems.push(`${name}: ${cut.length} output line(s) cut without a visible cue`); }
      });
    });
  });
  return problems;
}"""

# Every source block: fits, or needs more than a few characters (it would have to be set
# below FIT_FLOOR of its size) and then shows a visible cue and takes the keyboard.
SOURCE_PROBLEMS = """(floor) => {
  const problems = [];
  document.querySelectorAll(".highlight.source pre").forEach((pre, index) => {
    const over = pre.scrollWidth - pre.clientWidth;
    if (over <= 1) { return; }
    const style = getComputedStyle(pre);
    const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
    const ratio = (pre.clientWidth - padding) / (pre.scrollWidth - padding);
    const name = `source block ${index + 1}`;
    if (ratio >= floor) { problems.push(`${name} scrolls for ${over} px, a few characters`); }
    const block = pre.closest(".highlight");
    const figure = block.closest("figure.sample");
    const cue = block.querySelector(".scroll-cue") || (figure && figure.querySelector(".scroll-cue"));
    if (!cue || !cue.checkVisibility()) { problems.push(`${name} scrolls without a visible cue`); }
    if (pre.getAttribute("tabindex") !== "0") { problems.push(`${name} scrolls out of keyboard reach`); }
  });
  return problems;
}"""

# WCAG 2.2 2.5.8 (Target Size, Minimum): a target is at least 24×24 CSS px, or inline in
# a sentence, or undersized but spaced: a 24 px circle centred on it meets no other
# target and no other undersized target's circle.
TARGET_PROBLEMS = """() => {
  document.querySelectorAll("details").forEach(d => { d.open = true; });
  const selector = "a[href], button, summary, input:not([type=hidden]), select, textarea";
  const targets = [...document.querySelectorAll(selector)]
    .filter(e => e.checkVisibility({opacityProperty: true, visibilityProperty: true}))
    .map(e => ({e, r: e.getBoundingClientRect()}))
    .filter(t => t.r.width > 1 && t.r.height > 1 && t.r.right > 0 && t.r.left < innerWidth);
  const inSentence = e => {
    if (getComputedStyle(e).display !== "inline") { return false; }
    const block = e.parentElement.closest("p, li, td, th, dd, dt, blockquote, figcaption");
    return !!block && block.textContent.replace(e.textContent, "").trim().length > 0;
  };
  const small = targets.filter(t => (t.r.width < 24 || t.r.height < 24) && !inSentence(t.e));
  const centre = r => [r.left + r.width / 2, r.top + r.height / 2];
  const distance = ([x, y], r) => Math.hypot(Math.max(r.left - x, 0, x - r.right), Math.max(r.top - y, 0, y - r.bottom));
  const describe = t => `${t.e.tagName.toLowerCase()} "${t.e.textContent.trim().slice(0, 40)}" ` +
    `${Math.round(t.r.width)}×${Math.round(t.r.height)} at ${Math.round(t.r.left)},${Math.round(t.r.top + scrollY)}`;
  const problems = [];
  for (const t of small) {
    const c = centre(t.r);
    const near = targets.find(o => o !== t && !o.e.contains(t.e) && !t.e.contains(o.e) && (distance(c, o.r) < 12 ||
      (small.includes(o) && Math.hypot(c[0] - centre(o.r)[0], c[1] - centre(o.r)[1]) < 24)));
    if (near) { problems.push(`${describe(t)} is under 24×24 px and ${describe(near)} is too close`); }
  }
  return problems;
}"""


def every_post():
    return [pytest.param("fixture", slug, id=slug) for slug in FIXTURE_POSTS] + \
        [pytest.param("real", slug, id=f"content-{slug}") for slug in REAL_POSTS]


@pytest.fixture
def open_post(new_context, request):
    """A function opening one post (of the fixture blog or of content/) at a width."""
    def opened(site: str, slug: str, width: int, **options):
        root = request.getfixturevalue("real_url") if site == "real" else request.getfixturevalue("base_url")
        page = new_context(viewport={"width": width, "height": 900}, **options).new_page()
        page.goto(f"{root}/posts/{slug}/")
        page.wait_for_load_state("load")
        return page
    return opened


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("site, slug", every_post())
def test_blocks_are_readable_at_any_width(open_post, site, slug, width):
    page = open_post(site, slug, width)
    sizes = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert sizes[0] <= sizes[1], f"the page scrolls sideways at {width} px ({sizes[0]} px wide)"
    assert page.evaluate(TERMINAL_PROBLEMS) == []
    assert page.evaluate(SOURCE_PROBLEMS, FIT_FLOOR) == []


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("site, slug", every_post())
def test_targets_are_24_px_or_spaced(open_post, site, slug, width):
    page = open_post(site, slug, width, is_mobile=width < 600, has_touch=width < 600)
    assert page.evaluate(TARGET_PROBLEMS) == []


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", ["/", "/tag/code/", "/tags/", "/archives/", "/about/", "/search/?q=words"])
def test_targets_on_the_other_pages(new_context, base_url, path, width):
    page = new_context(viewport={"width": width, "height": 900}).new_page()
    page.goto(path)
    page.wait_for_load_state("load")
    assert page.evaluate(TARGET_PROBLEMS) == []


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("slug", REAL_POSTS)
def test_the_table_of_contents_reaches_every_heading(open_post, slug, width):
    page = open_post("real", slug, width)
    toc = page.get_by_role("navigation", name="Contents")
    details = toc.locator("details")
    links = toc.locator("ol a")
    headings = page.locator(".post-body h2")
    assert links.count() >= headings.count() >= 3
    if width >= 1200:
        expect(details).to_have_attribute("open", "")  # beside the text, open
        box = toc.bounding_box()
        assert box["x"] + box["width"] <= page.locator(".post-body").bounding_box()["x"]
    else:
        expect(details).not_to_have_attribute("open", "")  # a closed disclosure under the title
    for index in range(links.count()):
        if not details.evaluate("d => d.open"):
            toc.locator("summary").click()
        link = links.nth(index)
        target = link.get_attribute("href")
        link.click()
        page.wait_for_function("hash => location.hash === hash", arg=target)
        heading = page.locator(f'[id="{target[1:]}"]')
        top = heading.evaluate("e => e.getBoundingClientRect().top")
        at_end = page.evaluate("innerHeight + scrollY >= document.documentElement.scrollHeight - 2")
        assert 0 <= top <= 40 or (at_end and top < 900), f"{target} is at {top} px after its link"
        expect(heading).to_be_in_viewport()


def test_short_posts_skip_the_table_of_contents_and_sections_link_to_themselves(page):
    page.goto("/posts/counting-words/")
    expect(page.locator("nav.toc")).to_have_count(0)
    heading = page.locator(".post-body h2")
    anchor = heading.locator("a.heading-anchor")
    expect(anchor).to_have_attribute("href", "#why-split-without-arguments")
    expect(anchor).to_have_accessible_name("Link to the section Why split without arguments")
    anchor.click()
    page.wait_for_url("**/posts/counting-words/#why-split-without-arguments")


def test_back_to_top_on_a_phone(open_post):
    slug = REAL_POSTS[0]
    page = open_post("real", slug, 390, is_mobile=True, has_touch=True)
    button = page.get_by_role("link", name="Back to top").last
    expect(button).to_be_hidden()  # not on the first screen
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight / 2)")
    expect(button).to_be_visible()
    box = button.bounding_box()
    assert box["y"] + box["height"] <= page.viewport_size["height"]  # kept on screen
    button.click()
    page.wait_for_function("scrollY === 0")
