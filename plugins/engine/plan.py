"""plan: which sessions of a post can use their records, and why the others cannot.

Pure: it reads the parsed post, the store and the environment it is given, and
executes nothing.  The build, ``invoke freeze``, ``invoke samples`` and publishing
all decide from the same plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sandbox.lab import Lab

from .figures import FIGURES_FOLDER
from .keys import folder_digest, input_keys
from .model import Executed
from .parse import PostDocument
from .store import FORMAT, FreezeStore, FrozenRun


@dataclass(frozen=True)
class SessionPlan:
    """One session: its samples in order, their keys, and the records that match."""

    name: str
    samples: list[Executed]
    keys: list[str]
    records: list[FrozenRun | None]
    stale_reason: str | None  # None: every record matches

    @property
    def fresh(self) -> bool:
        return self.stale_reason is None


@dataclass
class PostPlan:
    post: PostDocument
    store: FreezeStore
    files: dict[str, str]
    lab: Lab
    sessions: list[SessionPlan] = field(default_factory=list)
    figures: dict[str, str] = field(default_factory=dict)  # name -> digest, kept beside the post

    @property
    def stale(self) -> list[SessionPlan]:
        return [session for session in self.sessions if not session.fresh]

    def record_for(self, sample: Executed) -> FrozenRun | None:
        for session in self.sessions:
            for candidate, record in zip(session.samples, session.records):
                if candidate is sample:
                    return record
        return None

    def previous_record(self, sample: Executed) -> FrozenRun | None:
        """The record ``sample``'s place in its session had, whatever its key: the same
        command at the same position (what a fresh result is compared with to say what
        changed, also when the record no longer matches)."""
        session = self.post.sessions()[sample.session]
        recorded = self.store.session_runs(sample.session)
        index = session.index(sample)
        old = recorded[index] if index < len(recorded) else None
        return old if old is not None and old.command == sample.command else None


def plan_post(post: PostDocument, store: FreezeStore, files: dict[str, str],
              figures: dict[str, str] | None = None) -> PostPlan:
    """Match every session of ``post`` with its records in ``store`` (and the figures
    kept beside it, name -> digest)."""
    plan = PostPlan(post, store, files, post.lab, figures=dict(figures or {}))
    folder = folder_digest(files)
    for name, samples in post.sessions().items():
        keys = input_keys(samples, folder)
        records = [store.get(name, key) for key in keys]
        reason = _stale_reason(samples, keys, records, store, files, post.lab, name) \
            or _figure_missing(samples, records, plan.figures)
        plan.sessions.append(SessionPlan(name, samples, keys, records, reason))
    return plan


def _figure_missing(samples, records, figures: dict[str, str]) -> str | None:
    """Why a figure a record names is not what the page would show, or None."""
    for sample, record in zip(samples, records):
        figure = record.figure if record is not None else None
        if figure is not None and figures.get(figure["name"]) != figure["sha256"]:
            state = "is missing" if figure["name"] not in figures else "differs from its record"
            return f"the figure {FIGURES_FOLDER}/{figure['name']} {state} (line {sample.line})"
    return None


def _stale_reason(samples, keys, records, store: FreezeStore, files, lab: Lab,
                  session: str) -> str | None:
    if store.outdated_format is not None:
        return f"recorded in store format {store.outdated_format}; this engine writes {FORMAT}"
    recorded = store.session_runs(session)
    if not recorded:
        return "never executed"
    if None in records:
        changed = describe_file_changes(store.files, files)
        if changed:
            return changed
        first = records.index(None)
        if first < len(recorded):
            return f"the sample at line {samples[first].line} changed"
        return f"the sample at line {samples[first].line} is new"
    if len(recorded) != len(samples):
        return "a sample of the session was removed"
    for sample, record in zip(samples, records):
        reason = environment_change(record, lab)
        if reason:
            return f"{reason} (line {sample.line})"
    return None


def environment_change(record: FrozenRun, lab: Lab) -> str | None:
    """Why ``record`` was taken in another lab than the one the post declares, or None."""
    if record.lab is None:
        return f"recorded outside a lab; the post's runs execute in {lab.release}"
    if record.lab.get("digest") != lab.digest:
        before = Lab.from_dict(record.lab)
        changes = [f"suite {before.suite} → {lab.suite}"] if before.suite != lab.suite else []
        changes += [f"package {name} added" for name in lab.packages if name not in before.packages]
        changes += [f"package {name} removed" for name in before.packages if name not in lab.packages]
        changes += [f"{name} added" for name in lab.requirements if name not in before.requirements]
        changes += [f"{name} removed" for name in before.requirements if name not in lab.requirements]
        return "the lab changed: " + (", ".join(changes) or "its declaration differs")
    return None


def describe_file_changes(before: dict[str, str], after: dict[str, str]) -> str | None:
    """``app.py changed, old.py removed`` — the post's files that differ, by name."""
    parts = [f"{name} changed" for name in sorted(before.keys() & after.keys())
             if before[name] != after[name]]
    parts += [f"{name} added" for name in sorted(after.keys() - before.keys())]
    parts += [f"{name} removed" for name in sorted(before.keys() - after.keys())]
    if len(parts) > 4:
        parts = parts[:4] + [f"{len(parts) - 4} more"]
    return ", ".join(parts) or None
