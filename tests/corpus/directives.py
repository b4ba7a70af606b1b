"""Directive cases: includes, runs, execs, inline values and where a fence may stand.

Every fixture is the one-post site of ``CaseSite.demo``: the body starts at line 5.
"""

from __future__ import annotations

import os

from .harness import APP, Case, CaseSite, Outcome, post

WHERE = "content/posts/demo/index.md"


def body_case(name: str, body: str, expected: str, files: dict | None = None,
              through_build: bool = False, **override) -> Case:
    """A post whose body is ``body``, rendered once by the engine (or built, when the
    message comes from the Markdown reader or the case proves it reaches the build's log)."""
    def act(site: CaseSite) -> Outcome:
        site.demo(body, files)
        return site.built(**override) if through_build else site.engine_built(**override)
    return Case("directives", name, f"{WHERE}:{expected}", act=act)


def symlink_escape(site: CaseSite) -> None:
    (site.root / "secret.py").write_text("TOKEN = 1\n")
    site.demo('```python {file="link.py"}\n```\n')
    os.symlink(site.root / "secret.py", site.content / "posts/demo/link.py")


def lab_case(name: str, header: str, expected: str) -> Case:
    """A post whose header declares its lab with ``header`` (at line 4)."""
    def act(site: CaseSite) -> Outcome:
        site.write({"posts/demo/index.md": post("Demo", "2024-01-01", "code",
                                                '```console {run="true"}\n```\n', extra=header)})
        return site.engine_built()
    return Case("directives", name, f"{WHERE}:{expected}", act=act)


def unused_link_escaping(site: CaseSite) -> None:
    (site.root / "secret.py").write_text("TOKEN = 1\n")
    site.demo("No sample uses the link.\n")
    os.symlink(site.root / "secret.py", site.content / "posts/demo/link.py")


def recorded(body: str, files: dict | None = None):
    """Arrange: the post built once with execution on (its store recorded)."""
    def arrange(site: CaseSite) -> None:
        outcome = site.demo(body, files).engine_built()
        assert outcome.ok, outcome.messages
    return arrange


def edit(relative: str, text: str, **override):
    def act(site: CaseSite):
        (site.content / "posts/demo" / relative).write_text(text)
        return site.engine_built(**override)
    return act


def inert(site: CaseSite) -> Outcome:
    outcome = site.built()
    shown = site.html("posts/demo/index.html").select_one("article").get_text() if outcome.ok else ""
    if outcome.ok and "witness" not in shown and "{run=" not in shown and not site.store().exists():
        outcome.messages.append("the commented-out sample neither ran nor showed")
    return outcome


def identical_in_place(site: CaseSite) -> Outcome:
    site.demo('```console {run="echo same"}\n```\n\n1. Again:\n\n    ```console {run="echo same"}\n'
              '    ```\n\n> ```console {run="echo same"}\n> ```\n')
    outcome = site.built()
    if outcome.ok:
        page = site.html("posts/demo/index.html")
        placed = [len(page.select(where)) for where in ("ol > li figure.sample-run",
                                                        "blockquote figure.sample-run")]
        if placed == [1, 1]:
            outcome.messages.append("each identical run rendered where it stands")
    return outcome


