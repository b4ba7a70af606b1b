"""What a recorded result depends on: the post's files, the sample chain, the lab.

A run's *input key* hashes its command or block and options, every file of the
post's folder (the Markdown and the store excluded, so editing prose executes
nothing) and the input key of the run before it in its session.  The *lab* a record
was taken in (its declaration: suite, Debian packages, Python requirements) is checked
apart from the key (``plan.environment_change``), so a stale result can say what
changed.  Nothing of the host enters either: records are the same on any machine.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

from .files import post_files
from .model import Executed

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
