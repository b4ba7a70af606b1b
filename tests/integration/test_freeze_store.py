"""The freeze store on real builds: what executes, what is recorded and kept, one configuration for every reader."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import APP, ROOT, executions, post, run_pytest, write_demo
from engine.pipeline import load_post, plan_for
from samples.cache import check_pelican_internals
from samples.settings import load_config
from sitebuild import build_site


def count_executions(site) -> list[str]:
    with executions() as ran:
        report = site.build()
    assert report.ok, report.problems
    return ran


@pytest.mark.parametrize("cache", [False, True])
def test_editing_a_sample_re_executes_only_its_posts_runs(site, cache):
    for slug in ("one", "two"):
        write_demo(site, f'```console {{run="python app.py {slug}"}}\n```\n\n'
                         '```console {run="echo again"}\n```\n', slug=slug)
    options = {"CACHE_CONTENT": cache, "LOAD_CONTENT_CACHE": cache}
    assert len(count_executions_with(site, options)) == 4
    assert count_executions_with(site, options) == []
    (site.content / "posts/two/index.md").write_text(
        (site.content / "posts/two/index.md").read_text() + "\nMore prose.\n")
    assert count_executions_with(site, options) == []
    (site.content / "posts/two/app.py").write_text(APP.replace("hello", "howdy"))
    executed = count_executions_with(site, options)
    assert executed == ["content/posts/two/index.md:5", "content/posts/two/index.md:8"]
    assert site.html("posts/two/index.html").select_one(".output").get_text().startswith("howdy two")
    assert site.html("posts/one/index.html").select_one(".output").get_text().startswith("hello one")


def count_executions_with(site, options) -> list[str]:
    with executions() as ran:
        report = site.build(**options)
    assert report.ok, report.problems
    return ran


def test_store_is_diff_friendly_and_records_provenance(site):
    write_demo(site, '```console {run="printf \'a\\\\nb\\\\n\'" needs="printf"}\n```\n',
               {"posts/demo/.ruff_cache/CACHEDIR.TAG": "debris\n", "posts/demo/app.py~": "old\n"})
    assert site.build().ok
    published = sorted(p.name for p in (site.output / "posts/demo").iterdir())
    # no store, no editor or tool debris; the post's reproduce archives (plugins/reproduce)
    assert published == ["app.py", "demo-reproduce.tar.gz", "demo-reproduce.zip", "index.html"]
    data = json.loads((site.content / "posts/demo/samples.frozen.json").read_text())
    (record,) = data["runs"]
    assert record["output"] == ["a", "b", ""]
    assert record["command"] == "printf 'a\\nb\\n'"
    assert set(record) == {"key", "session", "command", "exit", "duration", "verified", "python",
                           "tools", "lab", "changed", "checksum", "output"}
    assert record["lab"]["suite"] == "trixie" and record["lab"]["debian"].startswith("13.")
    assert record["changed"] == record["verified"]  # a first record is a change
    assert "printf" in record["tools"]


def test_frozen_results_are_used_without_executing(site):
    write_demo(site, '```console {run="date +%s%N"}\n```\n')
    assert site.build().ok
    first = site.html("posts/demo/index.html").select_one(".output").get_text()
    assert count_executions(site) == []
    assert site.html("posts/demo/index.html").select_one(".output").get_text() == first


def write(site, body: str, slug: str = "demo", extra: dict | None = None):
    site.write({f"posts/{slug}/index.md": post(slug.title(), "2024-01-01", "code", body),
                f"posts/{slug}/app.py": "print('hello from app')\n", **(extra or {})})


JQ_POST = 'Lead.\n\n```console {run="echo \'{\\"a\\": 1}\' | jq .a"}\n```\n'


def configured_site(site):
    """A fixture whose settings name another store, with a post that declares its lab."""
    settings = site.settings_file(SAMPLES_STORE_NAME="runs.json")
    site.write({"posts/demo/index.md": post("Demo", "2024-01-01", "code", JQ_POST,
                                            extra="Lab-Packages: jq\n")})
    write(site, 'Lead.\n\n```console {run="echo no python here"}\n```\n', slug="plain")
    return settings


def test_build_pytest_and_freeze_read_one_configuration(site):
    settings = configured_site(site)
    report = build_site(settings, site.output)
    assert report.ok, report.problems
    store = site.content / "posts/demo/runs.json"
    assert store.is_file() and not (site.content / "posts/demo/samples.frozen.json").exists()
    recorded = [run["key"] for run in json.loads(store.read_text())["runs"]]
    config = load_config(settings)
    plan = plan_for(load_post(site.content / "posts/demo/index.md", config), config)
    assert [key for session in plan.sessions for key in session.keys] == recorded
    assert plan.sessions[0].records[0].lab["packages"] == ["jq"]
    assert plan.sessions[0].records[0].output == "1\n"
    frozen = site.run_task("freeze", BLOG_SETTINGS=str(settings))
    assert frozen.returncode == 0, frozen.stderr
    assert "demo: 1 samples, 0 executed" in frozen.stdout
    tested = run_pytest(site)
    assert tested.returncode == 0 and "2 passed" in tested.stdout, tested.stdout


def test_records_follow_the_lab_the_post_declares(site):
    settings = configured_site(site)
    assert build_site(settings, site.output).ok
    source = site.content / "posts/demo/index.md"
    source.write_text(source.read_text().replace("Lab-Packages: jq", "Lab-Packages: jq bc"))
    status = site.run_task("samples", BLOG_SETTINGS=str(settings))
    assert "stale: main: the lab changed: package bc added (line 8)" in status.stdout, status.stdout


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


def test_a_build_prunes_records_of_removed_runs_even_when_nothing_executes(site):
    write_demo(site, '```console {run="echo kept"}\n```\n\n```console {run="seq 1 50000" '
                     'session="big"}\n```\n')
    assert site.build().ok
    store = site.content / "posts/demo/samples.frozen.json"
    kept = json.loads(store.read_text())["runs"][0]
    write_demo(site, '```console {run="echo kept"}\n```\n')
    with executions() as ran:
        report = site.build(SAMPLES_EXECUTE=False)  # as preview builds: nothing may execute
    assert report.ok, report.problems
    assert ran == []
    assert json.loads(store.read_text())["runs"] == [kept]
    write_demo(site, "No runs any more.\n")
    assert site.build().ok
    assert not store.exists()


def test_an_output_over_half_the_cap_builds_with_one_printed_warning(site, capfd):
    write_demo(site, '```console {run="seq 1 1000"}\n```\n')
    report = site.build(SAMPLES_OUTPUT_CAP=6144)
    assert report.ok, report.problems  # a warning, not a problem: the build passes
    warnings = [line for line in capfd.readouterr().err.splitlines() if ": warning: " in line]
    assert warnings == [
        "content/posts/demo/index.md:5: warning: run 'seq 1 1000' printed 4 KiB, over half the "
        "6 KiB output cap, and the page carries all of it (show fewer lines with output=, or "
        "print less: write bulky output to a file and show a summary)"]
