"""What a post's reproduce archive says: its lab, its sessions and runs, and the tools.

Everything here comes from the engine's own plan and records (the parse the build
renders from, the records the page shows), never from a second reading of the post.
The manifest is plain JSON so that ``verify.py`` needs nothing but the standard library.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from engine.execute import run_spec
from engine.parse import PostDocument
from engine.store import FrozenRun
from sandbox import Settings
from sandbox.lab import Lab

FORMAT = 3
# Words of a command line that can start a program (after `&&`, `|`, `$(`, ...).
COMMAND_WORD = re.compile(r"[A-Za-z0-9_.+-]+")


@dataclass(frozen=True)
class Manifest:
    """The archive's description of one post: ``data`` goes to manifest.json."""

    data: dict
    requirements: dict[str, str]  # distribution -> pinned version (the lab's Lab-Python)
    tools: dict[str, str | None]  # executable -> Debian package (None: not listed)

    @property
    def run_count(self) -> int:
        return sum(len(session["runs"]) for session in self.data["sessions"])

    @property
    def debian_packages(self) -> tuple[str, ...]:
        """What this machine needs to replay with --host: the lab's declared packages and
        those of the tools the runs need."""
        return tuple(sorted({*self.data["lab"]["packages"],
                             *(package for package in self.tools.values() if package)}))

    @property
    def lab_release(self) -> str:
        return Lab.from_dict(self.data["lab"]).release

    @property
    def lab_packages(self) -> list[str]:
        """The Debian packages the post declares (the base lab's come with every lab)."""
        return list(self.data["lab"]["packages"])

    @property
    def download_size(self) -> str:
        size = self.data.get("lab_download_bytes") or 0
        return f"about {size / 1024**2:.0f} MiB" if size else ""

    @property
    def python(self) -> str:
        """The Python version(s) the runs were recorded with, e.g. ``3.11.2``."""
        return ", ".join(self.data["python"])

    def requirements_text(self) -> str:
        lines = ["# The Python requirements of this post's lab (its Lab-Python line). verify.py",
                 "# installs them in the lab; `python3 verify.py --host --venv` on this machine."]
        lines += [f"{name}=={version}" for name, version in self.requirements.items()]
        return "\n".join(lines) + "\n"

    def debian_text(self) -> str:
        """debian-packages.txt: the lab's packages, and the line that installs them here."""
        lab = self.data["lab"]
        lines = [f"# The runs of this post execute in its lab, Debian {lab['suite']} with the packages",
                 "# below (verify.py builds it). To replay on this machine instead",
                 "# (python3 verify.py --host), install them; each line is: package: tools the runs need"]
        if self.debian_packages:
            lines.append("#   sudo apt-get install " + " ".join(self.debian_packages))
        else:  # an empty `apt-get install` line would fail, or install nothing while seeming to
            lines.append("# None: the lab declares no package and the runs need no tool of one.")
        for package in self.debian_packages:
            tools = sorted(tool for tool, owner in self.tools.items() if owner == package)
            lines.append(f"{package}: {' '.join(tools)}".rstrip())
        lines += [f"# {tool}: the lab does not say which package provides it"
                  for tool, package in sorted(self.tools.items()) if package is None]
        return "\n".join(lines) + "\n"


def build_manifest(post: PostDocument, records: dict[int, FrozenRun], slug: str, title: str,
                   settings: Settings, download_bytes: int = 0) -> Manifest | None:
    """The manifest of ``post`` from the records its page shows (by opening line); None
    when it has no runs or one of them has no record (the build reported that)."""
    sessions, tools, pythons = [], {}, set()
    for name, samples in post.sessions().items():
        if any(sample.line not in records for sample in samples):
            return None
        runs = []
        for sample in samples:
            record = records[sample.line]
            runs.append(_run(sample, record))
            for tool in sample.needs:  # its package in the lab, as the record names it
                package = record.tools.get(tool, "unknown").split(" ")[0]
                tools[tool] = None if package == "unknown" else package
            pythons.add(record.python)
        sessions.append({"name": name, "runs": runs})
    if not sessions:
        return None
    requirements = dict(requirement.split("==", 1) for requirement in post.lab.requirements)
    data = {
        "format": FORMAT,
        "post": slug,
        "title": title,
        "python": sorted(pythons),
        "settings": settings.as_dict(),  # the limits and placeholders of every session
        "lab": {**post.lab.as_dict(), "digest": post.lab.digest},
        "lab_download_bytes": download_bytes,
        "requirements": requirements,
        "tools": dict(sorted(tools.items())),
        "sessions": sessions,
    }
    return Manifest(data, requirements, dict(sorted(tools.items())))


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
