"""The bad-input corpus (tests/corpus/): every case fails loud, positioned and harmless.

For each case: the command exits non-zero (or with the documented success), prints
the exact expected message (and not Pelican's generic "Could not process" after it), leaves the previous output byte for byte and the stores
as they were (unless the case is about pruning them), and leaves no process behind.
With CORPUS_REPORT set, each result is appended there as a JSON line (`invoke corpus`).
"""

from __future__ import annotations

import json
import os
import tempfile

import pytest
from conftest import ROOT

from corpus import ALL_CASES, Case, CaseSite
from corpus.harness import stores, tree, wait_for_no_processes, write_previous_site
from corpus.requirements import missing_requirement

pytestmark = pytest.mark.corpus


def test_the_corpus_has_at_least_fifty_distinct_cases():
    assert len(ALL_CASES) >= 50
    assert len({case.id for case in ALL_CASES}) == len(ALL_CASES)


def test_readme_states_the_counts_invoke_corpus_prints():
    import tasks  # noqa: PLC0415 - the task module, only for its table

    rows = [{"category": case.category, "case": case.name, "expected": case.expected,
             "result": "pass"} for case in ALL_CASES]
    counts = tasks.corpus_table(rows).splitlines()[-1].split(":")[0]  # "N cases (a 1, b 2)"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"It holds {counts}, as `invoke corpus` counts them" in readme, counts


@pytest.mark.parametrize("case", ALL_CASES, ids=[case.id for case in ALL_CASES])
def test_case(case: Case, tmp_path):
    result = "FAIL"
    try:
        run_case(case, tmp_path)
        result = "pass"
    finally:
        report = os.environ.get("CORPUS_REPORT")
        if report:
            line = json.dumps({"category": case.category, "case": case.name,
                               "expected": case.expected, "result": result})
            with open(report, "a", encoding="utf-8") as handle:
                handle.write(line + "\n")


def run_case(case: Case, tmp_path) -> None:
    missing = missing_requirement(case.requires)
    if missing:  # a corpus case that cannot run is a broken set-up, never a silent skip
        pytest.fail(f"this case needs {missing}")
    site = CaseSite(tmp_path / "site")
    site.root.mkdir(parents=True)
    (tmp_path / "tmp").mkdir()
    tempfile.tempdir = str(tmp_path / "tmp")  # sessions start under the case's folder
    try:
        check_case(case, site, tmp_path)
    finally:
        tempfile.tempdir = None
        for cleanup in reversed(site.cleanups):
            cleanup()


def check_case(case: Case, site: CaseSite, tmp_path) -> None:
    if case.arrange is not None:
        case.arrange(site)
    if not site.output.exists():
        write_previous_site(site.output)
    output_before, stores_before = tree(site.output), stores(site)
    outcome = case.act(site)
    expected = site.expand(case.expected)
    shown = "\n".join(outcome.messages)
    assert outcome.ok is case.succeeds, shown
    assert expected in outcome.messages, f"expected:\n{expected}\ngot:\n{shown}"
    generic = [message for message in outcome.messages if message.startswith("Could not process")]
    assert not generic, f"one message per mistake, but the build added: {generic}"
    if not case.succeeds and case.keeps_output:
        assert tree(site.output) == output_before, "the previous output changed"
        assert not list(site.output.parent.glob(f".{site.output.name}.staging-*"))
    if not case.changes_stores:
        assert stores(site) == stores_before, "a store changed"
    if case.check is not None:
        case.check(site)
    assert wait_for_no_processes(tmp_path) == []
