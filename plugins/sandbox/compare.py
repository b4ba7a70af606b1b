"""Comparing a fresh result with a recorded one: masks, then exit status and output."""

from __future__ import annotations

import difflib
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
