"""``invoke samples``: what every post's records say, from the same plan the build uses."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from sandbox.lab import find_lab

from .config import SamplesConfig
from .errors import SampleError, SampleErrors
from .pipeline import load_post, plan_for, stale_error


@dataclass
class RunStatus:
    """One run's record: when it last ran and when its output last changed."""

    line: int
    command: str
    verified: str = ""  # empty: no record matches
    changed: str = ""  # empty: not known (recorded before changes were kept) or no record


@dataclass
class PostStatus:
    post: str
    runs: int
    stale_sessions: list[str] = field(default_factory=list)  # "main: app.py changed"
    stale_at: list[str] = field(default_factory=list)  # one positioned line per stale session
    verified: str = ""  # the oldest verification date among the records
    duration: float = 0.0  # recorded, all runs
    error: str = ""
    changed: str = ""  # the latest date an output of the post changed (empty: none known)
    run_statuses: list[RunStatus] = field(default_factory=list)
    lab: str = ""  # "Debian 13 (trixie) + gdb valgrind, built" ("not built yet": the next run builds it)

    @property
    def stale(self) -> bool:
        return bool(self.stale_sessions or self.error)


def post_statuses(config: SamplesConfig) -> list[PostStatus]:
    statuses = []
    for source in config.posts():
        try:
            post = load_post(source, config)
            plan = plan_for(post, config)
        except (SampleError, SampleErrors) as err:
            statuses.append(PostStatus(source.parent.name, 0, error=str(err)))
            continue
        records = [r for s in plan.sessions for r in s.records if r is not None]
        runs = [RunStatus(sample.line, sample.command, record.verified if record else "",
                          (record.changed or "") if record else "")
                for session in plan.sessions for sample, record in zip(session.samples, session.records)]
        statuses.append(PostStatus(
            source.parent.name, sum(len(s.samples) for s in plan.sessions),
            [f"{s.name}: {s.stale_reason}" for s in plan.stale],
            [str(stale_error(s, config)) for s in plan.stale],
            min((r.verified for r in records), default=""),
            round(sum(r.duration for r in records), 1),
            changed=max((run.changed for run in runs), default=""),
            run_statuses=sorted(runs, key=lambda run: run.line), lab=lab_status(post.lab, config)))
    return statuses


def lab_status(lab, config: SamplesConfig) -> str:
    """The lab a post declares and whether it is built on this machine."""
    declared = " ".join((*lab.packages, *lab.requirements))
    built = "built" if find_lab(lab, config.lab_cache) is not None else "not built yet"
    return f"{lab.release}{' + ' + declared if declared else ''}, {built}"


def status_table(statuses: list[PostStatus]) -> str:
    rows = [("post", "runs", "status", "verified", "output changed", "duration", "lab")]
    for status in statuses:
        state = status.error or ("; ".join(status.stale_sessions) and
                                 "stale: " + "; ".join(status.stale_sessions)) or "fresh"
        rows.append((status.post, str(status.runs), state, status.verified or "-",
                     status.changed or "-", f"{status.duration:.1f} s", status.lab))
    stale = sum(status.stale for status in statuses)
    rows.append(("total", str(sum(s.runs for s in statuses)),
                 f"{len(statuses) - stale} fresh, {stale} stale", "", "",
                 f"{sum(s.duration for s in statuses):.1f} s", ""))
    return _columns(rows)


def runs_table(statuses: list[PostStatus]) -> str:
    """One row per run: when it last ran, and when its output last changed ("-": not
    known, recorded before changes were kept; "no record": stale or never run)."""
    rows = [("post", "line", "run", "verified", "output changed")]
    for status in statuses:
        for run in status.run_statuses:
            command = run.command.replace("\n", " ")
            rows.append((status.post, str(run.line), command if len(command) <= 50 else command[:49] + "…",
                         run.verified or "no record", run.changed or ("-" if run.verified else "")))
    return _columns(rows)


def _columns(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip()
                     for row in rows)


def status_json(statuses: list[PostStatus]) -> str:
    return json.dumps([{**asdict(s), "stale": s.stale} for s in statuses], indent=2)
