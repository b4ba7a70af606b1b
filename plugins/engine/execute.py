"""execute: the one way a sample runs, for the build, ``invoke freeze`` and pytest.

A ``PostSession`` is a sandbox session with what the engine adds: the ``needs`` check,
the import record, errors positioned at the sample, the exit-status check and the
``run_finished`` signal (sent once per executed run, on every path: progress lines,
tests counting executions and benchmarks listen to it).  ``execute_plan`` runs the
stale sessions of a plan and returns what ran; nothing global records it.
"""

from __future__ import annotations

import datetime
import platform
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from blinker import signal
from sandbox import RunFailure, RunResult, RunSpec, Session, differences, figure_differences

from .config import SamplesConfig
from .debian import debian_package_for
from .errors import SampleError
from .figures import figure_record
from .files import COPY_IGNORE
from .imports import FOLDER_VARIABLE, imported_names, install_hook, session_dependencies
from .model import Executed
from .parse import PostDocument
from .plan import PostPlan, SessionPlan
from .progress import Progress
from .store import FrozenRun
from .tools import tool_versions

# Sent with the sample (sender) and its result, after each run that gave a result.
run_finished = signal("samples.run_finished")
IMPORTS_FOLDER = "imports"


def run_spec(sample: Executed) -> RunSpec:
    """The sandbox's description of a run or exec sample (what archives ship, too)."""
    common = dict(line=sample.line, kind=sample.kind, timeout=sample.timeout,
                  exit=sample.expected_exit, needs=sample.needs, masks=sample.masks,
                  pids_max=sample.pids_max, memory_max=sample.memory_max,
                  figure=sample.figure or "")
    if sample.kind == "run":
        return RunSpec(command=sample.command, **common)
    # An exec block is written outside the working directory (so ``ls`` never shows it);
    # like ``python -c`` in that directory, a Python block still imports the post's modules.
    environment = {"PYTHONPATH": "{work}"} if sample.lang == "python" else {}
    return RunSpec(lang=sample.lang, body=sample.body, environment=environment, **common)


class PostSession:
    """One session of a post, as the build and the tests run it; a context manager."""

    def __init__(self, post: PostDocument, config: SamplesConfig) -> None:
        self.config = config
        self.records_imports = install_hook()
        in_venv = sys.prefix != sys.base_prefix
        self.sandbox = Session(
            post.post_dir, config.sandbox_settings, bin_dir=Path(sys.executable).parent,
            venv=Path(sys.prefix) if in_venv else None, locks=post.locks,
            ignore=(*COPY_IGNORE, *config.excluded(post.source)),
            environment={FOLDER_VARIABLE: "{root}/" + IMPORTS_FOLDER} if self.records_imports else {},
            folders=(IMPORTS_FOLDER,))
        # Run line -> top-level modules its Python processes imported; read at close, once
        # every process is gone (None: no record could be taken).
        self.imported: dict[int, set[str]] | None = None

    def __enter__(self) -> PostSession:
        self.sandbox.open()
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    @property
    def network(self):
        return self.sandbox.network

    def run(self, sample: Executed) -> RunResult:
        """Execute ``sample``; a positioned SampleError when it gave no result, exited
        with another status than the one declared or did not write its figure."""
        self._check_needs(sample)
        try:
            result = self.sandbox.run(run_spec(sample))
        except RunFailure as failure:
            raise sample.error(f"{sample.noun} {failure.message}", failure.hint) from None
        run_finished.send(sample, result=result)
        check_exit(sample, result)
        check_figure(sample, result)
        return result

    def close(self) -> list[int]:
        """Kill what the session started, read its import record, remove it."""
        killed = self.sandbox.stop() if self.sandbox.root is not None else []
        if self.records_imports and self.sandbox.root is not None:
            self.imported = imported_names(self.sandbox.root / IMPORTS_FOLDER)
        self.sandbox.remove()
        return killed

    def _check_needs(self, sample: Executed) -> None:
        for tool in sample.needs:
            if shutil.which(tool, path=self.sandbox.environment["PATH"]) is None:
                package = debian_package_for(tool, self.config.debian_listing)
                raise sample.error(
                    f"needs {tool!r}, which is not installed",
                    f"install the Debian package {package}: apt-get install {package}"
                    if package else f"install {tool} and declare its Debian package in "
                    "requirements-debian.txt",
                )


