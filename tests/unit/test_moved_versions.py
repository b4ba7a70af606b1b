"""What a failing replay says moved in its lab since the record (a Debian point release,
a tool's package, Python), so an author knows why an output changed."""

from __future__ import annotations

from types import SimpleNamespace

from engine.store import FrozenRun
from helpers import parse
from pytest_samples import moved_versions


class Lab:
    """The parts of a built lab the message reads."""

    def __init__(self, debian: str, tools: dict[str, str], python: str) -> None:
        self.debian, self.tools, self.python = debian, tools, python

    def debian_version(self) -> str:
        return self.debian

    def tool_versions(self, names) -> dict[str, str]:
        return {name: self.tools[name] for name in names}

    def python_version(self) -> str:
        return self.python


def record(**lab) -> FrozenRun:
    return FrozenRun("k", "main", "gdb --version", "GNU gdb 16.3\n", 0, 0.1, "2026-12-01", "3.13.5",
                     {"gdb": "gdb 16.3-1"}, lab={"suite": "trixie", "debian": "13.8", **lab})


def test_a_point_release_and_a_tool_that_moved_are_named():
    sample = parse('```console {run="gdb --version" needs="gdb"}\n```\n').samples[0]
    session = SimpleNamespace(lab=Lab("13.9", {"gdb": "gdb 16.3-2"}, "3.13.5"))
    assert moved_versions(record(), session, sample) == (
        "\nversions that moved since the record: Debian 13.8 → 13.9, gdb: gdb 16.3-1 → gdb 16.3-2")


def test_nothing_is_said_when_nothing_moved():
    sample = parse('```console {run="gdb --version" needs="gdb"}\n```\n').samples[0]
    session = SimpleNamespace(lab=Lab("13.8", {"gdb": "gdb 16.3-1"}, "3.13.5"))
    assert moved_versions(record(), session, sample) == ""
