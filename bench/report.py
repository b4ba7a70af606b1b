"""The results as Markdown: one table of targets, one of the real site, and the context."""

from __future__ import annotations

import os
import platform
import threading
from dataclasses import dataclass
from importlib.metadata import version


@dataclass
class Row:
    """One measured comparison: ours against a baseline, as a ratio with its target."""

    what: str
    ours: str
    baseline: str
    ratio: float | None
    target: str  # e.g. "≤ 1.10" or "≥ 1.7"

    @property
    def met(self) -> str:
        if self.ratio is None or not self.target:
            return "–"
        bound = float(self.target.split()[-1])
        return "yes" if (self.ratio <= bound if self.target.startswith("≤") else
                         self.ratio >= bound) else "**no**"

    def cells(self) -> list[str]:
        ratio = "–" if self.ratio is None else f"{self.ratio:.2f}"
        return [self.what, self.ours, self.baseline, ratio, self.target or "–", self.met]


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cells) + " |" for cells in rows]
    return "\n".join(lines)


def versions() -> str:
    names = ("pelican", "markdown", "pygments", "jinja2", "pytest", "pytest-xdist")
    return ", ".join([f"Python {platform.python_version()}"] +
                     [f"{name} {version(name)}" for name in names])


def machine(load_before: tuple[float, ...], load_after: tuple[float, ...],
            during: LoadWatch | None = None) -> str:
    text = (f"{os.cpu_count()} cores ({platform.machine()}, {platform.system()} "
            f"{platform.release()}); load average (1 min) {load_before[0]:.2f} at the start, "
            f"{load_after[0]:.2f} at the end")
    return text + (f", {during.summary()} during the run" if during and during.samples else "")


class LoadWatch:
    """The 1-minute load average, sampled every ``interval`` seconds on a daemon thread."""

    def __init__(self, interval: float = 10.0) -> None:
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, args=(interval,), daemon=True)
        self._thread.start()

    def _watch(self, interval: float) -> None:
        while not self._stop.wait(interval):
            self.samples.append(os.getloadavg()[0])

    def stop(self) -> LoadWatch:
        self._stop.set()
        self._thread.join()
        return self

    def summary(self) -> str:
        ordered = sorted(self.samples)
        return (f"median {ordered[len(ordered) // 2]:.2f}, max {ordered[-1]:.2f} "
                f"({len(ordered)} samples)")


def document(title: str, context: list[str], rows: list[Row], real: list[list[str]],
             notes: list[str]) -> str:
    """The whole results file."""
    parts = [f"# {title}", "", *[f"- {line}" for line in context], "",
             table(["measure", "ours", "baseline", "ratio", "target", "met"],
                   [row.cells() for row in rows]), ""]
    if real:
        parts += ["## The real site", "",
                  table(["post", "samples", "frozen render (engine) s", "re-execution (pytest) s",
                         "pytest outcome"], real), ""]
    parts += ["## Notes", "", *[f"- {note}" for note in notes], ""]
    return "\n".join(parts)
