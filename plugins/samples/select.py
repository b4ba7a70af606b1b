"""Resolve an include to the exact lines a reader is shown."""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

from .grammar import parse_line_list
from .samples import Include

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


def resolve_sample_path(include: Include, post_dir: Path, relpath: str) -> Path:
    """Return the file ``relpath`` names, refusing anything outside the post's folder."""
    parts = Path(relpath).parts
    if not relpath or Path(relpath).is_absolute() or ".." in parts:
        raise include.error(
            f"path {relpath!r} leaves the post's folder",
            "paths are relative to the post's folder and may not use '..' or start with '/'",
        )
    candidate = post_dir / relpath
    root = post_dir.resolve()
    resolved = candidate.resolve()
    if root not in resolved.parents and resolved != root:
        raise include.error(
            f"path {relpath!r} is a symlink that escapes the post's folder (to {resolved})",
            "copy the file into the post's folder instead of linking to it",
        )
    if not resolved.is_file():
        siblings = sorted(p.name for p in candidate.parent.glob("*") if p.is_file()) \
            if candidate.parent.is_dir() else []
        raise include.error(
            f"file {relpath!r} does not exist",
            "files beside the post: " + (", ".join(siblings) or "none"),
        )
    return resolved


def select_snippet(include: Include, post_dir: Path) -> Snippet:
    """Apply the include's selector (region, lines, pyobject or whole file)."""
    relpath = include.attrs["file"]
    source = resolve_sample_path(include, post_dir, relpath)
    try:
        text = source.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise include.error(f"{relpath} is not UTF-8 text ({err.reason} at byte {err.start})",
                              "only text files can be included") from None
    lines = text.splitlines()
    # A patch quotes lines of other files, markers included: it is shown verbatim.
    verbatim = source.suffix in VERBATIM_SUFFIXES
    if verbatim and "region" in include.attrs:
        raise include.error(f"{relpath} is a patch, and regions are not read in patches",
                              'select its lines with lines="..." instead')
    regions = {} if verbatim else find_regions(include, relpath, lines)
    if "region" in include.attrs:
        name = include.attrs["region"]
        if name not in regions:
            raise include.error(
                f"no region {name!r} in {relpath}",
                "regions in the file: " + (", ".join(sorted(regions)) or "none; mark one with "
                                           "ANCHOR: name / ANCHOR_END: name comments"),
            )
        first, last = regions[name]
        numbers = list(range(first + 1, last))
    elif "lines" in include.attrs:
        numbers = _line_numbers(include, include.attrs["lines"], len(lines), relpath)
    elif "pyobject" in include.attrs:
        numbers = _pyobject_lines(include, text, relpath)
    else:
        numbers = list(range(1, len(lines) + 1))
    markers = {n for span in regions.values() for n in span}
    numbers = [n for n in numbers if n not in markers]
    shown = textwrap.dedent("\n".join(lines[n - 1] for n in numbers))
    highlight = _highlight(include, len(numbers))
    return Snippet(shown, tuple(numbers), highlight, relpath, include.attrs.get("title", relpath))


def find_regions(include: Include, relpath: str, lines: list[str]) -> dict[str, tuple[int, int]]:
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
                raise include.error(
                    f"region {name!r} is defined twice in {relpath} (lines {first} and {number})",
                    "give each region its own name",
                )
            opened[name] = number
        elif end:
            name = end["name"]
            if name not in opened:
                raise include.error(
                    f"ANCHOR_END: {name} at {relpath}:{number} has no ANCHOR: {name} before it",
                    "add the opening marker or remove this one",
                )
            regions[name] = (opened.pop(name), number)
    for name, number in opened.items():
        raise include.error(
            f"region {name!r} in {relpath} is never closed (ANCHOR: {name} at line {number})",
            f"add a line with ANCHOR_END: {name}",
        )
    return regions


def _line_numbers(include: Include, spec: str, total: int, relpath: str) -> list[int]:
    return parse_line_list(spec, total, "lines", relpath, include.path, include.line)


def _pyobject_lines(include: Include, text: str, relpath: str) -> list[int]:
    dotted = include.attrs["pyobject"]
    try:
        scope: list[ast.stmt] = ast.parse(text).body
    except SyntaxError as err:
        raise include.error(f"{relpath} is not valid Python (line {err.lineno}: {err.msg})",
                              "pyobject= needs a file that parses") from None
    node = None
    for name in dotted.split("."):
        candidates = {n.name: n for n in scope
                      if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
        node = candidates.get(name)
        if node is None:
            raise include.error(
                f"no function or class {dotted!r} in {relpath}",
                "defined there: " + (", ".join(sorted(candidates)) or "nothing at that level"),
            )
        scope = node.body
    first = min([node.lineno] + [d.lineno for d in node.decorator_list])
    return list(range(first, node.end_lineno + 1))


def _highlight(include: Include, count: int) -> frozenset[int]:
    spec = include.attrs.get("hl")
    if spec is None:
        return frozenset()
    return frozenset(parse_line_list(spec, count, "hl", "the snippet", include.path, include.line))
