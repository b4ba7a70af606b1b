"""Hidden runs, chosen output lines, colours, figures and the colophon, in one fixture post
built for real once; then a changed output and a changed figure, as the build, pytest and
``invoke samples`` report them."""

from __future__ import annotations

import datetime
import hashlib
import json
import subprocess
from types import SimpleNamespace

import pytest
from conftest import FixtureSite, post, run_pytest
from sandbox.lab import Lab, default_cache, find_lab

CHART = '''\
import sys

heights = [int(h) for h in sys.argv[1:]]
bars = "".join(f'<rect x="{10 + 30 * i}" y="{100 - h}" width="20" height="{h}" fill="#3b7dd8"/>'
               for i, h in enumerate(heights))
with open("chart.svg", "w") as svg:
    svg.write(f'<svg xmlns="http://www.w3.org/2000/svg" width="150pt" height="90pt" '
              f'viewBox="0 0 200 120">{bars}</svg>')
print("bars:", *heights)
'''
BODY = '''\
Lead.

<!-- more -->

```console {run="printf 'lab ready\\n' > lab.txt && printf 'requests: 2000\\n'" hidden id="lab"}
```

The lab answered `{=lab /requests: (\\d+)/}` requests.

```console {run="cat lab.txt"}
```

```console {run="seq 1 40" output="head:2, /^20$/±1, tail:2"}
```

```console {run="printf '\\033[32mPASSED\\033[0m \\033[1;31mFAILED\\033[0m\\n'"}
```

```python {exec}
import json
```

```console {run="python chart.py 20 40 60" figure="chart.svg" alt="Three bars, growing" title="Requests per minute"}
```
'''
POST = post("Demo", "2024-01-01", "code", BODY)
# The line of each sample's fence in index.md, found by what it runs.
LINES = {name: next(number for number, line in enumerate(POST.splitlines(), start=1) if mark in line)
         for name, mark in (("hidden", "hidden"), ("cat", "cat lab.txt"), ("chart", "chart.py"))}


def write_post(site: FixtureSite) -> FixtureSite:
    return site.write({"posts/demo/index.md": POST, "posts/demo/chart.py": CHART})


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> FixtureSite:
    site = write_post(FixtureSite(tmp_path_factory.mktemp("readers") / "site"))
    report = site.build()
    assert report.ok, report.problems
    return site


def test_a_hidden_run_renders_nothing_and_a_later_run_shows_its_effect(built):
    body = built.html("posts/demo/index.html").select_one(".post-body")
    assert "requests: 2000" not in body.get_text() and "> lab.txt" not in body.get_text()
    assert [p.get_text() for p in body.find_all("p")] == [
        "Lead.", "The lab answered 2000 requests."]  # no empty paragraph where it stood
    first = body.select_one("figure.sample-run")
    assert first.select_one(".command").get_text() == "cat lab.txt"
    assert first.select_one(".output").get_text() == "lab ready\n"


def test_output_shows_the_chosen_lines_and_the_whole_output_behind_a_disclosure(built):
    terminal = built.html("posts/demo/index.html").select("figure.sample-run")[1]
    shown = terminal.select_one("pre > code > .output")
    assert shown.get_text() == "1\n2\n… 16 lines …\n19\n20\n21\n… 17 lines …\n39\n40\n"
    whole = terminal.select_one("details.whole-output")
    assert whole.summary.get_text() == "The whole output (40 lines)"
    assert whole.select_one(".output").get_text() == "".join(f"{n}\n" for n in range(1, 41))


def test_terminal_colours_are_classes_and_no_escape_reaches_the_page(built):
    page = (built.output / "posts/demo/index.html").read_text()
    assert "\x1b" not in page  # the command as written shows \033, the output its colours
    colours = built.html("posts/demo/index.html").select("figure.sample-run")[2]
    assert [(s["class"], s.get_text()) for s in colours.select(".output .line > span")] == [
        (["ansi-green"], "PASSED"), (["ansi-bold", "ansi-red"], "FAILED")]


def test_an_exec_that_printed_nothing_shows_no_terminal(built):
    executed = built.html("posts/demo/index.html").select_one("figure.sample-exec")
    assert executed.select_one(".terminal") is None and "import json" in executed.get_text()


