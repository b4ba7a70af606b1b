"""Includes, runs, exec blocks, sessions, masks and the freeze store, built for real."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, executions, post
from samples.runner import SampleSession
from samples.samples import Run
from samples.store import FreezeStore, record_checksum

APP = '''\
import sys


# ANCHOR: greet
def greet(name):
    """Say hello."""
    return f"hello {name}"
# ANCHOR_END: greet


class Zpark:
    @staticmethod
    def handle(event):
        return event.upper()


if __name__ == "__main__":
    print(greet(sys.argv[1]))
    print("warning on stderr", file=sys.stderr)
    print("last line")
'''


def write_demo(site, body: str, extra_files: dict | None = None, slug: str = "demo"):
    site.write({f"posts/{slug}/index.md": post(slug.title(), "2024-01-01", "code", body),
                f"posts/{slug}/app.py": APP, **(extra_files or {})})


def shown_lines(figure) -> list[str]:
    lines = []
    for line in figure.select(".line"):
        for gutter in line.select(".ln"):
            gutter.extract()
        lines.append(line.get_text())
    return lines


def test_include_selectors_and_options(site):
    write_demo(site, '''\
        Lead.

        ```python {file="app.py" region="greet" hl="2" linenos title="The greeting"}
        ```

        ```python {file="app.py" lines="11-13,18-"}
        ```

        ```python {file="app.py" pyobject="Zpark.handle"}
        ```

        ```python {file="app.py"}
        ```
        ''')
    report = site.build()
    assert report.ok, report.problems
    page = site.html("posts/demo/index.html")
    region, lines, pyobject, whole = page.select("figure.sample-include")
    assert region.figcaption.a.get_text() == "The greeting"
    assert region.figcaption.a["href"] == "app.py" and region.figcaption.a.has_attr("download")
    assert [n.get_text() for n in region.select(".ln")] == ["5", "6", "7"]
    assert shown_lines(region) == ['def greet(name):', '    """Say hello."""',
                                   '    return f"hello {name}"']
    assert [i for i, line in enumerate(region.select(".line"), 1) if "hll" in line["class"]] == [2]
    assert shown_lines(lines) == ["class Zpark:", "    @staticmethod", "    def handle(event):",
                                  "    print(greet(sys.argv[1]))",
                                  '    print("warning on stderr", file=sys.stderr)',
                                  '    print("last line")']
    assert shown_lines(pyobject) == ["@staticmethod", "def handle(event):",
                                     "    return event.upper()"]
    assert not any("ANCHOR" in line for line in shown_lines(whole))
    assert len(shown_lines(whole)) == APP.count("\n") - 2
    assert (site.output / "posts/demo/app.py").read_text() == APP
    assert not (site.output / "posts/demo/samples.frozen.json").exists()


def test_pyobject_matches_sphinx_for_decorated_methods(site):
    write_demo(site, '```python {file="app.py" pyobject="Zpark"}\n```\n')
    assert site.build().ok
    shown = shown_lines(site.html("posts/demo/index.html").select_one("figure.sample-include"))
    assert shown == APP.splitlines()[10:14]


def test_run_output_is_interleaved_and_the_temp_dir_is_a_placeholder(site):
    write_demo(site, '''\
        ```console {run="python app.py reader && pwd && echo $HOME $TZ $LANG"}
        ```
        ''')
    assert site.build().ok
    terminal = site.html("posts/demo/index.html").select_one("figure.sample-run")
    assert terminal.select_one(".command").get_text() == \
        "python app.py reader && pwd && echo $HOME $TZ $LANG"
    assert terminal.select_one(".output").get_text() == (
        "hello reader\nwarning on stderr\nlast line\n/tmp/sample/work\n"
        "/tmp/sample/home UTC C.UTF-8\n")
    assert terminal.select_one(".verified").get_text().startswith("verified ")
    assert terminal.select_one(".exit-status") is None


def test_declared_exit_status_is_shown(site):
    write_demo(site, '```console {run="echo no; exit 3" exit=3}\n```\n')
    assert site.build().ok
    page = site.html("posts/demo/index.html")
    assert page.select_one(".exit-status").get_text() == "exit status 3"


def test_sessions_share_a_directory_in_document_order(site):
    write_demo(site, '''\
        ```console {run="echo one > state.txt"}
        ```

        ```console {run="cat state.txt 2>&1; echo fresh" session="other"}
        ```

        ```python {exec}
        from pathlib import Path
        print(Path("state.txt").read_text().strip(), "then two")
        ```

        ```sh {exec session="other"}
        ls
        ```
        ''')
    assert site.build().ok
    outputs = [o.get_text() for o in site.html("posts/demo/index.html").select(".output")]
    assert outputs == ["cat: state.txt: No such file or directory\nfresh\n", "one then two\n",
                       "app.py\n"]


def test_masks_hide_variation_from_comparison_but_not_from_the_page(site):
    write_demo(site, '```console {run="date +%N" mask="\\\\d+"}\n```\n')
    assert site.build().ok
    digits = site.html("posts/demo/index.html").select_one(".output").get_text().strip()
    assert digits.isdigit()
    result = run_pytest(site)
    assert result.returncode == 0, result.stdout
    assert "1 passed" in result.stdout


def test_a_background_server_leaves_no_process_behind(site):
    write_demo(site, '''\
        ```console {run="mkdir fixture-root-7411 && python -m http.server --bind 127.0.0.1 --directory fixture-root-7411 0 > server.log 2>&1 & echo started"}
        ```

        ```console {run="setsid sleep 3001 < /dev/null > /dev/null 2>&1 & echo detached"}
        ```
        ''')
    assert site.build().ok
    store = FreezeStore(site.content / "posts/demo/samples.frozen.json")
    assert [r.output for r in store.runs] == ["started\n", "detached\n"]
    assert leftovers("fixture-root-7411") == [] and leftovers("sleep 3001") == []


def leftovers(fragment: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if fragment in cmdline and int(entry.name) != os.getpid():
                found.append(int(entry.name))
    return found


def test_timeout_kills_the_whole_process_group(site):
    write_demo(site, '```console {run="sleep 4001 & sleep 4011" timeout=0.5}\n```\n')
    started = time.monotonic()
    assert not site.build().ok
    assert time.monotonic() - started < 20
    assert leftovers("sleep 4001") == [] and leftovers("sleep 4011") == []


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
                           "tools", "deps", "checksum", "output"}
    assert "printf" in record["tools"]


def test_frozen_results_are_used_without_executing(site):
    write_demo(site, '```console {run="date +%s%N"}\n```\n')
    assert site.build().ok
    first = site.html("posts/demo/index.html").select_one(".output").get_text()
    assert count_executions(site) == []
    assert site.html("posts/demo/index.html").select_one(".output").get_text() == first


def test_sigterm_resistant_background_processes_are_killed(site):
    write_demo(site, '''\
        ```console {run="(trap '' TERM; exec sleep 5001) > /dev/null 2>&1 & echo ok"}
        ```
        ''')
    assert site.build().ok
    assert leftovers("sleep 5001") == []


def test_closing_a_session_escalates_to_sigkill_for_what_ignores_sigterm(tmp_path):
    session = SampleSession(tmp_path, (), 1024 * 1024)
    session.run(Run(lang="console", attrs={"run": "(trap '' TERM; exec sleep 5002) > /dev/null 2>&1 &"
                                           " echo $! > pid"}, body="", line=1, end_line=2, path="t"))
    stubborn = int((session.work / "pid").read_text())
    assert stubborn in leftovers("sleep 5002")
    killed = session.close()
    assert stubborn in killed and leftovers("sleep 5002") == []


PYTEST_INI = """\
[pytest]
testpaths = content
pythonpath = {plugins}
addopts = -p samples.pytest_plugin -p no:cacheprovider -p no:playwright
samples_settings = {settings}
"""


def run_pytest(site, *args: str, settings: str = "settings.py") -> subprocess.CompletedProcess:
    """Run pytest on the fixture site, in its own process, as an author would."""
    if not (site.root / settings).is_file():
        site.settings_file(settings)
    (site.root / "pytest.ini").write_text(PYTEST_INI.format(plugins=ROOT / "plugins", settings=settings))
    return subprocess.run([sys.executable, "-m", "pytest", *args], cwd=site.root,
                          capture_output=True, text=True, timeout=300)


def test_pytest_collects_one_item_per_sample_with_readable_ids(site):
    write_demo(site, '''\
        ```python {file="app.py" region="greet"}
        ```

        ```console {run="python app.py pytest"}
        ```

        ```python {exec}
        print(6 * 7)
        ```
        ''')
    (site.content / "posts/demo/test_not_collected.py").write_text("def test_x():\n    assert 0\n")
    assert site.build().ok
    result = run_pytest(site, "--collect-only", "-q")
    assert result.stdout.splitlines()[:3] == [
        "content/posts/demo/index.md::line5 include app.py region=greet",
        "content/posts/demo/index.md::line8 run python app.py pytest",
        "content/posts/demo/index.md::line11 exec python",
    ]
    result = run_pytest(site)
    assert result.returncode == 0 and "3 passed" in result.stdout, result.stdout


def test_a_changed_output_fails_with_a_diff_and_the_post_line(site):
    write_demo(site, '```console {run="cat data.txt"}\n```\n',
               {"posts/demo/data.txt": "alpha\nbeta\n"})
    assert site.build().ok
    store = site.content / "posts/demo/samples.frozen.json"
    data = json.loads(store.read_text())
    record = data["runs"][0]
    record["output"] = [line.replace("beta", "gamma") for line in record["output"]]
    record["checksum"] = record_checksum(record)  # re-sealed: a record that really differs
    store.write_text(json.dumps(data, indent=2))
    result = run_pytest(site)
    assert result.returncode == 1
    assert "content/posts/demo/index.md:5: run did not match its frozen output (exit 0, frozen 0)" \
        in result.stdout
    assert "-gamma\n+beta" in result.stdout


def test_sessions_stay_together_under_xdist(site):
    for slug in ("one", "two", "three"):
        body = "".join(f'```console {{run="echo {i} >> log.txt; wc -l < log.txt" session="s{i % 2}"}}\n```\n\n'
                       for i in range(8))
        write_demo(site, body, slug=slug)
    assert site.build().ok
    result = run_pytest(site, "-n", "2", "--dist", "loadfile", "-v")
    assert result.returncode == 0 and "24 passed" in result.stdout, result.stdout
    workers = {line.split()[0] for line in result.stdout.splitlines() if "PASSED" in line}
    assert workers == {"[gw0]", "[gw1]"}


def test_post_level_masks_and_bash_exec(site):
    site.write({"posts/demo/index.md": post("Demo", "2024-01-01", "code", '''\
        ```bash {exec}
        set -o pipefail
        echo "pid $$ and ${BASH_VERSINFO[0]}"
        ```
        ''', extra="Sample-Mask: pid \\d+\n")})
    assert site.build().ok
    output = site.html("posts/demo/index.html").select_one(".output").get_text()
    assert output.startswith("pid ") and output.split()[1].isdigit()
    result = run_pytest(site)
    assert result.returncode == 0 and "1 passed" in result.stdout, result.stdout


def test_a_daemon_that_drops_its_environment_and_session_is_still_killed(site):
    # env -i loses the session marker, setsid leaves the process group: only the
    # session's cgroup still knows the process (which is how zabbix_server behaves).
    assert os.geteuid() == 0, "the session cgroup needs root (CI runs as root)"
    write_demo(site, '''\
        ```console {run="env -i setsid sleep 6001 < /dev/null > /dev/null 2>&1 & sleep 1; echo detached"}
        ```
        ''')
    assert site.build().ok
    assert leftovers("sleep 6001") == []


def test_a_python_block_imports_the_posts_modules(site):
    write_demo(site, '```python {exec}\nimport app\nprint(app.greet("block"))\n```\n')
    assert site.build().ok
    assert site.html("posts/demo/index.html").select_one(".output").get_text() == "hello block\n"
