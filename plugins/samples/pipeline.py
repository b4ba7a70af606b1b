"""From a post's file to rendered samples: parse, select, run or thaw, store, render."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from .errors import SampleError, SampleErrors
from .parse import Directive, PostSamples, parse_post
from .positions import display_path
from .render import render_exec, render_include, render_run
from .runner import SampleSession
from .select import select_snippet
from .store import FreezeStore, FrozenRun, environment_digest, folder_digest, session_keys

DEFAULT_STORE_NAME = "samples.frozen.json"
DEFAULT_OUTPUT_CAP = 1024 * 1024

# Every run the engine really executes is counted here (tests and benchmarks read it).
EXECUTIONS: list[str] = []


@dataclass(frozen=True)
class EngineSettings:
    """The engine's settings, read from Pelican's SAMPLES_* settings."""

    project_root: Path
    execute: bool = True
    store_name: str = DEFAULT_STORE_NAME
    output_cap: int = DEFAULT_OUTPUT_CAP
    lock_files: tuple[Path, ...] = field(default=())

    @classmethod
    def from_pelican(cls, settings: dict) -> EngineSettings:
        root = Path(settings.get("SAMPLES_PROJECT_ROOT") or Path(settings["PATH"]).parent)
        locks = settings.get("SAMPLES_LOCK_FILES", ["requirements.txt"])
        return cls(
            project_root=root,
            execute=bool(settings.get("SAMPLES_EXECUTE", True)),
            store_name=settings.get("SAMPLES_STORE_NAME", DEFAULT_STORE_NAME),
            output_cap=int(settings.get("SAMPLES_OUTPUT_CAP", DEFAULT_OUTPUT_CAP)),
            lock_files=tuple(root / name for name in locks),
        )

    @property
    def debian_listing(self) -> Path:
        """Which Debian package provides which executable (for `needs` errors)."""
        return self.project_root / "requirements-debian.txt"

    def excluded(self, source: Path) -> tuple[str, ...]:
        """Names in a post's folder that runs never see: the post itself and its store."""
        return (source.name, self.store_name)


def load_post(source: Path, settings: EngineSettings, text: str | None = None) -> PostSamples:
    """Read (unless given its ``text``) and parse one post; raises positioned SampleErrors."""
    if text is None:
        text = source.read_text(encoding="utf-8-sig")
    return parse_post(source, text, display_path(source, settings.project_root))


def post_keys(post: PostSamples, settings: EngineSettings) -> dict[int, str]:
    """The freeze key of every run and exec of the post, by line."""
    folder = folder_digest(post.post_dir, settings.excluded(post.source))
    environment = environment_digest(list(settings.lock_files))
    keys = {}
    for directives in post.sessions().values():
        for directive, key in zip(directives, session_keys(directives, folder, environment)):
            keys[directive.line] = key
    return keys


def render_post(source: Path, settings: EngineSettings,
                text: str | None = None) -> dict[int, tuple[int, str]]:
    """HTML for every directive of the post: opening line -> (closing line, html).

    Frozen results are used when their keys match; otherwise, with execution on,
    the whole session is executed again and the store rewritten.  All problems of
    the post are raised together as SampleErrors.
    """
    post = load_post(source, settings, text)
    errors: list[SampleError] = []
    html: dict[int, str] = {}
    for directive in post.directives:
        if directive.kind == "include":
            try:
                html[directive.line] = render_include(directive, select_snippet(directive, post.post_dir))
            except SampleError as err:
                errors.append(err)
    store = FreezeStore(post.post_dir / settings.store_name)
    keys = post_keys(post, settings)
    records: list[tuple[int, FrozenRun]] = []
    executed = False
    for directives in post.sessions().values():
        frozen = [store.get(keys[d.line]) for d in directives]
        if None in frozen:
            stale = directives[frozen.index(None)]
            if not settings.execute:
                errors.append(stale.error(
                    "no frozen result matches this run (the sample, its folder or the "
                    "dependencies changed since it was recorded)",
                    f"build with execution on (invoke build) and commit {settings.store_name}",
                ))
                continue
            try:
                frozen = execute_session(post, directives, [keys[d.line] for d in directives], settings)
                executed = True
            except SampleError as err:
                errors.append(err)
                continue
        for directive, record in zip(directives, frozen):
            html[directive.line] = (render_run if directive.kind == "run" else render_exec)(directive, record)
            records.append((directive.line, record))
    if executed:
        store.save([record for _, record in sorted(records, key=lambda item: item[0])])
    if errors:
        raise SampleErrors(sorted(errors, key=lambda e: e.line))
    return {d.line: (d.end_line, html[d.line]) for d in post.directives}


def open_session(post: PostSamples, settings: EngineSettings) -> SampleSession:
    """A fresh working directory for one session of ``post`` (the build's and pytest's)."""
    return SampleSession(post.post_dir, settings.excluded(post.source), settings.output_cap,
                         debian_listing=settings.debian_listing)


def execute_session(post: PostSamples, directives: list[Directive], keys: list[str],
                    settings: EngineSettings) -> list[FrozenRun]:
    """Run a session's directives in order in one fresh working directory."""
    session = open_session(post, settings)
    try:
        return [execute_one(session, directive, key) for directive, key in zip(directives, keys)]
    finally:
        session.close()


def execute_one(session: SampleSession, directive: Directive, key: str) -> FrozenRun:
    """Execute one directive and check its exit status against the declared one."""
    EXECUTIONS.append(f"{directive.path}:{directive.line}")
    result = session.run(directive)
    if result.exit_status != directive.expected_exit:
        tail = "\n".join(result.output.rstrip("\n").split("\n")[-5:])
        raise directive.error(
            f"{'run ' + repr(directive.attrs['run']) if directive.kind == 'run' else 'the block'}"
            f" exited with status {result.exit_status}, expected {directive.expected_exit}",
            f"fix the sample, or declare exit={result.exit_status} if that is the point; "
            f"its output ended with:\n{tail}",
        )
    return FrozenRun.record(key, directive, result, tool_versions(directive.needs))


_VERSIONS: dict[str, str] = {}


def tool_versions(tools: tuple[str, ...]) -> dict[str, str]:
    """What each needed tool was at verification time: its Debian package and version
    when dpkg knows the file, else the first line of a successful ``tool --version``."""
    for tool in tools:
        if tool not in _VERSIONS:
            _VERSIONS[tool] = _debian_version(tool) or _self_reported_version(tool) or "unknown"
    return {tool: _VERSIONS[tool] for tool in tools}


def _debian_version(tool: str) -> str | None:
    path = shutil.which(tool)
    if path is None:
        return None
    for candidate in dict.fromkeys([path, os.path.realpath(path)]):
        owner = _quiet(["dpkg-query", "-S", candidate])
        if owner:
            package = owner.split(":", 1)[0].strip()
            version = _quiet(["dpkg-query", "-W", "-f=${Version}", package])
            if version:
                return f"{package} {version}"
    return None


def _self_reported_version(tool: str) -> str | None:
    output = _quiet([tool, "--version"])
    return output.splitlines()[0].strip() if output else None


def _quiet(argv: list[str]) -> str | None:
    """Output of a successful short command, or None."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=10,
                              stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (done.stdout or done.stderr).strip()
    return text if done.returncode == 0 and text else None
