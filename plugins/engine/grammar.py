"""The small grammars of a sample fence, as pure functions on strings.

- the attribute block: ``key="value" key='value' key=bare flag``;
- line lists, shared by ``lines=`` (file lines) and ``hl=`` (shown lines):
  ``3-7,10,12-`` or ``2 4-5``; commas and spaces both separate, ``N-`` runs to
  the end and ``-N`` starts at line 1.

Every problem is a SampleError positioned at the fence's line.
"""

from __future__ import annotations

import re

from .errors import SampleError

ATTRIBUTE = re.compile(
    r"""\s*(?P<key>[A-Za-z_][\w-]*)(?:=(?:"(?P<dq>(?:[^"\\]|\\.)*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"']+)))?"""
)
FLAG_KEYS = ("linenos", "exec")
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
    """1-based line numbers named by ``spec``, in the order given, each within 1..total.

    ``attribute`` and ``unit`` only word the errors ("lines", "app.py has 12 lines").
    """
    parts = [part for part in re.split(r"[\s,]+", spec.strip()) if part]
    if not parts:
        raise SampleError(f"{attribute}={spec!r} names no line", path, line,
                          f'write numbers and ranges like {attribute}="3-7,10,12-"')
    numbers: list[int] = []
    for part in parts:
        match = LINE_RANGE.fullmatch(part)
        if not match or not (match["first"] or match["last"]) or \
                (match["last"] and not match["dash"]):
            raise SampleError(f"{attribute}={spec!r} cannot be read at {part!r}", path, line,
                              f'write numbers and ranges like {attribute}="3-7,10,12-"')
        first = int(match["first"]) if match["first"] else 1
        last = int(match["last"]) if match["last"] else (total if match["dash"] else first)
        if first < 1 or last < first:
            raise SampleError(f"{attribute}={spec!r} has an empty range {part!r}", path, line,
                              "ranges are 1-based and ascending")
        if last > total or first > total:
            raise SampleError(
                f"{attribute}={spec!r} names line {max(first, last)} but {unit} "
                f"has {total} line{'s' if total != 1 else ''}",
                path, line, f"use numbers from 1 to {total}" if total else "there is nothing to select",
            )
        numbers.extend(range(first, last + 1))
    return numbers


SIZE_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}


def parse_size(text: str) -> int | None:
    """Bytes in ``512M``, ``2G``, ``65536`` (binary units), or None if unreadable."""
    match = re.fullmatch(r"\s*(\d+)\s*([KMG]?)i?B?\s*", text, re.IGNORECASE)
    return int(match[1]) * SIZE_UNITS[match[2].upper()] if match else None
