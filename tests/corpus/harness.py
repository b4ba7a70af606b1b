"""What a corpus case is, and the promises checked around every one of them."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from conftest import ROOT, FixtureSite, post
from engine.errors import SampleError, SampleErrors
from engine.pipeline import build_post, write_store
from samples.settings import load_config

APP = """\
import sys

# ANCHOR: main
def main():
    return 1
# ANCHOR_END: main
"""
PREVIOUS_SITE = {"index.html": b"<title>the previous site</title>\n",
                 "posts/old/index.html": b"<p>published before the case</p>\n"}
LEVELS = ("ERROR: ", "WARNING: ", "CHECK: ")


@dataclass
class Outcome:
    """How the case's command ended: success or not, and every message it printed."""

    ok: bool
    messages: list[str]


class CaseSite(FixtureSite):
    """A fixture site with the names a case's expected message may quote (``<root>``, …)."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.names: dict[str, str] = {"root": str(root)}
        self.cleanups: list[Callable[[], object]] = []  # run after the case's checks

    def demo(self, body: str, files: dict | None = None, slug: str = "demo") -> CaseSite:
        """The usual one-post fixture: the body starts at line 5 of index.md."""
        return self.write({f"posts/{slug}/index.md": post("Demo", "2024-01-01", "code", body),
                           f"posts/{slug}/app.py": APP, **(files or {})})

    def built(self, **override) -> Outcome:
        """A real build (Pelican, the samples reader, Pagefind): what the log says."""
        report = self.build(**override)
        return Outcome(report.ok, [strip_level(problem) for problem in report.problems])

    def engine_built(self, **override) -> Outcome:
        """Below the build: the engine's pipeline on every post, as the reader calls it (its
        store written when the post went through), without Pelican.  The messages are the
        ones the build logs (``built`` proves that for one case per category)."""
        config = load_config(ROOT / "pelicanconf.py", {
            "PATH": str(self.content), "SAMPLES_PROJECT_ROOT": str(self.root),
            "SAMPLES_PROGRESS": "off", **override})
        messages: list[str] = []
        for source in config.posts():
            try:
                write_store(build_post(source, config))
            except SampleErrors as err:
                messages.append(str(err))
            except SampleError as err:
                messages.append(str(err))
        return Outcome(not messages, messages)

    def built_showing(self, text: str, page: str = "posts/demo/index.html", **override) -> Outcome:
        """Build; a success whose page shows ``text`` has ``text`` as its message."""
        outcome = self.built(**override)
        if outcome.ok and text in (self.output / page).read_text(encoding="utf-8"):
            outcome.messages.append(text)
        return outcome

    def store(self, slug: str = "demo") -> Path:
        return self.content / f"posts/{slug}/samples.frozen.json"

    def expand(self, text: str) -> str:
        for name, value in self.names.items():
            text = text.replace(f"<{name}>", value)
        return text


@dataclass(frozen=True)
class Case:
    """One bad input: how to set it up, the command that meets it, what it must say."""

    category: str
    name: str
    expected: str  # the exact message (``<root>`` and other names filled in by the case)
    act: Callable[[CaseSite], Outcome]
    arrange: Callable[[CaseSite], object] | None = None
    succeeds: bool = False  # the documented success: exit 0, and ``expected`` is what it shows
    changes_stores: bool = False
    requires: tuple[str, ...] = ()  # "root", "sshd", "hermetic"
    check: Callable[[CaseSite], None] | None = None  # what else must hold afterwards
    keeps_output: bool = True  # False only where another (good) build may replace it meanwhile

    @property
    def id(self) -> str:
        return f"{self.category}: {self.name}"


def strip_level(problem: str) -> str:
    for level in LEVELS:
        if problem.startswith(level):
            return problem[len(level):]
    return problem


def tree(folder: Path) -> dict[str, bytes | str | None]:
    """Every file (its bytes), symlink (its target) and folder (None) under ``folder``."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): _entry(p) for p in sorted(folder.rglob("*"))}


def _entry(path: Path) -> bytes | str | None:
    if path.is_symlink():
        return os.readlink(path)
    return None if path.is_dir() else path.read_bytes()


def stores(site: CaseSite) -> dict[str, bytes]:
    return {str(p.relative_to(site.content)): p.read_bytes()
            for p in sorted(site.content.rglob("*.frozen.json"))} if site.content.exists() else {}


def write_previous_site(output: Path) -> None:
    for relative, data in PREVIOUS_SITE.items():
        (output / relative).parent.mkdir(parents=True, exist_ok=True)
        (output / relative).write_bytes(data)


def processes_under(folder: Path) -> list[str]:
    """Live processes whose working directory, command line or environment names ``folder``
    (sessions live in temporary folders under it: the case points TMPDIR there)."""
    needle = str(folder).encode()
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            state = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()[0]
            if state in ("Z", "X"):
                continue
            cwd = os.readlink(Path(entry.path, "cwd")).encode()
            texts = (cwd, Path(entry.path, "cmdline").read_bytes(),
                     Path(entry.path, "environ").read_bytes())
        except (OSError, IndexError):
            continue
        if any(needle in text for text in texts):
            command = Path(entry.path, "cmdline").read_bytes().replace(b"\0", b" ")
            found.append(f"{entry.name}: {command.decode(errors='replace').strip()}")
    return found


def wait_for_no_processes(folder: Path, patience: float = 10.0) -> list[str]:
    """The processes still there once ``patience`` ran out (killed ones take a moment to go)."""
    deadline = time.monotonic() + patience
    while (left := processes_under(folder)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left