def check_exit(sample: Executed, result: RunResult) -> None:
    """The one exit-status check: the status declared with ``exit=`` (default 0)."""
    if result.exit_status != sample.expected_exit:
        tail = "\n".join(result.output.rstrip("\n").split("\n")[-5:])
        raise sample.error(
            f"{sample.noun} exited with status {result.exit_status}, expected {sample.expected_exit}",
            f"fix the sample, or declare exit={result.exit_status} if that is the point; "
            f"its output ended with:\n{tail}",
        )


def check_figure(sample: Executed, result: RunResult) -> None:
    """A run with ``figure=`` must leave that file in its working folder."""
    if sample.figure and result.figure is None:
        raise sample.error(
            f"{sample.noun} wrote no figure {sample.figure!r} in its working folder",
            f"save it there under that name (matplotlib: plt.savefig({sample.figure!r})), "
            "or fix figure=")


@dataclass
class Execution:
    """What executing a plan did: new records by sample, the figures they name (bytes
    by digest), what changed, and the problems met."""

    records: dict[int, FrozenRun] = field(default_factory=dict)  # by opening line
    executed: list[str] = field(default_factory=list)  # "path:line" of every run executed
    changed: list[str] = field(default_factory=list)  # "path:line" of every output that changed
    figures: dict[str, bytes] = field(default_factory=dict)
    errors: list[SampleError] = field(default_factory=list)


def execute_plan(plan: PostPlan, config: SamplesConfig, progress: Progress | None = None) -> Execution:
    """Execute every stale session of ``plan`` in document order."""
    execution = Execution()
    progress = progress or Progress.quiet()
    try:
        _execute_sessions(plan, config, progress, execution)
    finally:
        progress.post_finished(plan.post.path, len(execution.executed), len(execution.changed))
    return execution


def _execute_sessions(plan: PostPlan, config: SamplesConfig, progress: Progress,
                      execution: Execution) -> None:
    for session in plan.stale:
        progress.session_started(plan.post.path, session.name, session.stale_reason,
                                 len(session.samples))
        try:
            records = execute_session(plan, session, config, progress, execution)
        except SampleError as err:
            execution.errors.append(err)
            progress.failed(err)
            continue
        for sample, record in zip(session.samples, records):
            execution.records[sample.line] = record


def execute_session(plan: PostPlan, session: SessionPlan, config: SamplesConfig,
                    progress: Progress, execution: Execution) -> list[FrozenRun]:
    """Run one session's samples in one fresh working directory; records in order."""
    results: list[RunResult] = []
    previous = [plan.previous_record(sample) for sample in session.samples]
    changes: list[list[str] | None] = []  # None: nothing recorded to compare with
    with PostSession(plan.post, config) as post_session:
        for number, (sample, old) in enumerate(zip(session.samples, previous), start=1):
            progress.run_started(sample, number)
            result = post_session.run(sample)
            execution.executed.append(sample.where)
            progress.run_finished(sample, result)
            results.append(result)
            changes.append(None if old is None else result_differences(sample, old, result))
            if changes[-1]:
                progress.output_changed(sample, old, changes[-1])
                execution.changed.append(sample.where)
    deps = session_dependencies([s.line for s in session.samples], post_session.imported,
                                plan.environment.pins)
    # Keep the reviewed text only when the whole session printed the same under its masks:
    # a page never mixes outputs of two executions (a kept port beside a fresh one).
    keep = all(change == [] for change in changes)
    today = datetime.date.today().isoformat()
    records = []
    for sample, key, result, old, used, change in zip(session.samples, session.keys, results,
                                                      previous, deps, changes):
        figure = None
        if sample.figure and result.figure is not None:  # kept or not, the same bytes
            figure = figure_record(sample.figure, result.figure)
            execution.figures[figure["sha256"]] = result.figure
        records.append(FrozenRun(
            key, session.name, sample.command, old.output if keep else result.output,
            result.exit_status, result.duration, today, platform.python_version(),
            tool_versions(sample.needs), used,
            plan.environment.lock_digest if used is None else None,
            old.changed if change == [] else today, figure))
    return records


def result_differences(sample: Executed, record: FrozenRun, result: RunResult) -> list[str]:
    """How a fresh result differs from a record, under the sample's masks: exit status,
    a unified diff of the outputs, the figure (empty: the same)."""
    return differences(record.output, record.exit_status, result.output, result.exit_status,
                       sample.masks, f"{sample.path} line {sample.line}") + \
        figure_differences(sample.figure or "", record.figure, result.figure)
