"""What a recorded result depends on: the post's files, the sample chain, the environment.

A run's *input key* hashes its command or block and options, every file of the
post's folder (the Markdown and the store excluded, so editing prose executes
nothing) and the input key of the run before it in its session.  The *environment*
a record was taken in is checked apart from the key, so a stale result can say why:
the interpreter by major.minor, and the pins of the distributions the run's Python
processes imported (or the whole lock when no import record could be taken).
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
from dataclasses import dataclass
from pathlib import Path

from .files import post_files
from .model import Executed

PIN = re.compile(r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*==\s*(?P<version>[^\s;#]+)")


# (folder, excluded) -> (signature, digests): a long-lived process (the live loop, a build
# that plans and stamps the same post) reads a post's files again only when one changed.
_DIGESTS: dict[tuple[Path, tuple[str, ...]], tuple[tuple, dict[str, str]]] = {}


def folder_signature(folder: Path) -> tuple:
    """Name, size, mtime and inode of every entry under ``folder``: cheap to take, and it
    changes whenever a file is written, replaced, added or removed."""
    entries = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            stat = os.lstat(os.path.join(root, name))
            entries.append((root, name, stat.st_size, stat.st_mtime_ns, stat.st_ino))
    return tuple(entries)


def file_digests(post_dir: Path, excluded: tuple[str, ...]) -> dict[str, str]:
    """Relative path -> short digest of every file of the folder (symlinks by target)."""
    signature = folder_signature(post_dir)
    known = _DIGESTS.get((post_dir, excluded))
    if known is not None and known[0] == signature:
        return dict(known[1])
    digests = {}
    for path in post_files(post_dir, excluded):
        data = b"L" + str(path.readlink()).encode() if path.is_symlink() else b"F" + path.read_bytes()
        digests[path.relative_to(post_dir).as_posix()] = hashlib.sha256(data).hexdigest()[:16]
    _DIGESTS[(post_dir, excluded)] = (signature, digests)
    return dict(digests)


def folder_digest(files: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()


def input_keys(samples: list[Executed], folder: str) -> list[str]:
    """Input keys of a session's runs in order, each chained to the one before it."""
    keys, previous = [], ""
    for sample in samples:
        payload = json.dumps({**sample.key_payload(), "folder": folder, "previous": previous},
                             sort_keys=True, default=list)
        previous = hashlib.sha256(payload.encode()).hexdigest()[:32]
        keys.append(previous)
    return keys


def normalize(name: str) -> str:
    """A distribution name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Environment:
    """What the records are checked against: interpreter and pinned distributions."""

    python: str  # full version, e.g. 3.11.2 (provenance)
    pins: dict[str, str]  # normalized distribution name -> version
    lock_digest: str  # of every lock file, for runs whose imports were not recorded
    lock_names: tuple[str, ...]

    @property
    def python_minor(self) -> str:
        return minor(self.python)

    @classmethod
    def current(cls, lock_files: tuple[Path, ...]) -> Environment:
        pins: dict[str, str] = {}
        digest = hashlib.sha256()
        for lock in lock_files:
            data = lock.read_bytes() if lock.is_file() else b""
            digest.update(lock.name.encode() + b"\0" + data + b"\0")
            for line in data.decode("utf-8", "replace").splitlines():
                match = PIN.match(line)
                if match:
                    pins[normalize(match["name"])] = match["version"]
        return cls(platform.python_version(), pins, digest.hexdigest()[:32],
                   tuple(lock.name for lock in lock_files))


def minor(version: str) -> str:
    return ".".join(version.split(".")[:2])
