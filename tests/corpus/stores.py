"""Freeze store cases: broken JSON, merge conflicts, unknown formats, orphans, hand edits,
outputs close to the cap."""

from __future__ import annotations

import contextlib
import io
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


def orphan_pruned_without_execution(site: CaseSite) -> Outcome:
    """The post loses its second session and nothing is stale: the build prunes the record
    of the lost run anyway, and keeps the other one byte for byte (nothing executed)."""
    before = json.loads(site.store().read_text())["runs"]
    site.demo('```console {run="echo hello"}\n```\n')
    outcome = site.engine_built()
    after = json.loads(site.store().read_text())["runs"]
    if outcome.ok and after == before[:1]:
        outcome.messages.append("the orphaned record is pruned, nothing executed")
    return outcome


def every_run_removed(site: CaseSite) -> Outcome:
    site.demo("No runs any more.\n")
    outcome = site.engine_built()
    if outcome.ok and not site.store().exists():
        outcome.messages.append("a post without runs keeps no store")
    return outcome


def large_output(site: CaseSite) -> Outcome:
    """A run printing over half the output cap builds, with one printed warning (a logged
    warning would fail the build)."""
    site.demo('```console {run="seq 1 1000"}\n```\n')
    printed = io.StringIO()
    with contextlib.redirect_stderr(printed):
        outcome = site.built(SAMPLES_OUTPUT_CAP=6144)
    warnings = [line for line in printed.getvalue().splitlines() if ": warning: " in line]
    outcome.messages.extend(warnings if len(warnings) == 1 else
                            [f"the warning was printed {len(warnings)} times"])
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
         "the orphaned record is pruned, nothing executed", succeeds=True, changes_stores=True,
         arrange=recorded, act=orphan_pruned_without_execution),
    Case("stores", "every run removed from the post",
         "a post without runs keeps no store", succeeds=True, changes_stores=True,
         arrange=recorded, act=every_run_removed),
    Case("stores", "output over half the output cap",
         "content/posts/demo/index.md:5: warning: run 'seq 1 1000' printed 4 KiB, over half the "
         "6 KiB output cap, and the page carries all of it (show fewer lines with output=, or "
         "print less: write bulky output to a file and show a summary)",
         succeeds=True, changes_stores=True, act=large_output),
    Case("stores", "records of runs that no longer exist, pruned on the next execution",
         "the store keeps 1 record(s): 'echo hello'", succeeds=True, changes_stores=True,
         arrange=recorded, act=orphaned, check=orphan_pruned),
]
