"""What a reader's eye is led to in an output, on strings: lines marked with ``hl=``,
unified diffs coloured as a diff source is, and the author's ``wrap="no"`` for tables."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from engine.errors import SampleError
from engine.render import diff_line_kinds, render_sample
from test_run_rendering import record, sample

DIFF = """\
diff --git a/app.cfg b/app.cfg
index 3b18e51..a1f2c3d 100644
--- a/app.cfg
+++ b/app.cfg
@@ -1,3 +1,3 @@
 name = demo
-debug = true
+debug = false
 port = 8000
\\ No newline at end of file
2 files checked
"""


def terminal(fence: str, output: str, exit_status: int = 0) -> BeautifulSoup:
    return BeautifulSoup(render_sample(sample(fence), record(output, exit_status)), "html.parser")


def test_hl_marks_output_lines_numbered_as_printed_in_the_grammar_of_lines():
    page = terminal('```console {run="seq 6" hl="2, 4-5"}\n```\n', "1\n2\n3\n4\n5\n6\n")
    assert [line.get_text() for line in page.select(".output .line.hll")] == ["2", "4", "5"]
    assert page.select_one(".output").get_text() == "1\n2\n3\n4\n5\n6\n"  # the text is untouched
    to_the_end = terminal('```console {run="seq 6" hl="5-"}\n```\n', "1\n2\n3\n4\n5\n6\n")
    assert [line.get_text() for line in to_the_end.select(".hll")] == ["5", "6"]


def test_hl_with_output_counts_the_whole_output_and_marks_it_in_both_views():
    page = terminal('```console {run="seq 30" output="head:2, /^15$/" hl="15"}\n```\n',
                    "".join(f"{n}\n" for n in range(1, 31)))
    shown = page.select_one(".terminal > pre .output")
    assert [line.get_text() for line in shown.select(".hll")] == ["15"]
    assert [line.get_text() for line in page.select("details .hll")] == ["15"]


@pytest.mark.parametrize("fence, message", [
    ('{run="seq 3" hl="4"}', "hl='4' names line 4 but the output has 3 lines (use numbers from 1 to 3)"),
    ('{run="seq 3" hl="x"}', "hl='x' cannot be read at 'x' (write numbers and ranges like hl=\"3-7,10,12-\")"),
    ('{run="seq 3" output="1" hl="2"}', "hl='2' marks line 2 of the output, which output='1' does not "
     "show (mark shown lines only, or add the line to output=)"),
    ('{run="seq 3" wrap="maybe"}', "wrap='maybe' is neither yes nor no (outputs wrap by default; write "
     "wrap=\"no\" to keep a table's lines whole (the block then scrolls sideways))"),
])
def test_emphasis_mistakes_are_positioned_at_the_fence(fence, message):
    with pytest.raises(SampleError) as caught:
        render_sample(sample(f"Lead.\n\n```console {fence}\n```\n"), record("1\n2\n3\n"))
    assert str(caught.value) == f"index.md:3: {message}"


def test_a_unified_diff_in_an_output_is_coloured_like_a_diff_source():
    lines = DIFF.splitlines()
    assert diff_line_kinds(lines) == ["gh", "gh", "gh", "gh", "gu", "", "gd", "gi", "", "", ""]
    page = terminal('```console {run="git diff; echo 2 files checked"}\n```\n', DIFF)
    assert [line.get_text() for line in page.select(".line.gi")] == ["+debug = false"]
    assert [line.get_text() for line in page.select(".line.gd")] == ["-debug = true"]


def test_lines_that_only_look_like_a_diff_stay_plain():
    assert diff_line_kinds(["- item one", "+ bonus", "--- a/x"]) == ["", "", ""]
    assert diff_line_kinds(["--- a", "+++ b", "not a hunk"]) == ["", "", ""]
    # two diffs in one output, with a line between them that is neither
    two = ["--- a", "+++ b", "@@ -1 +1 @@", "-x", "+y", "done", "--- c", "+++ d", "@@ -1 +1 @@", "-p"]
    assert diff_line_kinds(two) == ["gh", "gh", "gu", "gd", "gi", "", "gh", "gh", "gu", "gd"]


def test_wrap_no_keeps_the_lines_whole_and_says_so():
    table = terminal('```console {run="cat table.txt" wrap="no"}\n```\n', "name   size\nalpha  12\n")
    block = table.select_one(".terminal")
    assert block["class"] == ["terminal", "terminal-nowrap"]
    assert block.select_one(".output")["data-scroll"] == "sideways"
    assert block.select_one(".wrap-note").get_text().startswith("Not wrapped")
    wrapped = terminal('```console {run="cat table.txt"}\n```\n', "name   size\n")
    assert wrapped.select_one(".terminal")["class"] == ["terminal"]
    assert wrapped.select(".wrap-note, [data-scroll]") == []


def test_emphasis_options_leave_the_key_alone():
    plain, marked = (sample(f'```console {{run="seq 9"{extra}}}\n```\n').key_payload()
                     for extra in ("", ' hl="2" wrap="no"'))
    assert plain == marked
