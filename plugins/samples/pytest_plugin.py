"""pytest collection: one test item per include, run and exec of every post.

Items come from the same parser the build uses.  A run item re-executes its
sample fresh (ignoring the store) and compares output and exit status with the
frozen record, masks applied to both sides.  Runs of one session share a
working directory and run in document order: under pytest-xdist, ``--dist loadfile``
sends all items of one post to one worker, in order.  (``loadgroup`` does not work
with pytest 9: xdist 3.8 renames node ids through an attribute pytest 9 no longer reads.)
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from .errors import SampleError
from .parse import Directive, PostSamples
from .pipeline import EngineSettings, execute_one, load_post, open_session, post_keys
from .runner import SampleSession
from .select import select_snippet
from .store import FreezeStore, apply_masks

POST_FILE = "index.md"
_OPEN_SESSIONS: dict[tuple[str, str], SampleSession] = {}


def pytest_addoption(parser) -> None:
    parser.addini("samples_content", "folder holding posts/<slug>/index.md", default="content")
    parser.addini("samples_lock_files", "dependency lock files in the freeze keys",
                  type="linelist", default=["requirements.txt"])


def _posts_root(config) -> Path:
    return Path(config.rootpath) / config.getini("samples_content") / "posts"


def pytest_ignore_collect(collection_path: Path, config):
    """Inside post folders only index.md is collected: samples are never test modules."""
    root = _posts_root(config)
    if root in collection_path.parents and collection_path.is_file() \
            and collection_path.name != POST_FILE:
        return True
    return None


def pytest_collect_file(file_path: Path, parent):
    if file_path.name == POST_FILE and _posts_root(parent.config) in file_path.parents:
        return PostFile.from_parent(parent, path=file_path)
    return None


def pytest_sessionfinish(session) -> None:
    for sample_session in _OPEN_SESSIONS.values():
        sample_session.close()
    _OPEN_SESSIONS.clear()


class PostFile(pytest.File):
    def collect(self):
        root = Path(self.config.rootpath)
        settings = EngineSettings(project_root=root, lock_files=tuple(
            root / name for name in self.config.getini("samples_lock_files")))
        post = load_post(self.path, settings)
        keys = post_keys(post, settings)
        sessions = post.sessions()
        for directive in post.directives:
            yield SampleItem.from_parent(
                self, name=_item_name(directive), post=post, directive=directive,
                settings=settings, key=keys.get(directive.line),
                last_in_session=directive.kind != "include"
                and sessions[directive.session][-1] is directive,
            )


def _item_name(directive: Directive) -> str:
    if directive.kind == "include":
        attrs = directive.attrs
        selector = next((f"{k}={attrs[k]}" for k in ("region", "lines", "pyobject") if k in attrs), "")
        what = f"include {attrs['file']}" + (f" {selector}" if selector else "")
    elif directive.kind == "run":
        what = "run " + directive.attrs["run"]
    else:
        what = f"exec {directive.lang}"
    what = what.replace("::", ": :").replace("\n", " ")
    return f"line{directive.line} {what[:60]}"


class SampleMismatch(Exception):
    pass


class SampleItem(pytest.Item):
    def __init__(self, *, post: PostSamples, directive: Directive, settings: EngineSettings,
                 key: str | None, last_in_session: bool, **kwargs) -> None:
        super().__init__(**kwargs)
        self.post, self.directive, self.settings = post, directive, settings
        self.key, self.last_in_session = key, last_in_session

    def runtest(self) -> None:
        if self.directive.kind == "include":
            select_snippet(self.directive, self.post.post_dir)
            return
        session_id = (self.post.path, self.directive.session)
        session = _OPEN_SESSIONS.get(session_id)
        if session is None:
            session = _OPEN_SESSIONS[session_id] = open_session(self.post, self.settings)
        try:
            fresh = execute_one(session, self.directive, self.key)
        finally:
            if self.last_in_session:
                _OPEN_SESSIONS.pop(session_id).close()
        frozen = FreezeStore(self.post.post_dir / self.settings.store_name).get(self.key)
        if frozen is None:
            raise self.directive.error(
                "no frozen result matches this run",
                f"build with execution on (invoke build) and commit {self.settings.store_name}",
            )
        expected = apply_masks(frozen.output, self.directive.masks)
        actual = apply_masks(fresh.output, self.directive.masks)
        if expected != actual or frozen.exit_status != fresh.exit_status:
            diff = "\n".join(difflib.unified_diff(
                expected.splitlines(), actual.splitlines(), "frozen", "fresh run", lineterm=""))
            raise SampleMismatch(
                f"{self.directive.where}: {self.directive.kind} did not match its frozen output "
                f"(exit {fresh.exit_status}, frozen {frozen.exit_status})\n{diff}")

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, (SampleError, SampleMismatch)):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, self.directive.line - 1, f"{self.directive.where} {self.directive.kind}"
