"""One line at the end of a post: when its commands last ran, and with what.

Read from the records the page shows, never from the machine that builds: "Ran on
2026-12-01 in Debian 13.8 (trixie): Python 3.13.5, gdb 16.3, valgrind 3.24.0."  Per-run provenance (each
record's date, Python and tool versions) stays in the store and the reproduce
manifest.  What the line names comes from the functions in ``USED``, one per thing
a record tells: a field records gain (the environment's suite, its packages) is one
more function there.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .store import FrozenRun

PYTHON_COMMAND = re.compile(r"(?:^|[\s;&|(/])python3?(?:\.\d+)?(?:\s|$)|\.py\b")
UPSTREAM_VERSION = re.compile(r"^(?:\d+:)?(?P<version>\d[\w.]*)")  # 1:3.19.0-1 -> 3.19.0
ANY_VERSION = re.compile(r"\d+(?:\.\d+)+\w*")


@dataclass(frozen=True)
class Colophon:
    """When the post's runs last ran, where (empty until records say), and with what."""

    date: str
    used: tuple[str, ...]  # "Python 3.11.2", "gdb 13.1", in the order shown
    place: str = ""  # the lab they ran in, e.g. "Debian 13.8 (trixie)"

    @property
    def text(self) -> str:
        where = f" in {self.place}" if self.place else ""
        used = f": {', '.join(self.used)}" if self.used else ""
        return f"Ran on {self.date}{where}{used}."


def colophon(records: list[FrozenRun]) -> Colophon | None:
    """The colophon of a post whose page shows ``records`` (None: it has no runs)."""
    if not records:
        return None
    used: list[str] = []
    for describe in USED:
        used.extend(name for name in describe(records) if name not in used)
    return Colophon(max(record.verified for record in records), tuple(used), place_of(records))


def place_of(records: Iterable[FrozenRun]) -> str:
    """The labs the runs ran in, by Debian point release and suite."""
    places = sorted({f"Debian {record.lab.get('debian') or record.lab['suite']} ({record.lab['suite']})"
                     for record in records if record.lab})
    return " and ".join(places)


def python_used(records: Iterable[FrozenRun]) -> list[str]:
    """The Python of the runs that used it: a Python block, a command calling ``python``
    or a ``.py`` file, or a run that imported a pinned distribution."""
    versions = sorted({record.python for record in records if record.command == "python block"
                       or PYTHON_COMMAND.search(record.command) or record.deps})
    return [f"Python {version}" for version in versions]


def tools_used(records: Iterable[FrozenRun]) -> list[str]:
    """The Debian packages of the tools the runs needed (``needs=``), by upstream version:
    ``gdb 13.1-3`` shows as ``gdb 13.1``; a tool dpkg does not know, as it reported or
    as pinned (gunicorn from the venv, or from the lab's ``Lab-Python:`` requirements)."""
    records = list(records)
    pinned = {name: version for record in records for name, version in (record.deps or {}).items()}
    for record in records:
        for requirement in (record.lab or {}).get("requirements", ()):
            name, _, version = requirement.partition("==")
            pinned.setdefault(name.strip().lower(), version.strip() or None)
    found = set()
    for record in records:
        for tool, version in record.tools.items():
            package, _, debian = version.partition(" ")
            upstream = UPSTREAM_VERSION.match(debian) if debian and " " not in debian else None
            if upstream is not None:
                found.add(f"{package} {upstream['version']}")
            else:
                reported = ANY_VERSION.search(version)
                version = reported[0] if reported else pinned.get(tool.lower())
                found.add(f"{tool} {version}" if version else tool)
    return sorted(found)


USED: tuple[Callable[[list[FrozenRun]], list[str]], ...] = (python_used, tools_used)
