"""Figures in prose bound to recorded output: inline values.

In prose, ``{=NAME /REGEX/}`` (in a code span or not) stands for text of the output of
the run or exec carrying ``id="NAME"``: what REGEX's first group matched, or the
whole line holding the match when REGEX has no group.  Exactly one match is
required; ``{=NAME /REGEX/ all}`` accepts several and joins them with ", ".  In prose
``\\{=`` is a literal ``{=``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import SampleError, quoted

VALUE_SPAN = re.compile(
    r"\{=(?P<name>[^\s/}]*)\s*(?:/(?P<pattern>(?:[^/\\]|\\.)*)/(?P<flags>[^}]*))?\}"
)
FLAGS = ("all",)
SYNTAX_HINT = "write `{=NAME /REGEX/}` or `{=NAME /REGEX/ all}`, with NAME the id= of a run"
PROSE_HINT = "; for a literal {= in prose, write \\{="


@dataclass(frozen=True)
class ValueRef:
    """One inline value in prose."""

    name: str
    pattern: str
    all: bool
    line: int
    path: str
    span: str  # the code span's text, as written (or the value's text in prose)
    in_code: bool = True  # written as a code span; False: in prose, without backticks

    def error(self, message: str, hint: str = "") -> SampleError:
        return SampleError(message, self.path, self.line, hint)

    def compiled(self) -> re.Pattern:
        try:
            return re.compile(self.pattern, re.MULTILINE)
        except re.error as err:
            raise self.error(f"the pattern of value {quoted(self.span)} is not a valid regular "
                             f"expression: {err}", "check the brackets and escapes") from None


def parse_value(span: str, path: str, line: int, in_code: bool = True) -> ValueRef | None:
    """The value a code span (or, ``in_code`` False, prose) asks for, None for ordinary
    code, or a positioned error."""
    if not span.startswith("{="):
        return None
    hint = SYNTAX_HINT if in_code else SYNTAX_HINT + PROSE_HINT
    match = VALUE_SPAN.fullmatch(span.strip())
    if not match or match["pattern"] is None:
        raise SampleError(f"cannot read the inline value {quoted(span)}", path, line, hint)
    if not re.fullmatch(r"[A-Za-z][\w-]*", match["name"]):
        raise SampleError(f"{match['name']!r} in {quoted(span)} is not a run's id", path, line, hint)
    flags = match["flags"].split()
    unknown = [flag for flag in flags if flag not in FLAGS]
    if unknown:
        raise SampleError(f"unknown flag {unknown[0]!r} in {quoted(span)}", path, line,
                          "the only flag is all, for several matches")
    pattern = match["pattern"].replace("\\/", "/")
    value = ValueRef(match["name"], pattern, "all" in flags, line, path, span, in_code)
    value.compiled()
    return value


def resolve_value(value: ValueRef, output: str) -> str:
    """The text ``value`` stands for in ``output``; a positioned error if it does not match
    exactly once (or at all, with ``all``)."""
    pattern = value.compiled()
    matches = list(pattern.finditer(output))
    if not matches:
        tail = "\n".join(output.rstrip("\n").split("\n")[-3:])
        raise value.error(f"value {quoted(value.span)}: /{value.pattern}/ matches nothing in the output "
                          f"of {value.name!r}", f"its output ends with:\n{tail}")
    if len(matches) > 1 and not value.all:
        lines = sorted({output.count("\n", 0, m.start()) + 1 for m in matches})
        raise value.error(f"value {quoted(value.span)}: /{value.pattern}/ matches {len(matches)} times in "
                          f"the output of {value.name!r} (output lines {', '.join(map(str, lines[:5]))})",
                          "make the pattern match once, or add all to show every match")
    return ", ".join(_text(match, output) for match in matches)


def _text(match: re.Match, output: str) -> str:
    if match.re.groups:
        return match.group(1) or ""
    start = output.rfind("\n", 0, match.start()) + 1
    end = output.find("\n", match.end())
    return output[start: end if end >= 0 else len(output)]


def touched_by_masks(value: ValueRef, output: str, masks: tuple[str, ...]) -> bool:
    """True when a mask covers part of what ``value`` quotes (it is then compared as masked:
    it must still be found, but may differ)."""
    spans = [match.span(1 if match.re.groups else 0) for match in value.compiled().finditer(output)]
    masked = [match.span() for mask in masks for match in re.finditer(mask, output, re.MULTILINE)]
    return any(start < end_mask and start_mask < end
               for start, end in spans for start_mask, end_mask in masked)
