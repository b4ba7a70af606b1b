"""Comparing a fresh result with a recorded one: masks, then exit status and output;
a figure by its digest."""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Sequence

MASKED = "…"


def apply_masks(text: str, masks: Sequence[str], masked: str = MASKED) -> str:
    """Blank out what the masks match (Python regexes, MULTILINE)."""
    for mask in masks:
        text = re.sub(mask, masked, text, flags=re.MULTILINE)
    return text


def differences(recorded_output: str, recorded_exit: int, output: str, exit_status: int,
                masks: Sequence[str], where: str = "", masked: str = MASKED) -> list[str]:
    """Lines saying how a fresh result differs from the recorded one (empty: it matches):
    the exit status, then a unified diff of the masked outputs.  ``where`` names the run in
    the diff's headers (e.g. ``index.md line 42``)."""
    lines = []
    if exit_status != recorded_exit:
        lines.append(f"exit status {exit_status}, recorded {recorded_exit}")
    before, after = apply_masks(recorded_output, masks, masked), apply_masks(output, masks, masked)
    if before != after:
        label = f"{where} " if where else ""
        lines += difflib.unified_diff(before.splitlines(), after.splitlines(),
                                      f"{label}(recorded)", f"{label}(fresh run)", lineterm="")
    return lines


def figure_digest(data: bytes) -> str:
    """What a figure is recorded by (its SHA-256, in hex)."""
    return hashlib.sha256(data).hexdigest()


def figure_differences(name: str, recorded: dict | None, data: bytes | None,
                       varies: bool = False) -> list[str]:
    """Lines saying how a fresh figure differs from its record (empty: it is the same):
    ``recorded`` holds its ``sha256`` and ``bytes``, ``data`` is what the run wrote.  A
    figure that ``varies`` (drawn from measurements) must be written; its bytes may differ."""
    if not name:
        return []
    if recorded is None:
        return [f"figure {name}: no figure was recorded"]
    if data is None:
        return [f"figure {name} was not written (recorded: {recorded['bytes']:,} bytes)"]
    if not varies and figure_digest(data) != recorded["sha256"]:
        return [f"figure {name} changed: {recorded['bytes']:,} bytes recorded, {len(data):,} bytes "
                f"in the fresh run (sha256 {recorded['sha256'][:12]} → {figure_digest(data)[:12]})"]
    return []


def run_differences(recorded_output: str, recorded_exit: int, recorded_figure: dict | None,
                    result, masks: Sequence[str], figure: str = "", figure_varies: bool = False,
                    where: str = "", masked: str = MASKED) -> list[str]:
    """How a fresh RunResult differs from its record (empty: the same): the exit status and
    a unified diff of the masked outputs (:func:`differences`), then the figure."""
    return (differences(recorded_output, recorded_exit, result.output, result.exit_status, masks,
                        where, masked)
            + figure_differences(figure, recorded_figure, result.figure, figure_varies))
