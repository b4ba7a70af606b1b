"""Resolve an include directive to the exact lines a reader is shown."""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

from .parse import Directive

ANCHOR = re.compile(r"\bANCHOR:\s*(?P<name>[\w.-]+)")
ANCHOR_END = re.compile(r"\bANCHOR_END:\s*(?P<name>[\w.-]+)")
VERBATIM_SUFFIXES = (".patch", ".diff")


@dataclass(frozen=True)
class Snippet:
    """What an include shows: the text, and each shown line's number in the file."""

    text: str
    numbers: tuple[int, ...]
    highlight: frozenset[int]  # 1-based positions within the shown text
    relpath: str
    title: str


def resolve_sample_path(directive: Directive, post_dir: Path, relpath: str) -> Path:
    """Return the file ``relpath`` names, refusing anything outside the post's folder."""
    parts = Path(relpath).parts
    if not relpath or Path(relpath).is_absolute() or ".." in parts:
        raise directive.error(
            f"path {relpath!r} leaves the post's folder",
            "paths are relative to the post's folder and may not use '..' or start with '/'",
        )
    candidate = post_dir / relpath
    root = post_dir.resolve()
    resolved = candidate.resolve()
    if root not in resolved.parents and resolved != root:
        raise directive.error(
            f"path {relpath!r} is a symlink that escapes the post's folder (to {resolved})",
            "copy the file into the post's folder instead of linking to it",
        )
    if not resolved.is_file():
        siblings = sorted(p.name for p in candidate.parent.glob("*") if p.is_file()) \
            if candidate.parent.is_dir() else []
        raise directive.error(
            f"file {relpath!r} does not exist",
            "files beside the post: " + (", ".join(siblings) or "none"),
        )
    return resolved


def select_snippet(directive: Directive, post_dir: Path) -> Snippet:
    """Apply the directive's selector (region, lines, pyobject or whole file)."""
    relpath = directive.attrs["file"]
    source = resolve_sample_path(directive, post_dir, relpath)
    try:
        text = source.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise directive.error(f"{relpath} is not UTF-8 text ({err.reason} at byte {err.start})",
                              "only text files can be included") from None
    lines = text.splitlines()
    # A patch quotes lines of other files, markers included: it is shown verbatim.
    verbatim = source.suffix in VERBATIM_SUFFIXES
    if verbatim and "region" in directive.attrs:
        raise directive.error(f"{relpath} is a patch, and regions are not read in patches",
                              'select its lines with lines="..." instead')
    regions = {} if verbatim else find_regions(directive, relpath, lines)
    if "region" in directive.attrs:
        name = directive.attrs["region"]
        if name not in regions:
            raise directive.error(
                f"no region {name!r} in {relpath}",
                "regions in the file: " + (", ".join(sorted(regions)) or "none; mark one with "
                                           "ANCHOR: name / ANCHOR_END: name comments"),
            )
        first, last = regions[name]
        numbers = list(range(first + 1, last))
    elif "lines" in directive.attrs:
        numbers = _line_numbers(directive, directive.attrs["lines"], len(lines), relpath)
    elif "pyobject" in directive.attrs:
        numbers = _pyobject_lines(directive, text, relpath)
    else:
        numbers = list(range(1, len(lines) + 1))
    markers = {n for span in regions.values() for n in span}
    numbers = [n for n in numbers if n not in markers]
    shown = textwrap.dedent("\n".join(lines[n - 1] for n in numbers))
    highlight = _highlight(directive, len(numbers))
    return Snippet(shown, tuple(numbers), highlight, relpath, directive.attrs.get("title", relpath))


def find_regions(directive: Directive, relpath: str, lines: list[str]) -> dict[str, tuple[int, int]]:
    """Map region name to (start marker line, end marker line), both 1-based."""
    opened: dict[str, int] = {}
    regions: dict[str, tuple[int, int]] = {}
    for number, line in enumerate(lines, start=1):
        end = ANCHOR_END.search(line)
        start = None if end else ANCHOR.search(line)
        if start:
            name = start["name"]
            if name in opened or name in regions:
                first = opened.get(name) or regions[name][0]
                raise directive.error(
                    f"region {name!r} is defined twice in {relpath} (lines {first} and {number})",
                    "give each region its own name",
                )
            opened[name] = number
        elif end:
            name = end["name"]
            if name not in opened:
                raise directive.error(
                    f"ANCHOR_END: {name} at {relpath}:{number} has no ANCHOR: {name} before it",
                    "add the opening marker or remove this one",
                )
            regions[name] = (opened.pop(name), number)
    for name, number in opened.items():
        raise directive.error(
            f"region {name!r} in {relpath} is never closed (ANCHOR: {name} at line {number})",
            f"add a line with ANCHOR_END: {name}",
        )
    return regions


def _line_numbers(directive: Directive, spec: str, total: int, relpath: str) -> list[int]:
    numbers: list[int] = []
    for part in spec.split(","):
        match = re.fullmatch(r"\s*(\d+)\s*(?:(-)\s*(\d+)?)?\s*", part)
        if not match:
            raise directive.error(f"lines={spec!r} cannot be read at {part.strip()!r}",
                                  'write 1-based ranges like lines="3-7,10,12-"')
        first = int(match[1])
        last = total if match[2] and not match[3] else int(match[3] or first)
        if first < 1 or last < first:
            raise directive.error(f"lines={spec!r} has an empty range {part.strip()!r}",
                                  "ranges are 1-based and ascending")
        if last > total or first > total:
            raise directive.error(
                f"lines={spec!r} asks for line {max(first, last)} but {relpath} has {total} lines",
                f"use numbers from 1 to {total}",
            )
        numbers.extend(range(first, last + 1))
    return numbers


def _pyobject_lines(directive: Directive, text: str, relpath: str) -> list[int]:
    dotted = directive.attrs["pyobject"]
    try:
        scope: list[ast.stmt] = ast.parse(text).body
    except SyntaxError as err:
        raise directive.error(f"{relpath} is not valid Python (line {err.lineno}: {err.msg})",
                              "pyobject= needs a file that parses") from None
    node = None
    for name in dotted.split("."):
        candidates = {n.name: n for n in scope
                      if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
        node = candidates.get(name)
        if node is None:
            raise directive.error(
                f"no function or class {dotted!r} in {relpath}",
                "defined there: " + (", ".join(sorted(candidates)) or "nothing at that level"),
            )
        scope = node.body
    first = min([node.lineno] + [d.lineno for d in node.decorator_list])
    return list(range(first, node.end_lineno + 1))


def _highlight(directive: Directive, count: int) -> frozenset[int]:
    spec = directive.attrs.get("hl")
    if spec is None:
        return frozenset()
    chosen: set[int] = set()
    for part in re.split(r"[\s,]+", spec.strip()):
        match = re.fullmatch(r"(\d+)(?:-(\d+))?", part)
        if not match:
            raise directive.error(f"hl={spec!r} cannot be read at {part!r}",
                                  'write shown-line numbers like hl="2 4-5"')
        first, last = int(match[1]), int(match[2] or match[1])
        if not 1 <= first <= last <= count:
            raise directive.error(f"hl={spec!r} names line {last} but the snippet shows {count} lines",
                                  f"hl counts the shown lines, from 1 to {count}")
        chosen.update(range(first, last + 1))
    return frozenset(chosen)
