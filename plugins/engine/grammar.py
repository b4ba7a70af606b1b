"""The small grammars of a sample fence, as pure functions on strings.

- the attribute block: ``key="value" key='value' key=bare flag``;
- line lists, shared by ``lines=`` (file lines) and ``hl=`` (shown lines):
  ``3-7,10,12-`` or ``2 4-5``; commas and spaces both separate, ``N-`` runs to
  the end and ``-N`` starts at line 1;
- output picks (``output=`` on a run or exec): line lists without ``-N``, plus
  ``head:N``, ``tail:N`` and ``/REGEX/`` with ``±N``, ``-N``, ``+N`` or ``-N+M``
  lines around each match.

Every problem is a SampleError positioned at the fence's line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NoReturn

from .errors import SampleError, quoted

ATTRIBUTE = re.compile(
    r"""\s*(?P<key>[A-Za-z_][\w-]*)(?:=(?:"(?P<dq>(?:[^"\\]|\\.)*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"']+)))?"""
)
FLAG_KEYS = ("linenos", "exec", "hidden", "output-only", "figure-varies")
REPEATABLE_KEYS = ("mask",)
LINE_RANGE = re.compile(r"(?P<first>\d+)?(?P<dash>-)?(?P<last>\d+)?")


def parse_attributes(text: str, path: str, line: int) -> dict:
    """The attribute block's pairs; flags map to True, repeatable keys to lists."""
    attrs: dict = {}
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = ATTRIBUTE.match(text, position)
        if not match or match.end() == position:
            raise SampleError(
                f"cannot read the attributes from {text[position:].strip()!r}",
                path, line, 'write key="value" pairs separated by spaces',
            )
        key = match["key"]
        value = next((v for v in (match["dq"], match["sq"], match["bare"]) if v is not None), None)
        if match["dq"] is not None:
            value = re.sub(r'\\([\\"])', r"\1", value)  # only \" and \\; regexes keep \d
        if value is None and key not in FLAG_KEYS:
            raise SampleError(f"attribute {key!r} needs a value", path, line, f'write {key}="..."')
        if value is not None and key in FLAG_KEYS:
            raise SampleError(f"attribute {key!r} is a flag and takes no value", path, line,
                              f"write just {key}")
        if key in REPEATABLE_KEYS:
            attrs.setdefault(key, []).append(value)
        elif key in attrs:
            raise SampleError(f"attribute {key!r} is given twice", path, line, "keep one")
        else:
            attrs[key] = True if value is None else value
        position = match.end()
    return attrs


def parse_line_list(spec: str, total: int, attribute: str, unit: str,
                    path: str, line: int) -> list[int]:
    """1-based line numbers named by ``spec``, ascending and each once, within 1..total.

    A list that goes back or repeats a line is refused: the page would show the jump
    without a mark.  ``attribute`` and ``unit`` only word the errors ("lines", "app.py").
    """
    written = f"{attribute}={quoted(spec)}"
    example = f'write numbers and ranges like {attribute}="3-7,10,12-"'
    spaced = re.search(r"\d\s+-|-\s+\d", spec)
    if spaced:
        raise SampleError(f"{written} has a space between a number and a dash at "
                          f"{quoted(spaced[0])}", path, line,
                          "write a range without spaces (5-12), and separate items with commas")
    parts = [part for part in re.split(r"[\s,]+", spec.strip()) if part]
    if not parts:
        raise SampleError(f"{written} names no line", path, line, example)
    numbers: list[int] = []
    has = f"{unit} has {total} line{'s' if total != 1 else ''}"
    for part in parts:
        match = LINE_RANGE.fullmatch(part)
        if not match or not (match["first"] or match["last"]) or \
                (match["last"] and not match["dash"]):
            raise SampleError(f"{written} cannot be read at {quoted(part)}", path, line, example)
        first = int(match["first"]) if match["first"] else 1
        last = int(match["last"]) if match["last"] else (total if match["dash"] else first)
        if first < 1 or (match["last"] and int(match["last"]) < 1):
            raise SampleError(f"{written}: lines are numbered from 1, and {quoted(part)} names "
                              "line 0", path, line, "the first line is 1")
        if match["first"] and match["dash"] and not match["last"] and first > total:
            raise SampleError(f"{written}: {quoted(part)} starts past the end ({has})", path, line,
                              f"start at a line from 1 to {total}" if total else
                              "there is nothing to select")
        if last < first:
            raise SampleError(f"{written}: {quoted(part)} ends before it starts", path, line,
                              f"write the lower number first: {last}-{first}")
        if last > total:
            raise SampleError(f"{written} names line {last} but {has}", path, line,
                              f"use numbers from 1 to {total}" if total else
                              "there is nothing to select")
        if numbers and first <= numbers[-1]:
            raise SampleError(
                f"{written}: {quoted(part)} goes back to line {first}, after line {numbers[-1]}",
                path, line, "list lines in ascending order, each once (the page would show "
                "the jump without a mark); use two includes to show parts in another order")
        numbers.extend(range(first, last + 1))
    return numbers


