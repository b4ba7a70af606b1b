"""One pytest item per sample: ids, diffs, any subset of items replays its session."""

from __future__ import annotations

import json

from conftest import post, run_pytest, write_demo
from engine.store import record_checksum


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


def write(site, body: str, slug: str = "demo", extra: dict | None = None):
    site.write({f"posts/{slug}/index.md": post(slug.title(), "2024-01-01", "code", body),
                f"posts/{slug}/app.py": "print('hello from app')\n", **(extra or {})})


def session_of_three(site):
    write(site, '''\
        Lead.

        ```console {run="echo one > state"}
        ```

        ```console {run="echo two >> state"}
        ```

        ```console {run="cat state; bash --version >/dev/null"}
        ```
        ''')
    assert site.build().ok


def test_any_subset_of_run_items_replays_its_session(site):
    session_of_three(site)
    alone = run_pytest(site, "-k", "line13", "-v")
    assert alone.returncode == 0 and "1 passed" in alone.stdout, alone.stdout
    # --dist load spreads a session's items over workers (loadfile, which keeps them
    # together, is test_sessions_stay_together_under_xdist's)
    spread = run_pytest(site, "-n", "2", "--dist", "load")
    assert spread.returncode == 0 and "3 passed" in spread.stdout, spread.stdout


def test_a_failing_replay_is_a_setup_error_naming_the_earlier_line(site):
    session_of_three(site)
    (site.content / "posts/demo/index.md").write_text(
        (site.content / "posts/demo/index.md").read_text().replace("echo two >> state", "false"))
    assert site.build(SAMPLES_EXECUTE=False).ok is False  # the store no longer matches
    result = run_pytest(site, "-k", "line13")
    assert "ERROR at setup" in result.stdout
    assert ("content/posts/demo/index.md:10: run 'false' exited with status 1, expected 0, while "
            "replaying session 'main' before line 13") in result.stdout


def test_a_masked_value_is_compared_as_masked(site):
    write(site, 'Lead.\n\n```console {run="echo took $((RANDOM + 1000)) ms" id="t" mask="took \\d+"}\n'
                '```\n\nIt took `{=t /took (\\d+) ms/}` ms.\n')
    assert site.build().ok
    shown = site.html("posts/demo/index.html").find("p", string=lambda s: s and "It took" in s)
    assert shown.get_text()[8:12].isdigit()
    result = run_pytest(site)
    assert result.returncode == 0 and "1 passed" in result.stdout, result.stdout
