"""What a run or exec renders, on strings: hidden runs, empty outputs, figures, and the
one colophon per post that replaced the stamp under every block."""

from __future__ import annotations

import struct
import zlib

import pytest
from bs4 import BeautifulSoup
from engine.colophon import colophon
from engine.errors import SampleError
from engine.figures import figure_record, png_size, svg_size
from engine.render import render_sample
from engine.store import FrozenRun
from helpers import error_of, parse

SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="432pt" height="216pt" viewBox="0 0 432 216"/>'


def sample(fence: str):
    (only,) = parse(fence).samples
    return only


def record(output: str = "", exit_status: int = 0, figure: dict | None = None, **fields) -> FrozenRun:
    values = {"verified": "2026-12-01", "python": "3.11.2", "tools": {}, "deps": None, **fields}
    return FrozenRun("k", "main", values.pop("command", "cmd"), output, exit_status, 0.1,
                     values.pop("verified"), values.pop("python"), figure=figure, **values)


def test_a_hidden_run_renders_nothing_and_its_figure_alone():
    assert render_sample(sample('```console {run="make lab" hidden}\n```\n'), record("built\n")) == ""
    assert render_sample(sample('```python {exec hidden}\nprint(1)\n```\n'), record("1\n")) == ""
    drawn = sample('```console {run="python plot.py" hidden figure="plot.svg" alt="A line"}\n```\n')
    html = render_sample(drawn, record("", figure=figure_record("plot.svg", SVG)))
    page = BeautifulSoup(html, "html.parser")
    assert [f["class"] for f in page.find_all("figure")] == [["sample", "sample-figure"]]
    assert "python plot.py" not in html


def test_a_figure_is_embedded_with_its_alt_text_size_and_caption():
    drawn = sample('```console {run="python plot.py" figure="plot.svg" alt="Memory & time" '
                   'title="Memory over an hour"}\n```\n')
    page = BeautifulSoup(render_sample(drawn, record("drawn\n", figure=figure_record("plot.svg", SVG))),
                         "html.parser")
    run, figure = page.find_all("figure", recursive=False)
    assert "drawn" in run.get_text()
    image = figure.img
    assert (image["src"], image["alt"], image["width"], image["height"]) == \
        ("samples.figures/plot.svg", "Memory & time", "576", "288")
    assert figure.figcaption.get_text() == "Memory over an hour"
    untitled = sample('```console {run="python plot.py" figure="plot.svg" alt="A line"}\n```\n')
    html = render_sample(untitled, record("", figure=figure_record("plot.svg", SVG)))
    assert BeautifulSoup(html, "html.parser").select_one("figcaption").get_text() == "A line"


def test_no_empty_terminal_and_no_stamp_under_a_block():
    quiet = render_sample(sample('```python {exec}\nx = 1\n```\n'), record(""))
    assert "terminal" not in quiet and "sample-exec" in quiet
    failing = render_sample(sample('```sh {exec exit=3}\nexit 3\n```\n'), record("", 3))
    assert BeautifulSoup(failing, "html.parser").select_one(".terminal").get_text() == "exit status 3"
    command_only = BeautifulSoup(render_sample(sample('```console {run="true"}\n```\n'), record("")),
                                 "html.parser")
    assert command_only.select_one(".terminal").get_text() == "$ true\n"
    assert "verified" not in command_only.get_text() and "2026" not in str(command_only)


@pytest.mark.parametrize("fence, message", [
    ('{run="plot" figure="plot.svg"}', "figure='plot.svg' has no alt= text (say what the figure "
     'shows for readers who cannot see it, e.g. alt="Memory grows by 4 MiB a minute")'),
    ('{run="plot" figure="out/plot.svg" alt="x"}', "figure='out/plot.svg' is not a file name ending "
     'in .svg or .png (name the file the run writes in its working folder, e.g. figure="memory.svg" '
     "(no folders))"),
    ('{run="plot" alt="x"}', 'alt= describes a figure, and this run has no figure= (add '
     'figure="NAME.svg" (a file it writes), or drop alt=)'),
    ('{run="plot" hidden=yes}', "attribute 'hidden' is a flag and takes no value (write just hidden)"),
    ('{run="plot" hidden output="tail:2"}', "output= picks lines to show, and this run is hidden "
     "(drop output=, or drop hidden to show the chosen lines)"),
    ('{run="plot" hidden output-only}', "output-only shows this run's output, and hidden shows "
     "nothing (keep one of the two flags)"),
])
def test_figure_and_flag_mistakes_are_positioned(fence, message):
    assert error_of(f"Lead.\n\n```console {fence}\n```\n") == f"index.md:3: {message}"


