"""The freeze store: recorded results of a post's runs, committed beside the post.

One JSON file per post, diff-friendly (output as a list of lines).  A record is
found by its key, which changes whenever anything that could change the output
changes: the command or block and its options, the bytes of every file in the
post's folder (the Markdown and the store excluded, so editing prose re-executes
nothing), the keys of the earlier runs of its session, the interpreter version
and the dependency lock.
"""

from __future__ import annotations

import datetime
import fnmatch
import hashlib
import json
import platform
import re
from dataclasses import dataclass
from pathlib import Path

from .parse import Directive
from .runner import COPY_IGNORE, RunResult

FORMAT = 1
MASKED = "…"


@dataclass(frozen=True)
class FrozenRun:
    """A recorded result, as stored and as shown on the page."""

    key: str
    command: str
    output: str
    exit_status: int
    duration: float
    verified: str
    python: str
    tools: dict

    def as_json(self) -> dict:
        return {
            "key": self.key, "command": self.command, "exit": self.exit_status,
            "duration": self.duration, "verified": self.verified, "python": self.python,
            "tools": self.tools, "output": self.output.split("\n"),
        }

    @classmethod
    def from_json(cls, data: dict) -> FrozenRun:
        return cls(data["key"], data["command"], "\n".join(data["output"]), data["exit"],
                   data["duration"], data["verified"], data["python"], data.get("tools", {}))

    @classmethod
    def record(cls, key: str, directive: Directive, result: RunResult, tools: dict) -> FrozenRun:
        return cls(key, directive.command if directive.kind == "run" else
                   f"{directive.lang} block", result.output, result.exit_status,
                   result.duration, datetime.date.today().isoformat(),
                   platform.python_version(), tools)


class FreezeStore:
    """Load, query and save the frozen results of one post."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.runs: dict[str, FrozenRun] = {}
        if path.is_file():
            data = json.loads(path.read_text(encoding="utf-8"))
            self.runs = {r["key"]: FrozenRun.from_json(r) for r in data.get("runs", [])}

    def get(self, key: str) -> FrozenRun | None:
        return self.runs.get(key)

    def save(self, records: list[FrozenRun]) -> None:
        """Write exactly ``records`` (in document order); unchanged files are not touched."""
        text = json.dumps({"format": FORMAT, "runs": [r.as_json() for r in records]},
                          indent=2, ensure_ascii=False) + "\n"
        if not self.path.is_file() or self.path.read_text(encoding="utf-8") != text:
            self.path.write_text(text, encoding="utf-8")
        self.runs = {r.key: r for r in records}


def ignored_names(patterns: tuple[str, ...]):
    """One compiled matcher for a tuple of glob patterns (names, not paths)."""
    return re.compile("|".join(fnmatch.translate(p) for p in patterns)).match


def post_files(post_dir: Path, excluded: tuple[str, ...]) -> list[Path]:
    """Files and symlinks in a post's folder as a session sees them, sorted; editor and
    tool debris and ``excluded`` names left out (what is hashed, copied and offered)."""
    ignored = ignored_names(COPY_IGNORE + excluded)
    return [path for path in sorted(post_dir.rglob("*"))
            if (path.is_file() or path.is_symlink())
            and not any(ignored(part) for part in path.relative_to(post_dir).parts)]


def folder_digest(post_dir: Path, excluded: tuple[str, ...]) -> str:
    """Hash of every file in the post's folder as a session sees it."""
    digest = hashlib.sha256()
    for path in post_files(post_dir, excluded):
        relative = path.relative_to(post_dir)
        if path.is_symlink():
            digest.update(b"L" + str(relative).encode() + b"\0" + str(path.readlink()).encode())
        else:
            digest.update(b"F" + str(relative).encode() + b"\0" + path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def environment_digest(lock_files: list[Path]) -> str:
    """Interpreter version plus the dependency lock."""
    digest = hashlib.sha256(platform.python_version().encode())
    for lock in lock_files:
        digest.update(lock.read_bytes() if lock.is_file() else b"-")
    return digest.hexdigest()


def run_key(directive: Directive, folder: str, environment: str, previous: str) -> str:
    """The key of one run; masks only affect comparison, so they are left out."""
    options = {k: v for k, v in directive.attrs.items() if k not in ("mask", "session")}
    payload = json.dumps({"kind": directive.kind, "lang": directive.lang, "body": directive.body,
                          "options": options, "folder": folder, "environment": environment,
                          "previous": previous}, sort_keys=True, default=list)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def session_keys(directives: list[Directive], folder: str, environment: str) -> list[str]:
    """Keys of a session's runs in order, each chained to the one before it."""
    keys, previous = [], ""
    for directive in directives:
        previous = run_key(directive, folder, environment, previous)
        keys.append(previous)
    return keys


def apply_masks(text: str, masks: tuple[str, ...]) -> str:
    """Blank out what the masks match, for comparing two runs of the same sample."""
    for mask in masks:
        text = re.sub(mask, MASKED, text, flags=re.MULTILINE)
    return text
