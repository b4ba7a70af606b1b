"""execute: run the stale sessions of a plan and return what ran.

Nothing global records what ran: the caller gets an Execution back, and anyone who
wants to watch (progress lines, tests counting executions, benchmarks) connects to
the ``run_finished`` signal, which is sent once per executed run.
"""

from __future__ import annotations

import datetime
import platform
from dataclasses import dataclass, field

from blinker import signal

from .config import SamplesConfig
from .errors import SampleError
from .imports import session_dependencies
from .parse import PostDocument
from .plan import PostPlan, SessionPlan
from .progress import Progress
from .runner import RunResult, SampleSession
from .samples import Executed
from .store import FrozenRun, apply_masks
from .tools import tool_versions

# Sent with the sample (sender), its result and the session's name, after each run.
run_finished = signal("samples.run_finished")


@dataclass
class Execution:
    """What executing a plan did: new records by sample, and the problems met."""

    records: dict[int, FrozenRun] = field(default_factory=dict)  # by opening line
    executed: list[str] = field(default_factory=list)  # "path:line" of every run executed
    errors: list[SampleError] = field(default_factory=list)


def open_session(post: PostDocument, config: SamplesConfig) -> SampleSession:
    """A fresh working directory for one session of a post (the build's and pytest's)."""
    return SampleSession(post.post_dir, config.excluded(post.source), config.output_cap,
                         debian_listing=config.debian_listing, pids_max=config.pids_max,
                         memory_max=config.memory_max, locks=post.locks)


def execute_plan(plan: PostPlan, config: SamplesConfig, progress: Progress | None = None) -> Execution:
    """Execute every stale session of ``plan`` in document order."""
    execution = Execution()
    progress = progress or Progress.quiet()
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
    return execution


def execute_session(plan: PostPlan, session: SessionPlan, config: SamplesConfig,
                    progress: Progress, execution: Execution) -> list[FrozenRun]:
    """Run one session's samples in one fresh working directory; records in order."""
    sample_session = open_session(plan.post, config)
    results: list[RunResult] = []
    try:
        for number, sample in enumerate(session.samples, start=1):
            progress.run_started(sample, number)
            result = execute_one(sample_session, sample)
            execution.executed.append(sample.where)
            progress.run_finished(sample, result)
            results.append(result)
    finally:
        sample_session.close()
    deps = session_dependencies([s.line for s in session.samples], sample_session.imported,
                                plan.environment.pins)
    previous = _previous_records(plan, session)
    # Keep the reviewed text only when the whole session printed the same under its masks:
    # a page never mixes outputs of two executions (a kept port beside a fresh one).
    keep = all(old is not None and apply_masks(old.output, sample.masks) ==
               apply_masks(result.output, sample.masks)
               for sample, result, old in zip(session.samples, results, previous))
    records = []
    for sample, key, result, old, used in zip(session.samples, session.keys, results, previous, deps):
        records.append(FrozenRun(
            key, session.name, sample.command, old.output if keep else result.output,
            result.exit_status, result.duration, datetime.date.today().isoformat(),
            platform.python_version(), tool_versions(sample.needs), used,
            plan.environment.lock_digest if used is None else None))
    return records


def execute_one(sample_session: SampleSession, sample: Executed) -> RunResult:
    """Execute one sample and check its exit status against the declared one."""
    result = sample_session.run(sample)
    run_finished.send(sample, result=result)
    if result.exit_status != sample.expected_exit:
        tail = "\n".join(result.output.rstrip("\n").split("\n")[-5:])
        raise sample.error(
            f"{sample.noun} exited with status {result.exit_status}, expected {sample.expected_exit}",
            f"fix the sample, or declare exit={result.exit_status} if that is the point; "
            f"its output ended with:\n{tail}",
        )
    return result


def _previous_records(plan: PostPlan, session: SessionPlan) -> list[FrozenRun | None]:
    """The records this session had before, position by position (for keeping text)."""
    recorded = plan.store.session_runs(session.name)
    return [recorded[i] if i < len(recorded) and recorded[i].command == s.command else None
            for i, s in enumerate(session.samples)]
