"""What a record depends on (input keys, files, the lab) and the plan that says which
sessions are fresh and why the others are stale."""

from __future__ import annotations

from pathlib import Path

import pytest
from engine.keys import folder_digest, input_keys
from engine.plan import describe_file_changes, plan_post
from engine.store import FreezeStore, FrozenRun
from helpers import parse
from sandbox import apply_masks
from sandbox.lab import Lab


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


def _plan(text, runs, files, stored_files=None):
    post = parse(text)
    store = FreezeStore(Path("/nonexistent/store.json"))
    store.runs, store.files = runs, stored_files if stored_files is not None else files
    return plan_post(post, store, files)


def _lab(lab: Lab) -> dict:
    return {**lab.as_dict(), "digest": lab.digest, "debian": "13.8"}


BASE = Lab()


def _record(key, python="3.13.5", lab=BASE):
    return FrozenRun(key, "main", "python app.py", "out\n", 0, 0.1, "2026-12-01", python, {},
                     None, None, lab=None if lab is None else _lab(lab))


RUN = '```console {run="python app.py"}\n```\n'


def test_a_record_is_fresh_in_the_lab_it_was_taken_in_whatever_the_host():
    files = {"app.py": "abc"}
    (key,) = input_keys(parse(RUN).sessions()["main"], folder_digest(files))
    # The Python and the point release a record names are provenance, not inputs.
    plan = _plan(RUN, [_record(key, python="3.13.9")], files)
    assert [s.stale_reason for s in plan.sessions] == [None]


@pytest.mark.parametrize("header, recorded, reason", [
    ("Lab-Packages: gdb\n", Lab(), "the lab changed: package gdb added (line 4)"),
    ("Lab-Suite: bookworm\n", Lab(), "the lab changed: suite trixie → bookworm (line 4)"),
    ("", Lab(packages=("gdb",)), "the lab changed: package gdb removed (line 4)"),
    ("Lab-Python: flask==3.1.3\n", Lab(requirements=("flask==3.1.2",)),
     "the lab changed: flask==3.1.3 added, flask==3.1.2 removed (line 4)"),
    ("", None, "recorded outside a lab; the post's runs execute in Debian 13 (trixie) (line 4)"),
])
def test_plan_says_how_the_lab_changed(header, recorded, reason):
    text = "Title: T\n" + (header or "Tags: code\n") + "\n" + RUN
    files = {"app.py": "abc"}
    (key,) = input_keys(parse(text).sessions()["main"], folder_digest(files))
    plan = _plan(text, [_record(key, lab=recorded)], files)
    assert plan.sessions[0].stale_reason == reason


def test_plan_says_which_file_changed():
    files = {"app.py": "abc"}
    (key,) = input_keys(parse(RUN).sessions()["main"], folder_digest(files))
    plan = _plan(RUN, [_record(key)], {"app.py": "new"}, stored_files=files)
    assert plan.sessions[0].stale_reason == "app.py changed"


def test_plan_names_a_changed_sample():
    files = {"app.py": "abc"}
    before = parse('```console {run="python app.py"}\n```\n')
    keys = input_keys(before.sessions()["main"], folder_digest(files))
    plan = _plan('Prose.\n\n```console {run="python app.py --fast"}\n```\n',
                 [_record(keys[0])], files)
    assert plan.sessions[0].stale_reason == "the sample at line 3 changed"


def test_two_sessions_that_start_alike_find_their_own_records():
    text = ('```console {run="echo a" session="one"}\n```\n\n'
            '```console {run="echo a" session="two"}\n```\n')
    files = {"app.py": "abc"}
    sessions = parse(text).sessions()
    (key_one,) = input_keys(sessions["one"], folder_digest(files))
    (key_two,) = input_keys(sessions["two"], folder_digest(files))
    assert key_one == key_two
    runs = [FrozenRun(key_one, name, "echo a", f"{name}\n", 0, 0.1, "2026-12-01", "3.13.5", {},
                      None, None, lab=_lab(Lab())) for name in ("one", "two")]
    plan = _plan(text, runs, files)
    assert [(s.name, s.fresh, s.records[0].output) for s in plan.sessions] == [
        ("one", True, "one\n"), ("two", True, "two\n")]
