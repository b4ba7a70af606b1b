"""Conformance: one post's runs replayed through the engine (as the build and pytest run
them) and through a reader's verify.py (from the manifest an archive ships) give the same
outcome, run by run: the same output, or the same failure in the same words, under the
same limits.  Cases: ordinary output, a masked figure, an exec block, output that is not
UTF-8 and output over the cap."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from conftest import post
from engine.config import SamplesConfig
from engine.errors import SampleError
from engine.execute import PostSession
from engine.parse import parse_post
from engine.store import FrozenRun
from reproduce.downloads import archive_entries
from reproduce.manifest import build_manifest

DEBIAN_PYTHON = "/usr/bin/python3"
BODY = """
    Lead.

    ```console {run="echo one two; echo to stderr >&2"}
    ```

    ```console {run="date +%s%N" mask="\\\\d+"}
    ```

    ```python {exec}
    print(sum(range(10)))
    ```

    ```console {run="printf 'bad \\\\x80 byte'"}
    ```

    ```console {run="head -c 3000 /dev/zero | tr '\\\\0' x"}
    ```

    ```console {run="echo after the failures" session="second"}
    ```
"""


def engine_outcomes(source: Path, config: SamplesConfig) -> dict[int, tuple[str, str]]:
    """Line -> ("output", text) or ("failure", message without the run's name), as the
    engine's one session path gives them."""
    post_document = parse_post(source, source.read_text(), "index.md")
    outcomes = {}
    for samples in post_document.sessions().values():
        with PostSession(post_document, config) as session:
            for sample in samples:
                try:
                    outcomes[sample.line] = ("output", session.run(sample).output)
                except SampleError as err:
                    outcomes[sample.line] = ("failure", err.message.removeprefix(sample.noun + " "))
    return outcomes, post_document


def verify_outcomes(folder: Path, post_document, outcomes, config: SamplesConfig) -> dict:
    """The same post as a reader's archive, replayed by verify.py; line -> outcome."""
    records = {line: FrozenRun("k", "s", "c", text if kind == "output" else "", 0, 0.0,
                               "2026-12-05", "3.11", {}, {}) for line, (kind, text) in outcomes.items()}
    manifest = build_manifest(post_document, records, "conformance", "Conformance",
                              config.sandbox_settings)
    for entry in archive_entries(post_document.post_dir, ["app.py"], manifest, "Conformance"):
        (folder / entry.path).parent.mkdir(parents=True, exist_ok=True)
        (folder / entry.path).write_bytes(entry.data)
    done = subprocess.run([DEBIAN_PYTHON, "verify.py", "--json", "report.json"], cwd=folder,
                          capture_output=True, text=True, timeout=120, env={"PATH": "/usr/bin:/bin"})
    report = json.loads((folder / "report.json").read_text())
    assert report["runs"], done.stdout + done.stderr
    return {run["line"]: run for run in report["runs"]}


def configured(tmp_path: Path, **settings) -> SamplesConfig:
    return SamplesConfig.from_settings({"PATH": str(tmp_path / "content"),
                                        "SAMPLES_OUTPUT_CAP": 2048, **settings})


def write_post(tmp_path: Path, extra: str = "", body: str = BODY) -> Path:
    folder = tmp_path / "content" / "posts" / "conformance"
    folder.mkdir(parents=True)
    (folder / "index.md").write_text(post("Conformance", "2026-12-05", "code", body, extra=extra))
    (folder / "app.py").write_text("print('app')\n")
    (tmp_path / "reader").mkdir()
    return folder / "index.md"


def test_engine_and_verify_give_the_same_outcome_run_by_run(tmp_path):
    config = configured(tmp_path)
    outcomes, document = engine_outcomes(write_post(tmp_path), config)
    assert [kind for kind, _ in outcomes.values()] == ["output"] * 3 + ["failure"] * 2 + ["output"]
    lines = [sample.line for sample in document.samples]
    assert outcomes[lines[3]] == ("failure", "printed bytes that are not UTF-8 (byte 0x80 at offset 4)")
    assert outcomes[lines[4]] == ("failure", "printed 3000 bytes, over the 2 KiB output cap")
    replayed = verify_outcomes(tmp_path / "reader", document, outcomes, config)
    assert sorted(replayed) == sorted(outcomes)
    for line, (kind, text) in outcomes.items():
        if kind == "output":
            assert replayed[line]["matches"], replayed[line]["differences"]
        else:
            assert replayed[line]["differences"] == [text]