def test_a_figure_is_recorded_published_and_embedded_with_its_alt_text(built):
    kept = built.content / "posts/demo/samples.figures/chart.svg"
    store = json.loads((built.content / "posts/demo/samples.frozen.json").read_text())
    (record,) = [run for run in store["runs"] if run.get("figure")]
    assert record["figure"] == {"name": "chart.svg", "sha256": hashlib.sha256(kept.read_bytes()).hexdigest(),
                                "bytes": kept.stat().st_size, "width": 200, "height": 120}
    assert "samples.figures/chart.svg" not in store["files"]  # never part of the post's inputs
    assert (built.output / "posts/demo/samples.figures/chart.svg").read_bytes() == kept.read_bytes()
    page = built.html("posts/demo/index.html")
    figure = page.select_one("figure.sample-figure")
    assert (figure.img["src"], figure.img["alt"]) == ("samples.figures/chart.svg", "Three bars, growing")
    assert figure.figcaption.get_text() == "Requests per minute"
    downloads = [a.get_text() for a in page.select_one("#sample-files-heading").parent.select("a")]
    assert downloads == ["chart.py"]


def test_one_colophon_and_no_stamp_under_any_block(built):
    page = built.html("posts/demo/index.html")
    today = datetime.date.today().isoformat()
    lab = find_lab(Lab(), default_cache())  # the base lab: the post declares none
    assert [p.get_text() for p in page.select(".colophon")] == [
        f"Ran on {today} in Debian {lab.debian_version()} (trixie): Python {lab.python_version()}."]
    assert page.select(".verified") == [] and page.get_text().count("verified") == 0


def test_hidden_runs_are_test_items_and_replayed_by_verify(built, tmp_path):
    tested = run_pytest(built, "-v")
    assert tested.returncode == 0 and "6 passed" in tested.stdout, tested.stdout
    assert f"index.md::line{LINES['hidden']} run printf" in tested.stdout
    subprocess.run(["tar", "xzf", str(built.output / "posts/demo/demo-reproduce.tar.gz"), "-C",
                    str(tmp_path)], check=True)
    folder = tmp_path / "demo-reproduce"
    manifest = json.loads((folder / "manifest.json").read_text())
    runs = manifest["sessions"][0]["runs"]
    assert runs[0]["hidden"] is True and runs[-1]["recorded_figure"]["name"] == "chart.svg"
    assert not (folder / "files/samples.figures").exists()
    done = subprocess.run(["/usr/bin/python3", "verify.py"], cwd=folder, capture_output=True,
                          text=True, timeout=120, env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[0].startswith("replaying in Debian 13 (trixie) (Debian 13.")
    assert done.stdout.splitlines()[1].startswith(f"✓ line {LINES['hidden']} printf 'lab ready")
    assert done.stdout.splitlines()[-1] == "6 of 6 runs match"
    runs[-1]["recorded_figure"]["sha256"] = "0" * 64  # as if the record held another drawing
    (folder / "manifest.json").write_text(json.dumps(manifest))
    done = subprocess.run(["/usr/bin/python3", "verify.py", "--post-line", str(LINES["chart"])],
                          cwd=folder, capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})
    size = runs[-1]["recorded_figure"]["bytes"]
    assert done.returncode == 1 and f"    figure chart.svg changed: {size:,} bytes recorded, " \
        f"{size:,} bytes in the fresh run (sha256 000000000000 → " in done.stdout, done.stdout


class FixedDate(datetime.date):
    @classmethod
    def today(cls):
        return cls(2026, 1, 2)