SIZE_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}


def parse_size(text: str) -> int | None:
    """Bytes in ``512M``, ``2G``, ``65536`` (binary units), or None if unreadable."""
    match = re.fullmatch(r"\s*(\d+)\s*([KMG]?)i?B?\s*", text, re.IGNORECASE)
    return int(match[1]) * SIZE_UNITS[match[2].upper()] if match else None


@dataclass(frozen=True)
class OutputPick:
    """One item of ``output=``: lines by number, the first or last N, or the lines
    around each match of a pattern (``before``/``after`` lines of context)."""

    kind: str  # "lines", "head", "tail" or "match"
    text: str  # as written, for messages
    first: int = 0  # lines: 1-based, inclusive; 0 for last means "to the end"
    last: int = 0
    count: int = 0  # head, tail
    pattern: str = ""  # match
    before: int = 0
    after: int = 0


OUTPUT_HINT = ('write line numbers and ranges (3-7, 12-), head:N, tail:N or /REGEX/ with '
               '±N lines around each match, separated by commas, e.g. output="head:3, /error/±1, tail:2"')
OUTPUT_ITEM = re.compile(
    r"(?P<range>(?P<first>\d+)(?P<dash>-)?(?P<last>\d+)?)"
    r"|(?P<end>head|tail):(?P<count>\d+)"
    r"|/(?P<pattern>(?:[^/\\]|\\.)*)/(?:±(?P<around>\d+)|\+-(?P<around2>\d+)"
    r"|(?:-(?P<before>\d+))?(?:\+(?P<after>\d+))?)"
)


def parse_output_picks(spec: str, path: str, line: int) -> tuple[OutputPick, ...]:
    """The items of an ``output=`` value, checked for syntax only (the output they pick
    from is known later): a positioned SampleError for anything unreadable or ambiguous."""
    picks: list[OutputPick] = []
    position = 0
    while True:
        position = _skip_separators(spec, position)
        if position >= len(spec):
            break
        match = OUTPUT_ITEM.match(spec, position)
        end = match.end() if match else position
        if match is None or (end < len(spec) and spec[end] not in " \t,"):
            _refuse(spec, spec[position:].split(",")[0].strip(), path, line)
        picks.append(_output_pick(match, spec, path, line))
        position = end
    if not picks:
        raise SampleError(f"output={quoted(spec)} names no line", path, line, OUTPUT_HINT)
    return tuple(picks)


def _skip_separators(spec: str, position: int) -> int:
    while position < len(spec) and spec[position] in " \t,":
        position += 1
    return position


def _refuse(spec: str, item: str, path: str, line: int) -> NoReturn:
    """Raise the error for an item that is not one of output='s forms."""
    ambiguous = re.fullmatch(r"-(\d+)", item)
    if ambiguous:
        count = ambiguous[1]
        raise SampleError(f"output={quoted(spec)} is ambiguous at {quoted(item)}: in lines= it means lines "
                          f"1-{count}, but it reads like the last {count}", path, line,
                          f"write head:{count} for the first {count} lines or tail:{count} for "
                          f"the last {count}")
    if item.startswith("/") and not re.match(r"/(?:[^/\\]|\\.)*/", item):
        raise SampleError(f"output={quoted(spec)}: the pattern {quoted(item)} is not closed", path, line,
                          "end it with /, and write a / inside it as \\/")
    raise SampleError(f"output={quoted(spec)} cannot be read at {quoted(item)}", path, line, OUTPUT_HINT)


def _output_pick(match: re.Match, spec: str, path: str, line: int) -> OutputPick:
    text = match[0]
    if match["range"]:
        first = int(match["first"])
        last = int(match["last"]) if match["last"] else (0 if match["dash"] else first)
        if first < 1:
            raise SampleError(f"output={quoted(spec)}: lines are numbered from 1, and "
                              f"{quoted(text)} names line 0", path, line, "the first line is 1")
        if last and last < first:
            raise SampleError(f"output={quoted(spec)}: {quoted(text)} ends before it starts", path,
                              line, f"write the lower number first: {last}-{first}")
        return OutputPick("lines", text, first=first, last=last)
    if match["end"]:
        count = int(match["count"])
        if count < 1:
            raise SampleError(f"output={quoted(spec)}: {text} shows no line", path, line,
                              "give a count from 1")
        return OutputPick(match["end"], text, count=count)
    pattern = re.sub(r"\\/", "/", match["pattern"])
    try:
        re.compile(pattern)
    except re.error as err:
        raise SampleError(f"output={quoted(spec)}: /{match['pattern']}/ is not a valid regular "
                          f"expression: {err}", path, line, "check the brackets and escapes") from None
    if not pattern:
        raise SampleError(f"output={quoted(spec)}: the pattern // is empty", path, line,
                          "write what the lines to show contain, e.g. /error/")
    around = match["around"] or match["around2"]
    before = int(around or match["before"] or 0)
    after = int(around or match["after"] or 0)
    return OutputPick("match", text, pattern=pattern, before=before, after=after)
