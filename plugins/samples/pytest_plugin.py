"""pytest collection: one test item per include, run and exec of every post.

Items come from the same parser and the same configuration as the build (the ini
option ``samples_settings`` names the Pelican settings file).  An include item
renders its figure exactly as the build does.  A run item re-executes its sample
fresh and compares output, exit status and the inline values quoting it with the
record, masks applied to both sides.

Any subset of items is correct: a run depends on the earlier runs of its session,
so when those did not just run in this process (``-k``, a node id, ``--lf``,
``--dist load``), the item's setup replays them first, and a failure there is a
setup error naming the earlier line.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from .config import SamplesConfig
from .errors import SampleError
from .execute import open_session
from .parse import PostDocument
from .pipeline import load_post, plan_for
from .plan import PostPlan
from .runner import SampleSession
from .samples import Executed, Include, Sample
from .store import apply_masks
from .values import resolve_value, touched_by_masks


@dataclass
class OpenSession:
    session: SampleSession
    done: int = 0  # how many of the session's samples ran in it, in order


_OPEN: dict[tuple[str, str], OpenSession] = {}


def pytest_addoption(parser) -> None:
    parser.addini("samples_settings", "the Pelican settings file the build uses (relative to "
                  "the rootdir)", default="pelicanconf.py")


def _config(config) -> SamplesConfig:
    cached = getattr(config, "_samples_config", None)
    if cached is None:
        settings = Path(config.rootpath) / config.getini("samples_settings")
        cached = config._samples_config = SamplesConfig.load(settings)
    return cached


def pytest_ignore_collect(collection_path: Path, config):
    """Inside post folders only the post file is collected: samples are never test modules."""
    samples = _config(config)
    if collection_path.is_file() and samples.in_post_folder(collection_path) \
            and not samples.is_post(collection_path):
        return True
    return None


def pytest_collect_file(file_path: Path, parent):
    if _config(parent.config).is_post(file_path):
        return PostFile.from_parent(parent, path=file_path)
    return None


def pytest_sessionfinish(session) -> None:
    for state in _OPEN.values():
        state.session.close()
    _OPEN.clear()


class PostFile(pytest.File):
    def collect(self):
        config = _config(self.config)
        post = load_post(self.path, config)
        plan = plan_for(post, config)
        for sample in post.samples:
            cls = IncludeItem if isinstance(sample, Include) else RunItem
            yield cls.from_parent(self, name=_item_name(sample), post=post, sample=sample,
                                  plan=plan, samples_config=config)


def _item_name(sample: Sample) -> str:
    what = sample.describe().replace("::", ": :").replace("\n", " ")
    return f"line{sample.line} {what[:60]}"


class SampleMismatch(Exception):
    pass


def _check_isolation(session: SampleSession, sample: Executed) -> None:
    """As root (CI), every session must sit in a network namespace with only loopback."""
    if os.geteuid() != 0:
        return
    problems = ["no network namespace"] if session.network is None else session.network.problems()
    if problems:
        session.close()
        raise SampleMismatch(f"{sample.where}: the session {sample.session!r} is not network-"
                             f"isolated: {'; '.join(problems)}")


class SampleItem(pytest.Item):
    def __init__(self, *, post: PostDocument, sample: Sample, plan: PostPlan,
                 samples_config: SamplesConfig, **kwargs) -> None:
        super().__init__(**kwargs)
        self.post, self.sample, self.plan, self.samples_config = post, sample, plan, samples_config

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, (SampleError, SampleMismatch)):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, self.sample.line - 1, f"{self.sample.where} {self.sample.kind}"


class IncludeItem(SampleItem):
    def runtest(self) -> None:
        self.sample.render(self.post.post_dir)


class RunItem(SampleItem):
    @property
    def _session_samples(self) -> list[Executed]:
        return self.post.sessions()[self.sample.session]

    @property
    def _session_id(self) -> tuple[str, str]:
        return (self.post.path, self.sample.session)

    def setup(self) -> None:
        """Replay the earlier runs of the session unless they just ran, in order, here."""
        index = self._session_samples.index(self.sample)
        state = _OPEN.get(self._session_id)
        if state is not None and state.done == index:
            return
        if state is not None:
            state.session.close()
        state = _OPEN[self._session_id] = OpenSession(open_session(self.post, self.samples_config))
        _check_isolation(state.session, self.sample)
        for earlier in self._session_samples[:index]:
            result = state.session.run(earlier)
            state.done += 1
            if result.exit_status != earlier.expected_exit:
                _OPEN.pop(self._session_id).session.close()
                raise SampleMismatch(
                    f"{earlier.where}: replaying the earlier {earlier.noun} of session "
                    f"{earlier.session!r} before line {self.sample.line} failed: exit status "
                    f"{result.exit_status}, expected {earlier.expected_exit}")

    def runtest(self) -> None:
        state = _OPEN[self._session_id]
        last = self._session_samples[-1] is self.sample
        try:
            fresh = state.session.run(self.sample)
            state.done += 1
        finally:
            if last:
                _OPEN.pop(self._session_id).session.close()
        record = self.plan.record_for(self.sample)
        if record is None:
            session = next(s for s in self.plan.sessions if self.sample in s.samples)
            raise self.sample.error(
                f"no frozen result matches this run ({session.stale_reason})",
                f"build with execution on (invoke build) and commit {self.samples_config.store_name}")
        masks = self.sample.masks
        expected, actual = apply_masks(record.output, masks), apply_masks(fresh.output, masks)
        if expected != actual or record.exit_status != fresh.exit_status:
            diff = "\n".join(difflib.unified_diff(
                expected.splitlines(), actual.splitlines(), "frozen", "fresh run", lineterm=""))
            raise SampleMismatch(
                f"{self.sample.where}: {self.sample.kind} did not match its frozen output "
                f"(exit {fresh.exit_status}, frozen {record.exit_status})\n{diff}")
        for value in self.post.values:
            if value.name == self.sample.value_id:
                was, now = resolve_value(value, record.output), resolve_value(value, fresh.output)
                if was != now and not touched_by_masks(value, record.output, masks):
                    raise value.error(f"value {value.span!r} reads {now!r} in a fresh run, "
                                      f"{was!r} in the record")
