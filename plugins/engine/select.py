"""Select the lines an include shows, from the text of the file it names, and the lines
of an output a run shows (``output=``).  Pure: the caller reads the file or the record,
so every selector is tested on strings, as mdBook's take_lines."""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass

from .errors import quoted
from .grammar import parse_line_list
from .model import Executed, Include

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


def select_snippet(include: Include, text: str) -> Snippet:
    """Apply the include's selector (region, lines, pyobject or whole file) to ``text``,
    the content of the file it names; every problem is positioned at the fence."""
    relpath = include.relpath
    lines = text.splitlines()
    # A patch quotes lines of other files, markers included: it is shown verbatim.
    verbatim = relpath.endswith(VERBATIM_SUFFIXES)
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


def select_output(sample: Executed, lines: list[str]) -> list[int]:
    """The 1-based numbers of the output ``lines`` that ``output=`` shows, in output
    order; a positioned error when an item names lines the output does not have."""
    spec, total = sample.attrs["output"], len(lines)
    has = f"the output has {total} line{'s' * (total != 1)}"
    chosen: set[int] = set()
    for pick in sample.output_picks or ():
        if pick.kind == "lines":
            last = pick.last or total
            if max(pick.first, last) > total:
                raise sample.error(f"output={quoted(spec)} names line {max(pick.first, last)} but {has}",
                                   f"use numbers from 1 to {total}" if total else
                                   "there is nothing to select: drop output=")
            chosen.update(range(pick.first, last + 1))
        elif pick.kind in ("head", "tail"):
            if pick.count > total:
                raise sample.error(f"output={quoted(spec)}: {pick.text} asks for {pick.count} lines but "
                                   f"{has}", "show fewer, or drop output= to show it whole")
            chosen.update(range(1, pick.count + 1) if pick.kind == "head"
                          else range(total - pick.count + 1, total + 1))
        else:
            found = [n for n, line in enumerate(lines, start=1) if re.search(pick.pattern, line)]
            if not found:
                raise sample.error(f"output={quoted(spec)}: {pick.text} matches no line of the output "
                                   f"({has})", "check the pattern against the recorded output")
            for number in found:
                chosen.update(range(max(1, number - pick.before), min(total, number + pick.after) + 1))
    return sorted(chosen)