def test_two_runs_may_not_make_one_figure():
    text = ('```console {run="a" figure="p.svg" alt="x"}\n```\n\n'
            '```console {run="b" figure="p.svg" alt="y"}\n```\n')
    assert error_of(text) == ("index.md:4: figure='p.svg' is already made at line 1 (give each "
                              "figure its own name)")


def test_presentation_options_leave_the_key_alone():
    plain, hidden, picked, alone = (sample(f'```console {{run="seq 9"{extra}}}\n```\n').key_payload()
                                    for extra in ("", ' hidden id="n"', ' output="tail:2"', " output-only"))
    assert plain == hidden == picked == alone
    drawn = sample('```console {run="seq 9" figure="a.svg" alt="x"}\n```\n').key_payload()
    assert drawn != plain  # the figure is collected by the run: another name, another run


def test_a_tool_from_the_labs_python_requirements_shows_its_pinned_version():
    # gunicorn from Lab-Python: dpkg does not know it, the run records "unknown", and the
    # lab's requirements pin it (the Flask and Zpark posts); a tool pinned nowhere stays bare.
    lab = {"suite": "trixie", "packages": [], "requirements": ["flask==3.1.3", "Gunicorn==27.0.1"],
           "digest": "d", "debian": "13.8"}
    records = [record(command="gunicorn app:app", tools={"gunicorn": "unknown"}, lab=lab),
               record(command="mystery", tools={"mystery": "unknown"}, lab=lab)]
    assert colophon(records).text == "Ran on 2026-12-01 in Debian 13.8 (trixie): gunicorn 27.0.1, mystery."

def test_figure_sizes_from_svg_and_png_headers():
    assert svg_size(SVG) == (576, 288)
    assert svg_size(b'<svg viewBox="0 0 300 150"></svg>') == (300, 150)
    assert svg_size(b"not an svg") is None
    header = struct.pack(">IIBBBBB", 640, 480, 8, 6, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + header + \
        struct.pack(">I", zlib.crc32(b"IHDR" + header))
    assert png_size(png) == (640, 480)
    assert figure_record("a.png", png)["width"] == 640


def test_the_colophon_names_the_latest_date_the_lab_python_where_used_and_tools_by_upstream_version():
    lab = {"suite": "trixie", "packages": ["gdb"], "requirements": [], "digest": "d", "debian": "13.8"}
    records = [
        record(command="gcc -g queuemon.c", verified="2026-11-30", lab=lab,
               tools={"gcc": "gcc 4:14.2.0-1", "gdb": "gdb 16.3-1"}),
        record(command="python drive.py", verified="2026-12-01", python="3.13.5", lab=lab),
        record(command="gunicorn app:app", tools={"gunicorn": "gunicorn 23.0.0-1"}, lab=lab),
        record(command="snmpget x", lab=lab, tools={"snmpget": "snmp 5.9.4+dfsg-2+deb13u1",
                                                    "snmpwalk": "snmp 5.9.4+dfsg-2+deb13u1"}),
    ]
    assert colophon(records).text == ("Ran on 2026-12-01 in Debian 13.8 (trixie): Python 3.13.5, "
                                      "gcc 14.2.0, gdb 16.3, gunicorn 23.0.0, snmp 5.9.4.")
    shell_only = colophon([record(command="git log --oneline", tools={})])
    assert shell_only.text == "Ran on 2026-12-01." and colophon([]) is None


def test_an_output_only_run_shows_its_output_without_the_command():
    transcript = sample('```console {run="python standin.py say alice hello" output-only}\n```\n')
    page = BeautifulSoup(render_sample(transcript, record("room: hello\nbot: hi alice\n")), "html.parser")
    assert page.select_one(".terminal").get_text() == "room: hello\nbot: hi alice\n"
    assert page.select_one(".terminal")["aria-label"] == "Output"
    assert "standin.py" not in str(page) and not page.select(".command-line, .code-bar")
    block = sample('```python {exec output-only}\nprint("rows: 3")\n```\n')
    html = render_sample(block, record("rows: 3\n"))
    assert "print(" not in html and BeautifulSoup(html, "html.parser").get_text() == "rows: 3\n"


@pytest.mark.parametrize("fence, output, message", [
    ('```console {run="python standin.py quiet" output-only}\n```\n', "",
     "output-only shows what this run printed, and it printed nothing (exit status 0) "
     "(drop output-only to show the command, or make it hidden)"),
    ('```python {exec output-only}\nx = 1\n```\n', "",
     "output-only shows what this block printed, and it printed nothing (exit status 0) "
     "(drop output-only to show the code, or make it hidden)"),
])
def test_an_output_only_sample_that_printed_nothing_fails_at_its_line(fence, output, message):
    with pytest.raises(SampleError) as caught:
        render_sample(sample(fence), record(output))
    assert str(caught.value) == f"index.md:1: {message}"
