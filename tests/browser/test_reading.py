"""A reader's path through the built blog in Chromium: tag page, post, tag, copy,
phone width, dark mode, search; screenshots of what they see."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
EVERY_PAGE = ["/", "/tag/code/", "/tags/", "/archives/", "/posts/counting-words/",
              "/posts/failing-exit/", "/posts/reading-notes/", "/posts/chosen-lines/", "/about/",
              "/404.html", "/search/?q=tessellate"]
PHONE_390 = {**PHONE, "viewport": {"width": 390, "height": 844}}

COUNT_REGION = '''def tessellate(text):
    """Cut the text into words (the name is unusual on purpose: the search test looks for it)."""
    return len(text.split())
'''
RESULT_TITLES = ".pagefind-ui__result-inner > .pagefind-ui__result-title > a"  # not sub-results
EXEC_BODY = '''from pathlib import Path
print(Path("words.txt").read_text().count("\\n"), "lines")
'''


def luminance(css_colour: str) -> float:
    """Relative luminance (0 black … 1 white) of an rgb()/rgba() computed colour."""
    red, green, blue = (int(float(v)) / 255 for v in
                        css_colour[css_colour.index("(") + 1:-1].split(",")[:3])

    def linear(c):
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def test_tag_page_to_post_to_tag_and_back(page):
    page.goto("/tag/code/")
    expect(page.locator("h1")).to_have_text("Posts for: #code")
    titles = page.locator("article.entry h2").all_inner_texts()
    assert titles == ["Counting words with Python", "A check that fails on purpose",
                      "Printing from a shell block"]
    expect(page.locator("article.entry .reading-time").first).to_have_text("1 min read")

    page.get_by_role("link", name="Counting words with Python").click()
    page.wait_for_url("**/posts/counting-words/")
    expect(page.locator("article.post h1")).to_have_text("Counting words with Python")
    expect(page.locator("article.post .reading-time")).to_contain_text("min read")

    page.locator("article.post header .tags").get_by_role("link", name="#python").click()
    page.wait_for_url("**/tag/python/")
    expect(page.locator("h1")).to_have_text("Posts for: #python")
    expect(page.locator("article.entry h2")).to_have_text(["Counting words with Python"])


def test_older_and_newer_posts_of_the_code_tag(page):
    page.goto("/posts/failing-exit/")
    nav = page.get_by_role("navigation", name="More posts tagged #code")
    expect(nav.locator("a[rel=prev]")).to_contain_text("Printing from a shell block")
    expect(nav.locator("a[rel=next]")).to_contain_text("Counting words with Python")
    nav.locator("a[rel=next]").click()
    page.wait_for_url("**/posts/counting-words/")
    nav = page.get_by_role("navigation", name="More posts tagged #code")
    expect(nav.locator("a[rel=next]")).to_have_count(0)


def test_copy_buttons_copy_exactly_the_code(new_context, base_url):
    context = new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto("/posts/counting-words/")
    figures = page.locator("figure.sample")
    # The region include: line numbers and a highlighted line on the page, neither copied.
    region = figures.nth(0)
    expect(region.locator(".ln").first).to_be_visible()
    expect(region.locator(".hll")).to_have_count(1)
    region.get_by_role("button", name="Copy The counter").click()
    expect(region.get_by_role("button", name="Copy The counter")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == COUNT_REGION
    # The exec block: the code only, not the output under it.
    executed = page.locator("figure.sample-exec")
    executed.get_by_role("button").click()
    assert page.evaluate("navigator.clipboard.readText()") == EXEC_BODY
    # A terminal with a command: Copy gives the command as written, no prompt, no output.
    terminal = page.locator("figure.sample-run .terminal")
    terminal.get_by_role("button", name="Copy the command").click()
    expect(terminal.get_by_role("button", name="Copy the command")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == \
        "printf 'one two\\nthree\\n' > words.txt && python app.py words.txt\n"
    # The exec block's output has no command, so its terminal has no button of its own.
    assert executed.locator(".terminal button").count() == 0
    assert page.locator(".highlight.source").count() == 3
    assert page.locator("button.copy").count() == 3 + page.locator(".terminal:has(.command)").count()


def test_a_wrapped_command_is_copied_as_written(new_context):
    page = new_context(**PHONE_390, permissions=["clipboard-read", "clipboard-write"]).new_page()
    page.goto("/posts/chosen-lines/")
    terminal = page.locator(".terminal", has=page.locator(".command", has_text="--first-argument"))
    assert terminal.locator(".command").evaluate("e => e.getClientRects().length") > 1  # wrapped
    terminal.get_by_role("button", name="Copy the command").click()
    assert page.evaluate("navigator.clipboard.readText()") == (
        "python -c 'import sys; print(sys.argv[1:])' --first-argument-of-a-long-line "
        "--second-argument-of-a-long-line --third\n")


def test_wrapped_lines_hang_under_a_continuation_mark(new_context):
    page = new_context(**PHONE_390).new_page()
    page.goto("/posts/chosen-lines/")
    line = page.locator(".command-line", has_text="--first-argument")
    style = line.evaluate("e => [getComputedStyle(e).paddingLeft, getComputedStyle(e).textIndent,"
                          " getComputedStyle(e).backgroundImage]")
    assert style[0] == f"{-float(style[1][:-2]):g}px" and float(style[1][:-2]) < 0  # a hanging indent
    assert "data:image/svg+xml" in style[2]  # the mark, drawn under the indent (never copied)
    prompt = line.locator(".prompt").bounding_box()
    command = line.locator(".command")
    rects = command.evaluate("e => [...e.getClientRects()].map(r => [r.left, r.top])")  # one per line
    continued = [left for left, top in rects if top > prompt["y"] + prompt["height"] / 2]
    assert continued and all(abs(left - (prompt["x"] + prompt["width"])) < 2 for left in continued)


def test_terminals_end_without_blank_lines(page):
    page.goto("/posts/chosen-lines/")
    for pre in page.locator(".terminal > pre").all():
        gap = pre.evaluate("""pre => {
            const lines = [...pre.querySelectorAll(".command-line, .line")];
            const last = lines[lines.length - 1].getBoundingClientRect().bottom;
            return pre.getBoundingClientRect().bottom - parseFloat(getComputedStyle(pre).paddingBottom) - last; }""")
        assert abs(gap) <= 1, f"{gap} px of blank lines under the last line"


def test_hl_marks_an_output_line_and_a_diff_output_is_coloured(page):
    page.goto("/posts/chosen-lines/")
    marked = page.locator(".terminal .line.hll")
    expect(marked).to_have_text(["10:quokka"])
    assert "rgb(212, 166, 0)" in marked.evaluate("e => getComputedStyle(e).boxShadow")  # the gold bar
    source_bar = page.locator(".highlight .hll")
    assert source_bar.count() == 0 or marked.evaluate("e => getComputedStyle(e).boxShadow") == \
        source_bar.first.evaluate("e => getComputedStyle(e).boxShadow")
    diff = page.locator(".terminal", has=page.locator(".command", has_text="diff -u"))
    expect(diff.locator(".line.gi")).to_have_text(["+delta"])
    expect(diff.locator(".line.gd")).to_have_text(["-gamma"])
    expect(diff.locator(".line.gu")).to_have_text(["@@ -1,3 +1,3 @@"])
    colours = {kind: diff.locator(f".line.{kind}").evaluate("e => getComputedStyle(e).color")
               for kind in ("gi", "gd")}
    plain = diff.locator(".line:not(.gi):not(.gd):not(.gu):not(.gh)").first.evaluate(
        "e => getComputedStyle(e).color")
    assert len({*colours.values(), plain}) == 3


def test_a_table_the_author_keeps_whole_scrolls_and_says_so(new_context):
    page = new_context(**PHONE_390).new_page()
    page.goto("/posts/chosen-lines/")
    table = page.locator(".terminal-nowrap")
    expect(table.locator(".wrap-note")).to_be_visible()
    output = table.locator(".output")
    sizes = output.evaluate("e => [e.scrollWidth, e.clientWidth, getComputedStyle(e).overflowX]")
    assert sizes[0] > sizes[1] and sizes[2] == "auto"
    expect(output).to_have_attribute("tabindex", "0")
    assert "queue-one" in output.inner_text() and "leaking" in output.inner_text()
    # its command still wraps: only the table scrolls
    pre = table.locator("pre").first.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert pre[0] <= pre[1]


def test_run_output_is_a_terminal_with_status_and_one_colophon_per_post(page):
    page.goto("/posts/failing-exit/")
    terminal = page.locator("figure.sample-run .terminal")
    expect(terminal.locator(".prompt")).to_have_text("$")
    expect(terminal.locator(".command")).to_have_text("sh check.sh")
    expect(terminal.locator(".exit-status")).to_have_text("exit status 3")
    expect(page.locator(".colophon")).to_have_text(re.compile(r"^Ran on \d{4}-\d\d-\d\d in Debian 13\.\d+ \(trixie\)\.$"))
    assert page.locator(".verified").count() == 0
    source = page.locator(".highlight.source").first
    assert terminal.evaluate("e => getComputedStyle(e).backgroundColor") != \
        source.evaluate("e => getComputedStyle(e).backgroundColor")
    page.goto("/posts/counting-words/")
    assert page.locator(".exit-status").count() == 0  # status 0 is not shown


@pytest.mark.parametrize("path", EVERY_PAGE)
def test_phone_width_has_no_horizontal_scroll_and_buttons_cover_no_code(new_context, path):
    page = new_context(**PHONE).new_page()
    page.goto(path)
    page.wait_for_load_state("load")
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{path}: the page scrolls sideways at 360 px ({width[0]} px wide)"
    for button in page.locator("button.copy").all():
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360, f"{path}: copy button off screen"
        code = button.locator("xpath=ancestor::figure[1]//pre").first.bounding_box()
        overlaps = (box["x"] < code["x"] + code["width"] and code["x"] < box["x"] + box["width"]
                    and box["y"] < code["y"] + code["height"] and code["y"] < box["y"] + box["height"])
        assert not overlaps, f"{path}: a copy button covers code ({box} over {code})"


def test_long_code_scrolls_inside_its_block_on_a_phone(new_context):
    page = new_context(**PHONE).new_page()
    page.goto("/posts/counting-words/")
    whole_file = page.locator("figure.sample-include").nth(1).locator("pre")
    sizes = whole_file.evaluate("e => [e.scrollWidth, e.clientWidth, getComputedStyle(e).overflowX]")
    assert sizes[0] > sizes[1] and sizes[2] == "auto"
    assert whole_file.get_attribute("tabindex") == "0"  # reachable by keyboard to scroll


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_code_blocks_follow_the_colour_scheme(new_context, scheme):
    page = new_context(color_scheme=scheme).new_page()
    page.goto("/posts/counting-words/")
    source = page.locator(".highlight.source").first
    background = luminance(source.evaluate("e => getComputedStyle(e).backgroundColor"))
    text = luminance(source.locator(".line").first.evaluate("e => getComputedStyle(e).color"))
    terminal = luminance(page.locator(".terminal").first.evaluate(
        "e => getComputedStyle(e).backgroundColor"))
    if scheme == "dark":
        assert background < 0.05 and text > 0.5
    else:
        assert background > 0.85 and text < 0.1
    assert terminal < 0.05  # run output is a terminal in both schemes


def test_search_for_a_word_only_in_one_posts_code_finds_that_post(page):
    page.goto("/tag/code/")
    page.get_by_role("searchbox", name="Search the posts").fill("tessellate")
    page.get_by_role("searchbox", name="Search the posts").press("Enter")
    page.wait_for_url("**/search/?q=tessellate")
    results = page.locator(RESULT_TITLES)
    expect(results).to_have_count(1)
    expect(results).to_have_text("Counting words with Python")
    results.click()
    page.wait_for_url("**/posts/counting-words/")


def test_search_finds_prose_and_not_the_pages_around_the_posts(page):
    page.goto("/search/?q=whitespace")
    expect(page.locator(RESULT_TITLES)).to_have_text(["Counting words with Python"])
    page.goto("/search/?q=fixture")  # only in the About page, which is not indexed
    expect(page.locator(".pagefind-ui__message")).to_contain_text("No results")


SCREENSHOT_PAGES = [("tag", "base", "/tag/code/"), ("article", "base", "/posts/counting-words/"),
                    ("chosen-lines", "base", "/posts/chosen-lines/"),
                    ("gdb-post", "real", "/posts/gdb-snmp-memory-leak/")]


@pytest.mark.parametrize("name, site, path", SCREENSHOT_PAGES)
def test_screenshots(new_context, artifacts, request, name, site, path):
    """Each page at 1280 and 390 px, light and dark (a long post: its first three screens)."""
    root = request.getfixturevalue("real_url" if site == "real" else "base_url")
    for width in (1280, 390):
        for scheme in ("light", "dark"):
            options = {**(DESKTOP if width == 1280 else PHONE_390), "color_scheme": scheme}
            page = new_context(**options).new_page()
            page.goto(root + path)
            page.wait_for_load_state("load")
            target = artifacts / f"{name}-{width}-{scheme}.png"
            if site == "real":
                height = options["viewport"]["height"] * 3
                page.screenshot(path=str(target), full_page=True,
                                clip={"x": 0, "y": 0, "width": width, "height": height})
            else:
                page.screenshot(path=str(target), full_page=True)
            assert target.stat().st_size > 10_000, f"{target} looks empty"


def test_the_whole_output_is_one_click_away(page):
    page.goto("/posts/chosen-lines/")
    terminal = page.locator("figure.sample-run").first
    shown = terminal.locator(".terminal > pre > code > .output")
    expect(shown).to_have_text("1\n2\n… 11 lines …\n14\n15\n16\n… 12 lines …\n29\n30\n")
    whole = terminal.locator("details.whole-output")
    expect(whole.locator(".output")).to_be_hidden()
    whole.locator("summary").click()
    expect(whole.locator(".output")).to_be_visible()
    assert whole.locator(".output").inner_text().split() == \
        [str(n) if n != 10 else "quokka" for n in range(1, 31)]


def test_search_finds_a_line_only_the_whole_output_holds(page):
    page.goto("/search/?q=quokka")
    expect(page.locator(RESULT_TITLES)).to_have_text(["Chosen lines and a chart"])


def test_a_hidden_run_shows_nothing_and_colours_are_classes(page):
    page.goto("/posts/chosen-lines/")
    assert "> numbers.txt" not in page.locator("article.post").inner_text()
    expect(page.locator(".ansi-green")).to_have_text("PASSED")
    expect(page.locator(".ansi-red")).to_have_text("FAILED")
    assert page.locator("figure.sample-exec .terminal").count() == 0  # printed nothing


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_figure_from_a_run_reads_in_both_schemes(new_context, artifacts, scheme):
    page = new_context(**DESKTOP, color_scheme=scheme).new_page()
    page.goto("/posts/chosen-lines/")
    figure = page.locator("figure.sample-figure")
    image = figure.locator("img")
    image.scroll_into_view_if_needed()
    expect(image).to_have_attribute("alt", re.compile("^A line rising steadily"))
    expect(figure.locator("figcaption")).to_have_text("The numbers of numbers.txt, drawn by matplotlib")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    card = luminance(image.evaluate("e => getComputedStyle(e).backgroundColor"))
    assert card > 0.85  # the chart's dark lines and labels sit on a light card in both schemes
    figure.screenshot(path=str(artifacts / f"figure-{scheme}.png"))


def test_commands_and_outputs_wrap_inside_their_block_at_390_px(new_context):
    page = new_context(**PHONE_390).new_page()
    page.goto("/posts/chosen-lines/")
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways at 390 px ({width[0]} px wide)"
    for pre in page.locator(".terminal pre").all():
        sizes = pre.evaluate("e => [e.scrollWidth, e.clientWidth]")
        assert sizes[0] <= sizes[1], f"a terminal block is cut at its edge: {sizes}"
    command = page.locator(".command", has_text="--first-argument").evaluate(
        "e => e.getClientRects().length")
    assert command > 1  # the long command wrapped onto more lines
