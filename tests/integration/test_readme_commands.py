"""README's two commands are the ones CI and authors really run."""

from __future__ import annotations

import re

from conftest import ROOT, post, run_pytest


def readme_commands() -> dict[str, str]:
    """The shell lines in README's set-up section, by the heading above each."""
    text = (ROOT / "README.md").read_text()
    section = text.split("## The two commands", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^### (.+?)\n.*?```sh\n(.+?)\n```", section, flags=re.S | re.M)
    return {title.strip(): command.strip() for title, command in blocks}


def test_ci_runs_exactly_readme_test_command():
    commands = readme_commands()
    assert set(commands) == {"1. Build and serve the site", "2. Run the whole test suite"}
    ci_lines = [line for line in (ROOT / ".ci/run").read_text().splitlines()
                if line and not line.startswith(("#", "set ", "cd "))]
    assert ci_lines == [commands["2. Run the whole test suite"]]


def test_both_commands_share_the_same_setup():
    build, test = readme_commands().values()
    setup = "/usr/bin/python3 -m venv .venv && .venv/bin/pip install -q -r requirements.txt && "
    assert build.startswith(setup) and test.startswith(setup)
    assert build.endswith("invoke reserve") and test.endswith("invoke test")


def test_every_task_is_documented():
    import tasks  # noqa: PLC0415

    documented = set(re.findall(r"^\| `invoke ([\w-]+)", (ROOT / "README.md").read_text(), re.M))
    defined = {name.replace("_", "-") for name, value in vars(tasks).items()
               if type(value).__name__ == "Task"}
    assert documented == defined


def test_the_worked_example_prints_what_the_readme_says(site):
    text = (ROOT / "README.md").read_text()
    example = text.split("### A worked example", 1)[1]
    app = re.search(r"`content/posts/word-count/app.py`:\n\n```python\n(.+?)```", example, re.S)[1]
    post = re.search(r"`content/posts/word-count/index.md`:\n\n````markdown\n(.+?)````", example, re.S)[1]
    site.write({"posts/word-count/app.py": app, "posts/word-count/index.md": post})
    report = site.build()
    assert report.ok, report.problems
    page = site.html("posts/word-count/index.html")
    assert [o.get_text() for o in page.select(".output")] == ["3 words\n", "2 lines\n"]
    assert "count_words" in page.select_one("figure.sample-include").get_text()
    assert page.find("p", string="The file holds 3 words.") is not None


def worked_examples(section: str) -> tuple[str, dict[str, str]]:
    """The text of README's section and its worked examples' files (``slug/name`` -> text)."""
    text = (ROOT / "README.md").read_text().split(f"\n### {section}\n", 1)[1].split("\n### ", 1)[0]
    files = re.findall(r"`content/posts/([\w-]+/[\w.]+)`[^\n]*:\n\n(`{3,4})\w*\n(.*?)\n\2\n", text, re.S)
    return text, {path: body + "\n" for path, _, body in files}


def test_the_worked_examples_of_hidden_runs_chosen_lines_and_figures_do_what_they_say(site):
    sections = {name: worked_examples(name) for name in
                ("Hidden runs", "Chosen output lines", "Figures from runs")}
    for section, files in sections.values():
        # a post's header lines the section names: "which declares `Lab-Packages: …`"
        header = "".join(line + "\n" for line in re.findall(r"which declares `(Lab-[^`]+)`", section))
        site.write({f"posts/{path}": post(path.split("/")[0].title(), "2024-01-01", "code", text,
                                          extra=header)
                    if path.endswith("index.md") else text for path, text in files.items()})
    report = site.build()
    assert report.ok, report.problems

    scores = site.html("posts/scores/index.html").select(".terminal")
    assert [(t.select_one(".command").get_text(), t.select_one(".output").get_text()) for t in scores] \
        == [("sort -t, -k2 -n -r scores.csv", "bob,5\nalice,3\n")]

    text, _ = sections["Chosen output lines"]
    shown = re.search(r"shows\n\n```text\n(.+?)```", text, re.S)[1]
    terminal = site.html("posts/hundred/index.html").select_one(".terminal")
    pre = terminal.select_one(":scope > pre")
    for hidden in pre.select("[hidden]"):  # never displayed (the search excerpt's arrow)
        hidden.decompose()
    assert pre.get_text() == shown
    assert terminal.select_one("details summary").get_text() == "The whole output (100 lines)"

    page = site.html("posts/squares/index.html")
    assert page.select_one(".output").get_text() == "drawn\n"
    figure = page.select_one("figure.sample-figure")
    assert (figure.img["src"], figure.figcaption.get_text()) == ("samples.figures/squares.svg", "Squares")
    kept = site.content / "posts/squares/samples.figures/squares.svg"
    assert (site.output / "posts/squares/samples.figures/squares.svg").read_bytes() == kept.read_bytes()
    tested = run_pytest(site)  # the figure comes out byte for byte the same in a fresh run
    assert tested.returncode == 0 and "4 passed" in tested.stdout, tested.stdout