CASES = [
    body_case("missing file", '```python {file="nope.py"}\n```\n',
              "5: file 'nope.py' does not exist (files beside the post: app.py, index.md)",
              through_build=True),
    body_case("path escaping the post", '```python {file="../other/app.py"}\n```\n',
              "5: path '../other/app.py' leaves the post's folder (paths are relative to the "
              "post's folder and may not use '..' or start with '/')"),
    Case("directives", "symlink escaping the post",
         f"{WHERE}:5: path 'link.py' is a symlink that escapes the post's folder (to "
         "<root>/secret.py) (copy the file into the post's folder instead of linking to it)",
         arrange=symlink_escape, act=lambda site: site.engine_built()),
    Case("directives", "symlink escaping the post that no sample uses",
         f"{WHERE}:1: link.py is a symlink to <root>/secret.py, outside the post's folder: the "
         "build would publish it, pack it into the reproduce archive and copy it into every "
         "session (copy the file into the post folder instead of linking to it)",
         arrange=unused_link_escaping, act=lambda site: site.built()),
    body_case("include of the post's own index.md", 'Lead.\n\n```markdown {file="index.md" lines="1"}\n```\n',
              "7: the page links to index.md, which does not resolve (no file at "
              "/posts/demo/index.md) (the post's index.md is not published beside the page: "
              "include or link another file)", through_build=True),
    body_case("link in prose to a file that is not published", "See [the data](data.csv).\n",
              "5: the page links to data.csv, which does not resolve (no file at "
              "/posts/demo/data.csv) (link to a page or a file the site publishes, or add the "
              "file to the post's folder)", through_build=True),
    body_case("unknown region", '```python {file="app.py" region="mian"}\n```\n',
              "5: no region 'mian' in app.py (regions in the file: main)"),
    body_case("unclosed region", '```python {file="app.py" region="main"}\n```\n',
              "5: region 'tail' in app.py is never closed (ANCHOR: tail at line 7) (add a line "
              "with ANCHOR_END: tail)", files={"posts/demo/app.py": APP + "# ANCHOR: tail\nx = 1\n"}),
    body_case("region defined twice", '```python {file="app.py" region="main"}\n```\n',
              "5: region 'main' is defined twice in app.py (lines 3 and 7) (give each region its "
              "own name)", files={"posts/demo/app.py": APP + "# ANCHOR: main\n# ANCHOR_END: main\n"}),
    body_case("unreadable lines", '```python {file="app.py" lines="3-x"}\n```\n',
              "5: lines='3-x' cannot be read at '3-x' (write numbers and ranges like "
              'lines="3-7,10,12-")'),
    body_case("line out of range", '```python {file="app.py" lines="2-40"}\n```\n',
              "5: lines='2-40' names line 40 but app.py has 6 lines (use numbers from 1 to 6)"),
    body_case("line list starting past the end", '```python {file="app.py" lines="30-"}\n```\n',
              "5: lines='30-': '30-' starts past the end (app.py has 6 lines) (start at a line "
              "from 1 to 6)"),
    body_case("line list starting at 0", '```python {file="app.py" lines="0-3"}\n```\n',
              "5: lines='0-3': lines are numbered from 1, and '0-3' names line 0 (the first "
              "line is 1)"),
    body_case("space between a line number and a dash", '```python {file="app.py" lines="2 -4"}\n```\n',
              "5: lines='2 -4' has a space between a number and a dash at '2 -' (write a range "
              "without spaces (5-12), and separate items with commas)"),
    body_case("line list going back", '```python {file="app.py" lines="3-5,4"}\n```\n',
              "5: lines='3-5,4': '4' goes back to line 4, after line 5 (list lines in ascending "
              "order, each once (the page would show the jump without a mark); use two includes "
              "to show parts in another order)"),
    body_case("unknown pyobject", '```python {file="app.py" pyobject="Main"}\n```\n',
              "5: no function or class 'Main' in app.py (defined there: main)"),
    body_case("body given with file=", '```python {file="app.py"}\nprint(1)\n```\n',
              "5: a fence with file= must have an empty body, this one has 1 line(s) (move the "
              "text into the file, or use {exec} to execute an inline block)"),
    body_case("unknown attribute", '```python {file="app.py" region="main" colour="red"}\n```\n',
              "5: unknown attribute 'colour' for an include (known attributes: file, region, "
              "lines, pyobject, hl, linenos, title)"),
    body_case("wrong exit status", '```console {run="echo oops; exit 2"}\n```\n',
              "5: run 'echo oops; exit 2' exited with status 2, expected 0 (fix the sample, or "
              "declare exit=2 if that is the point; its output ended with:\noops)"),
    body_case("timeout", '```console {run="sleep 20" timeout=0.5}\n```\n',
              "5: run 'sleep 20' timed out after 0.5 s and was killed with its whole process "
              "group (raise timeout=, or make the command finish (servers belong in the "
              "background))"),
    body_case("missing needs tool", '```console {run="true" needs="no-such-tool-xyz"}\n```\n',
              "5: needs 'no-such-tool-xyz', which the post's lab (Debian 13 (trixie)) does not "
              "have (add the Debian package that provides no-such-tool-xyz to the post's "
              "Lab-Packages header line; `apt-file search bin/no-such-tool-xyz` names it)"),
    lab_case("lab requirement not pinned", "Lab-Python: flask\n",
             "4: Lab-Python: 'flask' is not pinned (pin every requirement to one version, e.g. "
             "flask==3.1.2)"),
    lab_case("lab suite unknown", "Lab-Suite: buster\n",
             "4: Lab-Suite: 'buster' is not a Debian suite this engine knows (use one of "
             "bookworm, trixie, forky, sid)"),
    lab_case("lab package name with a comma", "Lab-Packages: gdb,valgrind\n",
             "4: Lab-Packages: 'gdb,valgrind' is not a Debian package name (separate names with "
             "spaces, e.g. Lab-Packages: gdb valgrind)"),
    body_case("output over the cap", '```console {run="head -c 5000 /dev/zero | tr \'\\\\0\' x"}\n```\n',
              "5: run \"head -c 5000 /dev/zero | tr '\\\\0' x\" printed 5000 bytes, over the 4 "
              "KiB output cap (print less: write bulky output to a file and show a summary (wc, "
              "head, tail))", SAMPLES_OUTPUT_CAP=4096),
    body_case("unclosed fence", '```python {file="app.py"}\n',
              "5: the sample fence opened here with ``` is never closed (add a closing ``` line "
              "at the same indentation)"),
    body_case("exec of an unknown language", "```ruby {exec}\nputs 1\n```\n",
              "5: cannot execute a ruby block (exec runs python, sh, bash)"),
    Case("directives", "stale result with execution off",
         f"{WHERE}:5: no frozen result matches this run (session 'main': app.py changed) "
         "(build with execution on (invoke build) and commit samples.frozen.json)",
         arrange=recorded('```console {run="echo hello"}\n```\n'),
         act=edit("app.py", APP + "# edited\n", SAMPLES_EXECUTE=False)),
    # Where a fence may stand (Markdown containers).
    body_case("unclosed attribute block", 'Lead.\n\n```console {run="python app.py"\n```\n',
              "7: the attribute block '{run=\"python app.py\"' is not closed (end it with })"),
    body_case("sample fence read as inline code", 'Lead ```console {run="echo x"}``` inline.\n',
              "5: this line looks like a sample fence, but Markdown does not read it as a fenced "
              "code block here (start the fence on its own line, indented like the text of its "
              "list item (4 spaces), or inside a blockquote; in an HTML comment it is ignored)"),
    body_case("unclosed fence inside a blockquote", '> ```console {run="echo x"}\n> quoted text\n\nAfter.\n',
              "5: the sample fence opened here with ``` is never closed (add a closing ``` line "
              "at the same indentation)"),
    body_case("fence in a list item indented like CommonMark, not Python-Markdown",
              '- Step one\n\n  ```console {run="echo x"}\n  ```\n\n- Step two\n',
              "7: Markdown renders this sample outside its list item (indent a fence in a list "
              "item by 4 spaces (Python-Markdown needs them), and start every line of a quoted "
              "fence with >)", through_build=True),
    Case("directives", "identical runs at the top, in a list item and in a quote",
         "each identical run rendered where it stands", succeeds=True, changes_stores=True,
         act=identical_in_place),
    Case("directives", "sample fence inside an HTML comment is inert",
         "the commented-out sample neither ran nor showed", succeeds=True,
         act=lambda site: inert(site.demo('Lead.\n\n<!--\n```console {run="echo ran > witness"}\n```\n-->\n'))),
    # Inline values.
    body_case("value naming an unknown id", '```console {run="echo 1" id="one"}\n```\n\nIt printed `{=two /1/}`.\n',
              "8: no run or exec has id='two' (ids in this post: one)"),
    body_case("id used twice", '```console {run="echo a" id="x"}\n```\n\n```console {run="echo b" id="x"}\n```\n',
              "8: id='x' is already used at line 5 (give each run its own id)"),
    body_case("unreadable value", '```console {run="echo 1" id="one"}\n```\n\nIt is `{=one 1}`.\n',
              "8: cannot read the inline value '{=one 1}' (write `{=NAME /REGEX/}` or "
              "`{=NAME /REGEX/ all}`, with NAME the id= of a run)"),
    body_case("value with an unknown flag", '```console {run="echo 1" id="one"}\n```\n\nIt is `{=one /1/ many}`.\n',
              "8: unknown flag 'many' in '{=one /1/ many}' (the only flag is all, for several matches)"),
    body_case("value pattern that does not compile", '```console {run="echo 1" id="one"}\n```\n\nIt is `{=one /(1/}`.\n',
              "8: the pattern of value '{=one /(1/}' is not a valid regular expression: missing ), "
              "unterminated subpattern at position 0 (check the brackets and escapes)"),
    body_case("value matching several times", '```console {run="printf \'w: 3\\\\nw: 1\\\\n\'" id="w"}\n```\n\nIt is `{=w /w: (\\d)/}`.\n',
              "8: value '{=w /w: (\\d)/}': /w: (\\d)/ matches 2 times in the output of 'w' "
              "(output lines 1, 2) (make the pattern match once, or add all to show every match)"),
    Case("directives", "value that no longer matches",
         f"{WHERE}:10: value '{{=n /n=(\\d+)/}}': /n=(\\d+)/ matches nothing in the output of 'n' "
         "(its output ends with:\ncount 1)",
         arrange=recorded('Lead.\n\n```console {run="cat n.txt" id="n"}\n```\n\nIt is `{=n /n=(\\d+)/}`.\n',
                          {"posts/demo/n.txt": "n=1\n"}),
         act=edit("n.txt", "count 1\n")),
    Case("directives", "value written without backticks",
         "It counted 30 items.", succeeds=True, changes_stores=True,
         act=lambda site: site.demo('```console {run="echo count: 30" id="n"}\n```\n\n'
                                    'It counted {=n /count: (\\d+)/} items.\n').built_showing(
                                        "It counted 30 items.")),
    body_case("unreadable value without backticks", '```console {run="echo 1" id="one"}\n```\n\n'
              'Set it to {=one}.\n',
              "8: cannot read the inline value '{=one}' (write `{=NAME /REGEX/}` or "
              "`{=NAME /REGEX/ all}`, with NAME the id= of a run; for a literal {= in prose, "
              "write \\{=)"),
    # What a run shows: hidden runs, chosen lines, figures.
    body_case("failing hidden run", '```console {run="echo setting up; exit 4" hidden}\n```\n',
              "5: hidden run 'echo setting up; exit 4' exited with status 4, expected 0 (fix the "
              "sample, or declare exit=4 if that is the point; its output ended with:\nsetting up)",
              through_build=True),
    body_case("ambiguous output= pick", '```console {run="seq 1 9" output="-3"}\n```\n',
              "5: output='-3' is ambiguous at '-3': in lines= it means lines 1-3, but it reads "
              "like the last 3 (write head:3 for the first 3 lines or tail:3 for the last 3)"),
    body_case("output= pattern matching no line", '```console {run="seq 1 9" output="/^10$/"}\n```\n',
              "5: output='/^10$/': /^10$/ matches no line of the output (the output has 9 lines) "
              "(check the pattern against the recorded output)"),
    body_case("figure the run did not write",
              '```console {run="echo no chart" figure="chart.svg" alt="A chart"}\n```\n',
              "5: run 'echo no chart' wrote no figure 'chart.svg' in its working folder (save it "
              "there under that name (matplotlib: plt.savefig('chart.svg')), or fix figure=)"),
    body_case("figure without alt text", '```console {run="python plot.py" figure="chart.svg"}\n```\n',
              "5: figure='chart.svg' has no alt= text (say what the figure shows for readers who "
              'cannot see it, e.g. alt="Memory grows by 4 MiB a minute")'),
]
