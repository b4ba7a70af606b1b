"""The output tree on disk: its lock, its identity, hard-linked seeds of a staging folder, swaps.

An incremental build starts its staging folder from hard links to the files the last
build produced (pages and static files; never files a plugin wrote by itself, which it
writes again) and removes, at the end, the links it did not produce again.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class OutputBusy(Exception):
    """Another build holds the output folder's lock."""


class OutputUnwritable(Exception):
    """The folder that holds the output cannot be written (read-only, no permission)."""


@contextmanager
def output_lock(output: Path) -> Iterator[None]:
    """Hold ``.OUTPUT.lock`` beside the output folder for the whole build: two builds at
    once (a livereload loop and ``invoke build``) would otherwise swap in each other's
    half-staged trees. The second build is refused at once, naming the first."""
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        opened = open(output.parent / f".{output.name}.lock", "a+")
    except OSError as err:
        raise OutputUnwritable(err.strerror) from None
    with opened as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            raise OutputBusy(f"process {lock.read().strip() or 'unknown'}") from None
        lock.truncate(0)
        lock.write(str(os.getpid()))
        lock.flush()
        try:
            yield
        finally:
            lock.truncate(0)


def tree_identity(folder: Path) -> tuple[int, ...] | None:
    """(device, inode, change time) of an output folder: every build renames a new folder
    into place, so a ledger made for one tree is never applied to a tree another build
    wrote (even one that got the same inode back)."""
    try:
        stat = folder.stat()
    except FileNotFoundError:
        return None
    return (stat.st_dev, stat.st_ino, stat.st_ctime_ns)


def link_known(source: Path, target: Path, names: set[str], folders: tuple[str, ...]) -> set[str]:
    """Hard-link the files ``names`` and every file under ``folders`` of ``source`` into
    ``target``; the names linked."""
    linked = set()
    wanted = set(names)
    for folder in folders:
        wanted.update(path.relative_to(source).as_posix()
                      for path in (source / folder).rglob("*") if path.is_file())
    made: set[Path] = set()
    for name in sorted(wanted):
        origin = source / name
        if not origin.is_file():
            continue
        destination = target / name
        if destination.parent not in made:
            destination.parent.mkdir(parents=True, exist_ok=True)
            made.add(destination.parent)
        os.link(origin, destination)
        linked.add(name)
    return linked


def prune(staging: Path, seeded: set[str], produced: set[str]) -> None:
    """Remove the linked files this build did not produce (a deleted post's page, an old tag)."""
    for name in seeded - produced:
        path = staging / name
        if path.is_file():
            path.unlink()
            folder = path.parent
            while folder != staging and not any(folder.iterdir()):
                folder.rmdir()
                folder = folder.parent


def swap_in(new: Path, current: Path, remove: bool = True) -> Path | None:
    """Replace ``current`` by ``new`` in two renames; the old tree is removed last (or
    returned, with ``remove=False``)."""
    previous = current.parent / f".{current.name}.previous-{os.getpid()}-{time.monotonic_ns()}"
    if current.exists():
        current.rename(previous)
    new.rename(current)
    if remove or not previous.exists():
        shutil.rmtree(previous, ignore_errors=True)
        return None
    return previous
