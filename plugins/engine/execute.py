"""execute: the one way a sample runs, for the build, ``invoke freeze`` and pytest.

A ``PostSession`` is a sandbox session with what the engine adds: the ``needs`` check,
the import record, errors positioned at the sample, the exit-status check and the
``run_finished`` signal (sent once per executed run, on every path: progress lines,
tests counting executions and benchmarks listen to it).  ``execute_plan`` runs the
stale sessions of a plan and returns what ran; nothing global records it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from blinker import signal
from sandbox import RunFailure, RunResult, RunSpec, Session, run_differences
from sandbox.lab import BuiltLab, build_lab
from sandbox.userns import LabError

from .config import SamplesConfig
from .errors import SampleError
from .figures import figure_record
from .files import COPY_IGNORE
from .model import Executed
from .parse import PostDocument
from .plan import PostPlan, SessionPlan
from .progress import Progress
from .store import FrozenRun

# Sent with the sample (sender) and its result, after each run that gave a result.
run_finished = signal("samples.run_finished")


def run_spec(sample: Executed) -> RunSpec:
    """The sandbox's description of a run or exec sample (what archives ship, too)."""
    common = dict(line=sample.line, kind=sample.kind, timeout=sample.timeout,
                  exit=sample.expected_exit, needs=sample.needs, masks=sample.masks,
                  pids_max=sample.pids_max, memory_max=sample.memory_max,
                  figure=sample.figure or "", figure_varies=sample.figure_varies)
    if sample.kind == "run":
        return RunSpec(command=sample.command, **common)
    # An exec block is written outside the working directory (so ``ls`` never shows it);
    # like ``python -c`` in that directory, a Python block still imports the post's modules.
    environment = {"PYTHONPATH": "{work}"} if sample.lang == "python" else {}
    return RunSpec(lang=sample.lang, body=sample.body, environment=environment, **common)


def lab_of(post: PostDocument, config: SamplesConfig, progress: Progress | None = None) -> BuiltLab:
    """The post's built lab: reused, or built first (its progress as build lines)."""
    say = progress.note if progress is not None else (lambda line: None)
    try:
        return build_lab(post.lab, config.lab_cache, say)
    except LabError as err:
        raise SampleError(f"its lab ({post.lab.release}) cannot be used: {err.message}",
                          post.path, 1, err.hint) from None


class PostSession:
    """One session of a post, as the build and the tests run it; a context manager."""

    def __init__(self, post: PostDocument, config: SamplesConfig,
                 progress: Progress | None = None) -> None:
        self.config, self.post = config, post
        self.lab = lab_of(post, config, progress)
        self.sandbox = Session(post.post_dir, config.sandbox_settings, lab=self.lab,
                               ignore=(*COPY_IGNORE, *config.excluded(post.source)))

    def __enter__(self) -> PostSession:
        try:
            self.sandbox.open()
        except LabError as err:
            raise SampleError(f"its lab ({self.post.lab.release}) did not start: {err.message}",
                              self.post.path, 1, err.hint) from None
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def run(self, sample: Executed) -> RunResult:
        """Execute ``sample``; a positioned SampleError when it gave no result, exited
        with another status than the one declared or did not write its figure."""
        self._check_needs(sample)
        try:
            result = self.sandbox.run(run_spec(sample))
        except (RunFailure, LabError) as failure:
            raise sample.error(f"{sample.noun} {failure.message}", failure.hint) from None
        run_finished.send(sample, result=result)
        check_exit(sample, result)
        check_figure(sample, result)
        return result

    def close(self) -> list[int]:
        """Kill what the session started and remove it."""
        killed = self.sandbox.stop() if self.sandbox.root is not None else []
        self.sandbox.remove()
        return killed

    def record_lab(self) -> dict:
        """What a record says of the lab: its declaration, digest and point release."""
        return {**self.post.lab.as_dict(), "digest": self.post.lab.digest,
                "debian": self.lab.debian_version()}

    def _check_needs(self, sample: Executed) -> None:
        for tool in sample.needs:
            if not self.lab.has_executable(tool, self.sandbox.environment["PATH"]):
                raise sample.error(
                    f"needs {tool!r}, which the post's lab ({self.post.lab.release}) does not have",
                    f"add the Debian package that provides {tool} to the post's Lab-Packages "
                    f"header line; `apt-file search bin/{tool}` names it")


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
    with PostSession(plan.post, config, progress) as post_session:
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
    # Keep the reviewed text only when the whole session printed the same under its masks:
    # a page never mixes outputs of two executions (a kept port beside a fresh one).  A
    # figure drawn from measurements (figure-varies) whose run changed (its script, its
    # command) is drawn anew, so the session's text is recorded anew with it.
    redrawn = any(sample.figure_varies and old is not None and old.key != key
                  for sample, key, old in zip(session.samples, session.keys, previous))
    keep = all(change == [] for change in changes) and not redrawn
    today = datetime.date.today().isoformat()
    records = []
    lab = post_session.record_lab()
    python = post_session.lab.python_version()
    for sample, key, result, old, change in zip(session.samples, session.keys, results,
                                                previous, changes):
        figure = None
        if keep and sample.figure_varies and old is not None and old.figure is not None:
            figure = old.figure  # the kept output's own figure: a page shows one execution
        elif sample.figure and result.figure is not None:  # kept or not, the same bytes
            figure = figure_record(sample.figure, result.figure)
            execution.figures[figure["sha256"]] = result.figure
        records.append(FrozenRun(
            key, session.name, sample.command, old.output if keep else result.output,
            result.exit_status, result.duration, today, python,
            post_session.lab.tool_versions(sample.needs), None, None,
            old.changed if change == [] else today, figure, lab))
    return records


def result_differences(sample: Executed, record: FrozenRun, result: RunResult) -> list[str]:
    """How a fresh result differs from a record, under the sample's masks: exit status,
    a unified diff of the outputs, the figure (empty: the same)."""
    return run_differences(record.output, record.exit_status, record.figure, result, sample.masks,
                           sample.figure or "", sample.figure_varies, f"{sample.path} line {sample.line}")
