"""Every directive error is positioned, explains itself and fails the build."""

from __future__ import annotations

import os

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


def only_error(report) -> str:
    assert not report.ok, "the build should have failed"
    samples = [p for p in report.problems if "content/posts/demo/index.md:" in p]
    assert samples, report.problems
    assert any("Could not process posts/demo/index.md" in p for p in report.problems)
    return samples[0].removeprefix("ERROR: ")


CASES = {
    "missing file": (
        '```python {file="nope.py"}\n```\n',
        "content/posts/demo/index.md:5: file 'nope.py' does not exist "
        "(files beside the post: app.py, index.md)"),
    "path escaping the post": (
        '```python {file="../other/app.py"}\n```\n',
        "content/posts/demo/index.md:5: path '../other/app.py' leaves the post's folder "
        "(paths are relative to the post's folder and may not use '..' or start with '/')"),
    "unknown region": (
        '```python {file="app.py" region="mian"}\n```\n',
        "content/posts/demo/index.md:5: no region 'mian' in app.py (regions in the file: main)"),
    "bad lines": (
        '```python {file="app.py" lines="3-x"}\n```\n',
        "content/posts/demo/index.md:5: lines='3-x' cannot be read at '3-x' "
        '(write numbers and ranges like lines="3-7,10,12-")'),
    "line out of range": (
        '```python {file="app.py" lines="2-40"}\n```\n',
        "content/posts/demo/index.md:5: lines='2-40' names line 40 but app.py has 6 lines "
        "(use numbers from 1 to 6)"),
    "unknown pyobject": (
        '```python {file="app.py" pyobject="Main"}\n```\n',
        "content/posts/demo/index.md:5: no function or class 'Main' in app.py "
        "(defined there: main)"),
    "body given with file=": (
        '```python {file="app.py"}\nprint(1)\n```\n',
        "content/posts/demo/index.md:5: a fence with file= must have an empty body, this one has "
        "1 line(s) (move the text into the file, or use {exec} to execute an inline block)"),
    "unknown attribute": (
        '```python {file="app.py" region="main" colour="red"}\n```\n',
        "content/posts/demo/index.md:5: unknown attribute 'colour' for an include "
        "(known attributes: file, region, lines, pyobject, hl, linenos, title)"),
    "wrong exit status": (
        '```console {run="echo oops; exit 2"}\n```\n',
        "content/posts/demo/index.md:5: run 'echo oops; exit 2' exited with status 2, expected 0 "
        "(fix the sample, or declare exit=2 if that is the point; its output ended with:\noops)"),
    "timeout": (
        '```console {run="sleep 20" timeout=0.5}\n```\n',
        "content/posts/demo/index.md:5: run 'sleep 20' timed out after 0.5 s and was killed with "
        "its whole process group (raise timeout=, or make the command finish (servers belong in "
        "the background))"),
    "missing needs tool": (
        '```console {run="true" needs="no-such-tool-xyz"}\n```\n',
        "content/posts/demo/index.md:5: needs 'no-such-tool-xyz', which is not installed (install "
        "no-such-tool-xyz and declare its Debian package in requirements-debian.txt)"),
    "non-UTF-8 output": (
        "```console {run=\"printf 'ok\\\\377'\"}\n```\n",
        "content/posts/demo/index.md:5: run \"printf 'ok\\\\377'\" printed bytes that are not "
        "UTF-8 (byte 0xff at offset 2) (show binary data through a text form such as `xxd` or "
        "`base64`)"),
    "output over the cap": (
        '```console {run="head -c 5000 /dev/zero | tr \'\\\\0\' x"}\n```\n',
        "content/posts/demo/index.md:5: run \"head -c 5000 /dev/zero | tr '\\\\0' x\" printed "
        "5000 bytes, over the 4 KiB output cap (print less: write bulky output to a file and "
        "show a summary (wc, head, tail))"),
    "unclosed fence": (
        '```python {file="app.py"}\n',
        "content/posts/demo/index.md:5: the sample fence opened here with ``` is never closed "
        "(add a closing ``` line at the same indentation)"),
    "exec of an unknown language": (
        "```ruby {exec}\nputs 1\n```\n",
        "content/posts/demo/index.md:5: cannot execute a ruby block (exec runs python, sh, bash)"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_directive_error_is_positioned(site, case):
    body, expected = CASES[case]
    report = build_with(site, body, SAMPLES_OUTPUT_CAP=4096)
    assert only_error(report) == expected




def region_error(site, app_text: str) -> str:
    report = build_with(site, '```python {file="app.py" region="main"}\n```\n',
                        files={"posts/demo/app.py": app_text})
    return only_error(report)


def test_unclosed_region(site):
    assert region_error(site, APP + "# ANCHOR: tail\nx = 1\n") == (
        "content/posts/demo/index.md:5: region 'tail' in app.py is never closed "
        "(ANCHOR: tail at line 7) (add a line with ANCHOR_END: tail)")


def test_duplicate_region(site):
    assert region_error(site, APP + "# ANCHOR: main\n# ANCHOR_END: main\n") == (
        "content/posts/demo/index.md:5: region 'main' is defined twice in app.py "
        "(lines 3 and 7) (give each region its own name)")


def test_symlink_escape(site, tmp_path):
    secret = tmp_path / "secret.py"
    secret.write_text("TOKEN = 1\n")
    site.write({"posts/demo/index.md": post("Demo", "2024-01-01", "code",
                                             '```python {file="link.py"}\n```\n')})
    os.symlink(secret, site.content / "posts/demo/link.py")
    assert only_error(site.build()) == (
        f"content/posts/demo/index.md:5: path 'link.py' is a symlink that escapes the post's "
        f"folder (to {secret}) (copy the file into the post's folder instead of linking to it)")


def test_missing_needs_tool_names_its_debian_package(site):
    site.root.mkdir(parents=True, exist_ok=True)
    (site.root / "requirements-debian.txt").write_text("fake-tools: no-such-tool-xyz other\n")
    report = build_with(site, '```console {run="true" needs="no-such-tool-xyz"}\n```\n')
    assert only_error(report) == (
        "content/posts/demo/index.md:5: needs 'no-such-tool-xyz', which is not installed "
        "(install the Debian package fake-tools: apt-get install fake-tools)")


def test_stale_result_in_no_execute_mode(site):
    body = '```console {run="echo hello"}\n```\n'
    assert build_with(site, body).ok
    (site.content / "posts/demo/app.py").write_text(APP + "# edited\n")
    report = site.build(SAMPLES_EXECUTE=False)
    assert only_error(report) == (
        "content/posts/demo/index.md:5: no frozen result matches this run (session 'main': "
        "app.py changed) (build with execution on (invoke build) and commit samples.frozen.json)")


def test_every_error_of_a_post_is_reported(site):
    body = '```python {file="nope.py"}\n```\n\n```python {file="app.py" region="x"}\n```\n'
    report = build_with(site, body)
    joined = "\n".join(report.problems)
    assert "index.md:5: file 'nope.py' does not exist" in joined
    assert "index.md:8: no region 'x' in app.py" in joined