def test_a_changed_output_and_figure_are_a_diff_in_the_build_and_a_failure_in_pytest(
        site, capfd, monkeypatch):
    write_post(site)
    with monkeypatch.context() as patched:  # recorded on another day, to see which dates move
        patched.setattr("engine.execute.datetime", SimpleNamespace(date=FixedDate))
        assert site.build().ok
    capfd.readouterr()
    post_file = site.content / "posts/demo/index.md"
    post_file.write_text(post_file.read_text().replace("python chart.py 20 40 60",
                                                       "python chart.py 20 40 60 80"))
    chart = site.content / "posts/demo/chart.py"
    store = site.content / "posts/demo/samples.frozen.json"
    # the command changed: a new run, executed without a diff (nothing to compare it with)
    assert site.build().ok
    err = capfd.readouterr().err
    assert "the output changed" not in err and "6 runs executed, no output changed" in err
    before = {run["command"]: run for run in json.loads(store.read_text())["runs"]}
    recorded_size = before["python chart.py 20 40 60 80"]["figure"]["bytes"]
    chart.write_text(CHART.replace('"bars:"', '"bar heights:"').replace("#3b7dd8", "#d83b3b"))

    tested = run_pytest(site)
    assert tested.returncode == 1
    where = f"content/posts/demo/index.md:{LINES['chart']}"
    assert "no frozen result matches this run (session 'main': chart.py changed)" in tested.stdout
    assert "-bars: 20 40 60 80" in tested.stdout and "+bar heights: 20 40 60 80" in tested.stdout
    # another colour, as many bytes: the figure is compared by digest, and both sizes are named
    assert f"figure chart.svg changed: {recorded_size:,} bytes recorded, {recorded_size:,} bytes in " \
        "the fresh run" in tested.stdout, tested.stdout

    assert site.build().ok
    err = capfd.readouterr().err
    assert f"  {where}: the output changed since its record of {datetime.date.today()}:" in err
    assert f"    --- {where.replace(':', ' line ')} (recorded)" in err
    assert "    -bars: 20 40 60 80\n    +bar heights: 20 40 60 80" in err
    assert "    figure chart.svg changed: " in err
    assert "content/posts/demo/index.md: 6 runs executed, 1 output changed" in err
    after = {run["command"]: run for run in json.loads(store.read_text())["runs"]}
    assert after["cat lab.txt"]["changed"] == "2026-01-02"  # printed the same: its date stays
    assert after["python chart.py 20 40 60 80"]["changed"] == datetime.date.today().isoformat()
    kept = (site.content / "posts/demo/samples.figures/chart.svg").read_bytes()
    assert b"d83b3b" in kept and hashlib.sha256(kept).hexdigest() == \
        after["python chart.py 20 40 60 80"]["figure"]["sha256"]

    status = site.run_task("samples", "--runs", BLOG_SETTINGS=str(site.settings_file()))
    rows = {line.split()[1]: line for line in status.stdout.splitlines() if line.startswith("demo ")}
    assert rows[str(LINES["cat"])].split()[-1] == "2026-01-02"
    assert rows[str(LINES["chart"])].split()[-1] == datetime.date.today().isoformat()


def test_a_figure_deleted_by_hand_makes_its_session_stale(site):
    write_post(site)
    assert site.build().ok
    (site.content / "posts/demo/samples.figures/chart.svg").unlink()
    report = site.build(SAMPLES_EXECUTE=False)
    assert not report.ok
    assert any(f"index.md:{LINES['hidden']}: no frozen result matches this run (session 'main': "
               f"the figure samples.figures/chart.svg is missing (line {LINES['chart']}))" in problem
               for problem in report.problems), report.problems
    assert site.build().ok and (site.content / "posts/demo/samples.figures/chart.svg").is_file()


MEASURED = '''\
import random

height = random.randint(10, 90)  # a measurement: another value on every run
with open("load.svg", "w") as svg:
    svg.write(f'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
              f'<rect x="10" y="{100 - height}" width="20" height="{height}"/>'
              f'<!-- sampled {random.random()!r} --></svg>')  # other bytes on every run
print(f"load: {height} %")
'''


def test_a_figure_drawn_from_varying_measurements_is_compared_through_its_data(site):
    """figure-varies: the run must draw its figure, whose bytes may differ; the data it
    prints is compared under its masks, and a matching re-run keeps the recorded pair."""
    body = '''\
        Lead.

        <!-- more -->

        ```console {run="python measure.py" figure="load.svg" figure-varies alt="One bar" mask="\\d+(?= %)"}
        ```
        '''
    folder = site.content / "posts/measured"
    folder.mkdir(parents=True)
    (folder / "measure.py").write_text(MEASURED)
    (folder / "index.md").write_text(post("Measured", "2024-01-01", "code", body))
    assert site.build().ok
    store = folder / "samples.frozen.json"
    (recorded,) = json.loads(store.read_text())["runs"]
    figure = (folder / "samples.figures/load.svg").read_bytes()
    assert hashlib.sha256(figure).hexdigest() == recorded["figure"]["sha256"]
    tested = run_pytest(site, "-v")  # other bytes, same masked data: it passes
    assert tested.returncode == 0 and "1 passed" in tested.stdout, tested.stdout
    # A changed drawing script is a changed run: its new figure is recorded, although the
    # data it prints matches under the mask (the recorded pair is not kept).
    (folder / "measure.py").write_text(MEASURED.replace("<!-- sampled", "<!-- redrawn"))
    assert site.build().ok
    (redrawn,) = json.loads(store.read_text())["runs"]
    assert redrawn["figure"]["sha256"] != recorded["figure"]["sha256"]
    assert b"redrawn" in (folder / "samples.figures/load.svg").read_bytes()
    (folder / "index.md").write_text(post("Measured", "2024-01-01", "code", body.replace(" figure-varies", "")))
    tested = run_pytest(site)  # without the flag, bytes count: draws differ, so it fails
    assert tested.returncode == 1 and "figure load.svg changed" in tested.stdout, tested.stdout
