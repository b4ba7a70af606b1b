"""The engine's second edition, on real fixture sites: samples where Markdown puts them,
inline values, one configuration, keys that follow imports, status, test subsets."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import ROOT, executions, post
from samples.cache import check_pelican_internals
from samples.config import SamplesConfig
from samples.pipeline import load_post, plan_for
from sitebuild import build_site
from test_engine_samples import run_pytest


def write(site, body: str, slug: str = "demo", extra: dict | None = None):
    site.write({f"posts/{slug}/index.md": post(slug.title(), "2024-01-01", "code", body),
                f"posts/{slug}/app.py": "print('hello from app')\n", **(extra or {})})


def test_samples_in_list_items_and_quotes_run_in_place_and_comments_are_inert(site):
    write(site, '''\
        Lead.

        1. First, run the app:

            ```console {run="python app.py"}
            ```

        2. Then look around.

        > ```console {run="echo quoted"}
        > ```

        <!--
        ```console {run="echo commented-out > witness"}
        ```
        -->
        ''')
    with executions() as ran:
        report = site.build()
    assert report.ok, report.problems
    assert ran == ["content/posts/demo/index.md:9", "content/posts/demo/index.md:14"]
    page = site.html("posts/demo/index.html")
    item = page.select_one("ol > li figure.sample-run")
    assert item is not None and "hello from app" in item.get_text()
    quoted = page.select_one("blockquote figure.sample-run")
    assert quoted is not None and "quoted" in quoted.get_text()
    assert "commented-out" not in page.select_one("article").get_text()
    assert "{run=" not in page.select_one("article").get_text()


def test_inline_values_render_recorded_figures_as_plain_text(site):
    write(site, '''\
        Lead.

        ```console {run="printf 'requests: 2000\\nholes: 17\\n'" id="drive"}
        ```

        The run lost `{=drive /holes: (\\d+)/}` of `{=drive /requests: (\\d+)/}` requests.
        ''')
    report = site.build()
    assert report.ok, report.problems
    paragraph = site.html("posts/demo/index.html").find("p", string=lambda s: s and "lost" in s)
    assert paragraph is not None and paragraph.get_text() == "The run lost 17 of 2000 requests."
    result = run_pytest(site)
    assert result.returncode == 0 and "1 passed" in result.stdout, result.stdout


def test_a_masked_value_is_compared_as_masked(site):
    write(site, 'Lead.\n\n```console {run="echo took $((RANDOM + 1000)) ms" id="t" mask="took \\d+"}\n'
                '```\n\nIt took `{=t /took (\\d+) ms/}` ms.\n')
    assert site.build().ok
    shown = site.html("posts/demo/index.html").find("p", string=lambda s: s and "It took" in s)
    assert shown.get_text()[8:12].isdigit()
    result = run_pytest(site)
    assert result.returncode == 0 and "1 passed" in result.stdout, result.stdout


def session_of_three(site):
    write(site, '''\
        Lead.

        ```console {run="echo one > state"}
        ```

        ```console {run="echo two >> state"}
        ```

        ```console {run="cat state; git --version >/dev/null"}
        ```
        ''')
    assert site.build().ok


def test_any_subset_of_run_items_replays_its_session(site):
    session_of_three(site)
    alone = run_pytest(site, "-k", "line13", "-v")
    assert alone.returncode == 0 and "1 passed" in alone.stdout, alone.stdout
    for dist in ("load", "loadfile"):
        spread = run_pytest(site, "-n", "2", "--dist", dist)
        assert spread.returncode == 0 and "3 passed" in spread.stdout, spread.stdout


def test_a_failing_replay_is_a_setup_error_naming_the_earlier_line(site):
    session_of_three(site)
    (site.content / "posts/demo/index.md").write_text(
        (site.content / "posts/demo/index.md").read_text().replace("echo two >> state", "false"))
    assert site.build(SAMPLES_EXECUTE=False).ok is False  # the store no longer matches
    result = run_pytest(site, "-k", "line13")
    assert "ERROR at setup" in result.stdout
    assert ("content/posts/demo/index.md:10: replaying the earlier run 'false' of session 'main' "
            "before line 13 failed: exit status 1, expected 0") in result.stdout


def configured_site(site):
    """A fixture whose settings name another store and lock file."""
    settings = site.settings_file(SAMPLES_STORE_NAME="runs.json",
                                  SAMPLES_LOCK_FILES=["locks/pins.txt"])
    (site.root / "locks").mkdir(parents=True)
    (site.root / "locks/pins.txt").write_text("flask==3.1.3\nrequests==2.34.2\n")
    write(site, 'Lead.\n\n```console {run="python -c \'import flask; print(flask.__name__)\'"}\n```\n')
    write(site, 'Lead.\n\n```console {run="echo no python here"}\n```\n', slug="plain")
    return settings


def test_build_pytest_and_freeze_read_one_configuration(site):
    settings = configured_site(site)
    report = build_site(settings, site.output)
    assert report.ok, report.problems
    store = site.content / "posts/demo/runs.json"
    assert store.is_file() and not (site.content / "posts/demo/samples.frozen.json").exists()
    recorded = [run["key"] for run in json.loads(store.read_text())["runs"]]
    config = SamplesConfig.load(settings)
    plan = plan_for(load_post(site.content / "posts/demo/index.md", config), config)
    assert [key for session in plan.sessions for key in session.keys] == recorded
    assert plan.sessions[0].records[0].deps == {"flask": "3.1.3"}
    frozen = site.run_task("freeze", BLOG_SETTINGS=str(settings))
    assert frozen.returncode == 0, frozen.stderr
    assert "demo: 1 samples, 0 executed" in frozen.stdout
    tested = run_pytest(site)
    assert tested.returncode == 0 and "2 passed" in tested.stdout, tested.stdout


def test_keys_follow_the_pins_a_run_imported(site):
    settings = configured_site(site)
    assert build_site(settings, site.output).ok
    pins = site.root / "locks/pins.txt"
    pins.write_text("flask==3.1.3\nrequests==2.99.0\n")
    with executions() as ran:
        assert build_site(settings, site.output).ok
    assert ran == []
    pins.write_text("flask==3.1.4\nrequests==2.99.0\n")
    status = site.run_task("samples", BLOG_SETTINGS=str(settings))
    assert "stale: main: flask 3.1.3 → 3.1.4 (line 7)" in status.stdout, status.stdout
    with executions() as ran:
        assert build_site(settings, site.output).ok
    assert ran == ["content/posts/demo/index.md:7"]


def test_invoke_samples_names_the_changed_file_and_check_fails(site):
    settings = configured_site(site)
    assert build_site(settings, site.output).ok
    (site.content / "posts/plain/notes.txt").write_text("new\n")
    status = site.run_task("samples", "--check", BLOG_SETTINGS=str(settings))
    assert status.returncode == 1
    rows = {line.split()[0]: line for line in status.stdout.splitlines()}
    assert "stale: main: notes.txt added" in rows["plain"]
    assert "fresh" in rows["demo"]
    assert rows["total"].split()[1:5] == ["2", "1", "fresh,", "1"]
    data = json.loads(site.run_task("samples", "--json", BLOG_SETTINGS=str(settings)).stdout)
    assert [(d["post"], d["stale"]) for d in data] == [("demo", False), ("plain", True)]


def test_recorded_text_is_kept_when_a_re_execution_matches_under_masks(site):
    write(site, 'Lead.\n\n```console {run="date +%N" mask="\\\\d+"}\n```\n')
    assert site.build().ok
    store = site.content / "posts/demo/samples.frozen.json"
    before = json.loads(store.read_text())["runs"][0]["output"]
    (site.content / "posts/demo/app.py").write_text("print('edited')\n")
    with executions() as ran:
        assert site.build().ok
    assert ran == ["content/posts/demo/index.md:7"]
    assert json.loads(store.read_text())["runs"][0]["output"] == before


def test_progress_lines_say_why_and_what_ran(site):
    write(site, 'Lead.\n\n```console {run="echo hi"}\n```\n')
    done = site.run_task("build", BLOG_SETTINGS=str(site.settings_file()))
    assert done.returncode == 0, done.stderr
    assert "content/posts/demo/index.md: executing session 'main' (1 run): never executed" in done.stderr
    assert any(line.startswith("  index.md:7 echo hi … ") and line.endswith(" s ✓")
               for line in done.stderr.splitlines()), done.stderr


def test_pelican_internals_the_cache_relies_on_are_there():
    assert check_pelican_internals() == []


def test_a_missing_pelican_internal_fails_a_cached_build(site, tmp_path):
    write(site, 'Lead.\n\n```console {run="echo hi"}\n```\n')
    script = tmp_path / "broken.py"
    script.write_text(
        "import sys\n"
        f"sys.path[:0] = [{str(ROOT / 'plugins')!r}, {str(ROOT / 'tests')!r}]\n"
        "import pelican.cache\n"
        "del pelican.cache.FileStampDataCacher._get_file_stamp\n"
        "from conftest import FixtureSite\n"
        "from pathlib import Path\n"
        f"report = FixtureSite(Path({str(site.root)!r})).build(CACHE_CONTENT=True, LOAD_CONTENT_CACHE=True)\n"
        "print('\\n'.join(report.problems))\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert (": pelican.cache.FileStampDataCacher._get_file_stamp is gone (pin pelican==") in \
        done.stdout, done.stderr
    assert "or update plugins/samples/cache.py)" in done.stdout, done.stderr
