"""What a post's reproduce archive says: its sessions and runs, the pins and the tools.

Everything here comes from the engine's own plan and records (the parse the build
renders from, the records the page shows), never from a second reading of the post.
The manifest is plain JSON so that ``verify.py`` needs nothing but the standard library.
"""

from __future__ import annotations

import importlib.metadata
import re
import shlex
from dataclasses import dataclass
from functools import cache

from engine.debian import debian_listing
from engine.execute import run_spec
from engine.keys import normalize
from engine.parse import PostDocument
from engine.store import FrozenRun
from packaging.requirements import InvalidRequirement, Requirement
from sandbox import Settings

FORMAT = 2
# Words of a command line that can start a program (after `&&`, `|`, `$(`, ...).
COMMAND_WORD = re.compile(r"[A-Za-z0-9_.+-]+")


@dataclass(frozen=True)
class Manifest:
    """The archive's description of one post: ``data`` goes to manifest.json."""

    data: dict
    requirements: dict[str, str]  # distribution -> pinned version, for requirements.txt
    imported: tuple[str, ...]  # the distributions the runs imported (the rest are theirs)
    tools: dict[str, str | None]  # executable -> Debian package (None: not listed)

    @property
    def run_count(self) -> int:
        return sum(len(session["runs"]) for session in self.data["sessions"])

    @property
    def debian_packages(self) -> tuple[str, ...]:
        return tuple(sorted({package for package in self.tools.values() if package}))

    @property
    def python(self) -> str:
        """The Python version(s) the runs were recorded with, e.g. ``3.11.2``."""
        return ", ".join(self.data["python"])

    def requirements_text(self) -> str:
        lines = ["# Pinned distributions the runs of this post imported, and what they require",
                 "# (from the project's lock). `python3 verify.py --venv` installs exactly these."]
        for name, version in self.requirements.items():
            why = "" if name in self.imported else "  # required by the above"
            lines.append(f"{name}=={version}{why}")
        return "\n".join(lines) + "\n"

    def debian_text(self) -> str:
        lines = ["# Debian packages the runs of this post call, as: package: executable ..."]
        if self.debian_packages:
            lines.append("# Install them with: sudo apt-get install " + " ".join(self.debian_packages))
        else:  # an empty `apt-get install` line would fail, or install nothing while seeming to
            lines.append("# None: the runs call no tool a Debian package has to provide.")
        for package in self.debian_packages:
            tools = sorted(tool for tool, owner in self.tools.items() if owner == package)
            lines.append(f"{package}: {' '.join(tools)}")
        lines += [f"# {tool}: no Debian package is listed for it"
                  for tool, package in sorted(self.tools.items()) if package is None]
        return "\n".join(lines) + "\n"


def build_manifest(post: PostDocument, records: dict[int, FrozenRun], slug: str, title: str,
                   listing, pins: dict[str, str], settings: Settings) -> Manifest | None:
    """The manifest of ``post`` from the records its page shows (by opening line); None
    when it has no runs or one of them has no record (the build reported that)."""
    packages_by_tool = {tool: package for package, tools in debian_listing(listing).items()
                        for tool in tools}
    sessions, tools, imported, pythons = [], {}, set(), set()
    whole_lock = False
    for name, samples in post.sessions().items():
        if any(sample.line not in records for sample in samples):
            return None
        runs = []
        for sample in samples:
            record = records[sample.line]
            runs.append(_run(sample, record))
            for tool in (*sample.needs, *_listed_commands(sample, packages_by_tool)):
                tools[tool] = packages_by_tool.get(tool)
            imported |= set(record.deps or ())
            whole_lock |= record.deps is None
            pythons.add(record.python)
        sessions.append({"name": name, "runs": runs})
    if not sessions:
        return None
    requirements = dict(pins) if whole_lock else with_requirements(imported, pins)
    data = {
        "format": FORMAT,
        "post": slug,
        "title": title,
        "python": sorted(pythons),
        "settings": settings.as_dict(),  # the limits and placeholders of every session
        "locks": list(post.locks),  # Sample-Lock: machine-wide locks every session holds
        "requirements": requirements,
        "tools": dict(sorted(tools.items())),
        "sessions": sessions,
    }
    return Manifest(data, requirements, tuple(sorted(imported)), dict(sorted(tools.items())))


def _run(sample, record: FrozenRun) -> dict:
    """A run as the sandbox replays it (its RunSpec), with what it gave when recorded and
    where (its date, Python and tools: the page shows them once per post, this per run)."""
    run = {**run_spec(sample).as_dict(), "describe": sample.command, "output": record.output,
           "verified": record.verified, "python": record.python, "tools": record.tools}
    if record.figure is not None:
        run["recorded_figure"] = record.figure
    if sample.hidden:
        run["hidden"] = True  # replayed and compared like any run; the page does not show it
    return run


def _listed_commands(sample, packages_by_tool: dict[str, str]) -> list[str]:
    """Executables from requirements-debian.txt that a run's command line (or a shell
    block) calls, so a reader learns about ``git`` even where no ``needs=`` names it."""
    if sample.kind == "exec" and sample.lang == "python":
        return []
    text = sample.body if sample.kind == "exec" else sample.command
    try:
        words = shlex.split(text, comments=True)
    except ValueError:
        words = text.split()
    found = []
    for word in words:
        for part in re.split(r"[;&|()$`<>]+", word):
            if COMMAND_WORD.fullmatch(part) and part in packages_by_tool and part not in found:
                found.append(part)
    return found


def with_requirements(names: set[str], pins: dict[str, str]) -> dict[str, str]:
    """``names`` and every distribution they require (as installed here), as pinned in
    the lock: a venv built from these gets the versions the runs were recorded with."""
    wanted, queue = set(), sorted(names)
    while queue:
        name = queue.pop()
        if name in wanted or name not in pins:
            continue
        wanted.add(name)
        queue.extend(_requires(name))
    return {name: pins[name] for name in sorted(wanted)}


@cache
def _requires(name: str) -> tuple[str, ...]:
    """What the installed distribution ``name`` requires (read once per build process)."""
    try:
        declared = importlib.metadata.requires(name) or []
    except importlib.metadata.PackageNotFoundError:
        return ()
    names = []
    for text in declared:
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            continue
        if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
            names.append(normalize(requirement.name))
    return tuple(names)
