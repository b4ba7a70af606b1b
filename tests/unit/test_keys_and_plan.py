"""What a record depends on (input keys, files, the environment) and the plan that says
which sessions are fresh and why the others are stale."""

from __future__ import annotations

from pathlib import Path

import pytest
from engine.keys import Environment, folder_digest, input_keys
from engine.plan import describe_file_changes, plan_post
from engine.store import FreezeStore, FrozenRun
from helpers import parse
from sandbox import apply_masks


def test_keys_chain_and_ignore_masks_session_and_id():
    post_a = parse('```console {run="a"}\n```\n\n```console {run="b"}\n```\n')
    post_b = parse('```console {run="a" mask="\\d" session="main" id="z"}\n```\n\n'
                   '```console {run="b"}\n```\n')
    post_c = parse('```console {run="A"}\n```\n\n```console {run="b"}\n```\n')
    keys = [input_keys(p.sessions()["main"], "folder") for p in (post_a, post_b, post_c)]
    assert keys[0] == keys[1]
    assert keys[0][0] != keys[2][0] and keys[0][1] != keys[2][1]  # the change travels down the chain
    assert input_keys(post_a.sessions()["main"], "other folder") != keys[0]


def test_masks_blank_what_varies():
    assert apply_masks("port 4711 up\n", (r"\d+",)) == "port … up\n"


def test_file_changes_are_named():
    assert describe_file_changes({"a.py": "1", "b.py": "2"}, {"a.py": "9", "c.py": "3"}) == (
        "a.py changed, c.py added, b.py removed")


def _plan(text, runs, files, python="3.11.7", pins=None, stored_files=None):
    post = parse(text)
    store = FreezeStore(Path("/nonexistent/store.json"))
    store.runs, store.files = runs, stored_files if stored_files is not None else files
    return plan_post(post, store, files, Environment(python, pins or {}, "lock1", ("req.txt",)))


def _record(key, python="3.11.2", deps=None, lock=None):
    return FrozenRun(key, "main", "python app.py", "out\n", 0, 0.1, "2026-12-01", python, {},
                     deps, lock)


def test_plan_fresh_across_python_patch_releases_and_unrelated_pins():
    text = '```console {run="python app.py"}\n```\n'
    files = {"app.py": "abc"}
    (key,) = input_keys(parse(text).sessions()["main"], folder_digest(files))
    plan = _plan(text, [_record(key, deps={"flask": "3.1.3"})], files,
                 pins={"flask": "3.1.3", "requests": "9.9"})
    assert [s.stale_reason for s in plan.sessions] == [None]


@pytest.mark.parametrize("change, reason", [
    ({"pins": {"flask": "3.1.4"}}, "flask 3.1.3 → 3.1.4 (line 1)"),
    ({"python": "3.12.1"}, "Python 3.11 → 3.12 (line 1)"),
    ({"files": {"app.py": "new"}}, "app.py changed"),
])
def test_plan_says_why_a_session_is_stale(change, reason):
    text = '```console {run="python app.py"}\n```\n'
    files = {"app.py": "abc"}
    (key,) = input_keys(parse(text).sessions()["main"], folder_digest(files))
    arguments = {"pins": {"flask": "3.1.3"}, "files": files, **change}
    plan = _plan(text, [_record(key, deps={"flask": "3.1.3"})], arguments.pop("files"),
                 stored_files=files, **arguments)
    assert plan.sessions[0].stale_reason == reason


def test_plan_falls_back_to_the_whole_lock_without_an_import_record():
    text = '```console {run="python app.py"}\n```\n'
    files = {"app.py": "abc"}
    (key,) = input_keys(parse(text).sessions()["main"], folder_digest(files))
    fresh = _plan(text, [_record(key, lock="lock1")], files)
    stale = _plan(text, [_record(key, lock="lock0")], files)
    assert fresh.sessions[0].fresh
    assert stale.sessions[0].stale_reason == (
        "req.txt changed and the run's imports were not recorded (line 1)")


def test_plan_names_a_changed_sample():
    files = {"app.py": "abc"}
    before = parse('```console {run="python app.py"}\n```\n')
    keys = input_keys(before.sessions()["main"], folder_digest(files))
    plan = _plan('Prose.\n\n```console {run="python app.py --fast"}\n```\n',
                 [_record(keys[0], deps={})], files)
    assert plan.sessions[0].stale_reason == "the sample at line 3 changed"


def test_two_sessions_that_start_alike_find_their_own_records():
    text = ('```console {run="echo a" session="one"}\n```\n\n'
            '```console {run="echo a" session="two"}\n```\n')
    files = {"app.py": "abc"}
    sessions = parse(text).sessions()
    (key_one,) = input_keys(sessions["one"], folder_digest(files))
    (key_two,) = input_keys(sessions["two"], folder_digest(files))
    assert key_one == key_two
    runs = [FrozenRun(key_one, name, "echo a", f"{name}\n", 0, 0.1, "2026-12-01", "3.11.7", {}, {})
            for name in ("one", "two")]
    plan = _plan(text, runs, files)
    assert [(s.name, s.fresh, s.records[0].output) for s in plan.sessions] == [
        ("one", True, "one\n"), ("two", True, "two\n")]
