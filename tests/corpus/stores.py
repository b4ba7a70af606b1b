"""Freeze store cases: broken JSON, merge conflicts, unknown formats, orphans, hand edits."""

from __future__ import annotations

import json

from .harness import Case, CaseSite, Outcome

STORE = "content/posts/demo/samples.frozen.json"
BODY = '```console {run="echo hello"}\n```\n\n```console {run="echo second" session="other"}\n```\n'


def recorded(site: CaseSite) -> None:
    outcome = site.demo(BODY).engine_built()
    assert outcome.ok, outcome.messages


def rewrite_store(change):
    """Arrange: the post recorded, then its store's text changed with ``change(text)``."""
    def arrange(site: CaseSite) -> None:
        recorded(site)
        store = site.store()
        store.write_text(change(store.read_text(encoding="utf-8")), encoding="utf-8")
    return arrange


def build(site: CaseSite) -> Outcome:
    """A real build: the store's problem reaches the build's log."""
    return site.built()


def render(site: CaseSite) -> Outcome:
    return site.engine_built()


def conflicted(text: str) -> str:
    lines = text.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if '"verified"' in line)
    theirs = lines[at].replace("20", "19", 1)
    return "".join([*lines[:at], "<<<<<<< HEAD\n", lines[at], "=======\n", theirs,
                    ">>>>>>> other-branch\n", *lines[at + 1:]])


def with_data(change):
    def edit(text: str) -> str:
        data = json.loads(text)
        change(data)
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return edit


def hand_edited(data: dict) -> None:
    data["runs"][0]["output"][0] = "hello, edited"


def orphaned(site: CaseSite) -> Outcome:
    """The post loses its second session; the store keeps its record until the next execution."""
    site.demo('```console {run="echo hello"}\n```\n', {"posts/demo/app.py": "print('changed')\n"})
    outcome = site.engine_built()
    runs = json.loads(site.store().read_text())["runs"]
    outcome.messages.append(f"the store keeps {len(runs)} record(s): "
                            + ", ".join(repr(run["command"]) for run in runs))
    return outcome


def orphan_pruned(site: CaseSite) -> None:
    runs = json.loads(site.store().read_text())["runs"]
    assert [run["command"] for run in runs] == ["echo hello"]


def unchanged_orphan(site: CaseSite) -> Outcome:
    site.demo('```console {run="echo hello"}\n```\n')
    outcome = site.engine_built()
    runs = json.loads(site.store().read_text())["runs"]
    if outcome.ok and [run["command"] for run in runs] == ["echo hello", "echo second"]:
        outcome.messages.append("the orphaned record stays until the post executes again")
    return outcome


CASES = [
    Case("stores", "invalid JSON",
         f"{STORE}:3: the store is not valid JSON (Expecting property name enclosed in double "
         "quotes) (delete it and build the post again to re-record it)",
         act=build, arrange=rewrite_store(lambda text: text.replace('"files"', "files", 1))),
    Case("stores", "merge-conflict markers",
         f"{STORE}:13: the store has merge-conflict markers (delete it (or take either side), "
         "build the post again to re-record it, and commit the result)",
         act=render, arrange=rewrite_store(conflicted)),
    Case("stores", "unknown store format version",
         f"{STORE}:1: the store has format 99, this engine reads 2 (update the project (git "
         "pull) or rebuild the post)",
         act=render, arrange=rewrite_store(with_data(lambda data: data.update(format=99)))),
    Case("stores", "incomplete record",
         f"{STORE}:1: a record of the store is incomplete (KeyError('exit')) (delete it and "
         "build the post again to re-record it)",
         act=render, arrange=rewrite_store(with_data(lambda data: data["runs"][0].pop("exit")))),
    Case("stores", "hand-edited output",
         f"{STORE}:8: the record of 'echo hello' was changed by hand (its checksum no longer "
         "matches) (delete the record (or the store) and build the post again to re-record it)",
         act=render, arrange=rewrite_store(with_data(hand_edited))),
    Case("stores", "records of runs that no longer exist, without execution",
         "the orphaned record stays until the post executes again", succeeds=True,
         arrange=recorded, act=unchanged_orphan),
    Case("stores", "records of runs that no longer exist, pruned on the next execution",
         "the store keeps 1 record(s): 'echo hello'", succeeds=True, changes_stores=True,
         arrange=recorded, act=orphaned, check=orphan_pruned),
]
