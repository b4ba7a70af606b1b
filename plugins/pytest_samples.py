"""pytest collection: one test item per include, run and exec of every post.

Items come from the same parser and the same configuration as the build (the ini
option ``samples_settings`` names the Pelican settings file).  An include item
renders its figure exactly as the build does.  A run item executes its sample
through the engine's one session path (``engine.execute.PostSession``), fresh, and
compares exit status, output and the inline values quoting it with the record,
masks applied to both sides.

Any subset of items is correct: a run depends on the earlier runs of its session,
so when those did not just run in this process (``-k``, a node id, ``--lf``,
``--dist load``), the item's setup replays them first, and a failure there is a
setup error naming the earlier line.  Open sessions belong to the post's collector
node, which closes them in its teardown (as Sybil's documents own their namespace).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from engine.config import SamplesConfig
from engine.errors import SampleError
from engine.execute import PostSession, result_differences
from engine.files import read_included
from engine.model import Executed, Sample
from engine.parse import PostDocument
from engine.pipeline import load_post, plan_for, stale_error
from engine.plan import PostPlan
from engine.render import render_sample
from engine.select import select_snippet
from engine.values import resolve_value, touched_by_masks
from samples.settings import load_config

CONFIG_KEY = pytest.StashKey[SamplesConfig]()


@dataclass
class OpenSession:
    session: PostSession
    done: int = 0  # how many of the session's samples ran in it, in order


def pytest_addoption(parser) -> None:
    parser.addini("samples_settings", "the Pelican settings file the build uses (relative to "
                  "the rootdir)", default="pelicanconf.py")


def _config(config) -> SamplesConfig:
    if CONFIG_KEY not in config.stash:
        config.stash[CONFIG_KEY] = load_config(Path(config.rootpath) / config.getini("samples_settings"))
    return config.stash[CONFIG_KEY]


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


class PostFile(pytest.File):
    """A post: its items, and the sessions open while its items run in order."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.open_sessions: dict[str, OpenSession] = {}

    def collect(self):
        config = _config(self.config)
        post = load_post(self.path, config)
        plan = plan_for(post, config)
        for sample in post.samples:
            item_type = RunItem if sample.executes else IncludeItem
            yield item_type.from_parent(self, name=_item_name(sample), post=post, sample=sample,
                                        plan=plan, samples_config=config)

    def close_session(self, name: str) -> None:
        state = self.open_sessions.pop(name, None)
        if state is not None:
            state.session.close()

    def teardown(self) -> None:
        for name in list(self.open_sessions):
            self.close_session(name)


def _item_name(sample: Sample) -> str:
    what = sample.describe().replace("::", ": :").replace("\n", " ")
    return f"line{sample.line} {what[:60]}"


class SampleMismatch(Exception):
    pass


def moved_versions(record, session: PostSession, sample: Executed) -> str:
    """What moved in the lab since the record (a Debian point release, a tool's package)."""
    moved = []
    was_debian, now_debian = (record.lab or {}).get("debian"), session.lab.debian_version()
    if was_debian and was_debian != now_debian:
        moved.append(f"Debian {was_debian} → {now_debian}")
    now_tools = session.lab.tool_versions(sample.needs)
    moved += [f"{tool}: {version} → {now_tools.get(tool)}" for tool, version in sorted(record.tools.items())
              if now_tools.get(tool) not in (None, version)]
    if record.python and record.python != session.lab.python_version():
        moved.append(f"Python {record.python} → {session.lab.python_version()}")
    return ("\nversions that moved since the record: " + ", ".join(moved)) if moved else ""


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
        render_sample(self.sample, select_snippet(self.sample, read_included(self.sample,
                                                                             self.post.post_dir)))


class RunItem(SampleItem):
    @property
    def _session_samples(self) -> list[Executed]:
        return self.post.sessions()[self.sample.session]

    def setup(self) -> None:
        """Replay the earlier runs of the session unless they just ran, in order, here."""
        post_file: PostFile = self.parent
        index = self._session_samples.index(self.sample)
        state = post_file.open_sessions.get(self.sample.session)
        if state is not None and state.done == index:
            return
        post_file.close_session(self.sample.session)
        state = OpenSession(PostSession(self.post, self.samples_config).__enter__())
        post_file.open_sessions[self.sample.session] = state
        for earlier in self._session_samples[:index]:
            try:
                state.session.run(earlier)
            except SampleError as err:
                post_file.close_session(self.sample.session)
                raise SampleMismatch(
                    f"{earlier.where}: {err.message}, while replaying session {earlier.session!r} "
                    f"before line {self.sample.line}") from None
            state.done += 1

    def runtest(self) -> None:
        post_file: PostFile = self.parent
        state = post_file.open_sessions[self.sample.session]
        try:
            fresh = state.session.run(self.sample)
            state.done += 1
        finally:
            if self._session_samples[-1] is self.sample:
                post_file.close_session(self.sample.session)
        record = self.plan.record_for(self.sample)
        if record is None:
            session = next(s for s in self.plan.sessions if self.sample in s.samples)
            raise SampleMismatch(str(stale_error(session, self.samples_config))
                                 + self._since_last_record(fresh))
        masks = self.sample.masks
        found = result_differences(self.sample, record, fresh)
        if found:
            raise SampleMismatch(f"{self.sample.where}: {self.sample.kind} did not match its frozen "
                                 f"output (exit {fresh.exit_status}, frozen {record.exit_status})\n"
                                 + "\n".join(found) + moved_versions(record, state.session, self.sample))
        for value in self.post.values:
            if value.name == self.sample.value_id:
                was, now = resolve_value(value, record.output), resolve_value(value, fresh.output)
                if was != now and not touched_by_masks(value, record.output, masks):
                    raise value.error(f"value {value.span!r} reads {now!r} in a fresh run, "
                                      f"{was!r} in the record")

    def _since_last_record(self, fresh) -> str:
        """What the fresh run printed against the record its place had (same command, same
        position), which no longer matches: the same diff the build prints."""
        old = self.plan.previous_record(self.sample)
        found = result_differences(self.sample, old, fresh) if old is not None else []
        if not found:
            return ""
        return f"\nagainst the last record ({old.verified}):\n" + "\n".join(found)
