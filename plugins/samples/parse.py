"""Turn a post's Markdown into sample directives (the one parser of the project).

The build renders from these directives and pytest collects from them, so the two
can never disagree about what a post contains.  A directive is a fenced block whose
info string carries an attribute block, e.g. ``python {file="app.py" region="x"}``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import SampleError

FENCE_OPEN = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
INFO = re.compile(r"^\s*(?P<lang>[^\s{]*)\s*(?:\{(?P<attrs>.*)\})?\s*$")
ATTRIBUTE = re.compile(
    r"""\s*(?P<key>[A-Za-z_][\w-]*)(?:=(?:"(?P<dq>(?:[^"\\]|\\.)*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"']+)))?"""
)
POST_MASK_KEY = "sample-mask"

INCLUDE_KEYS = ("file", "region", "lines", "pyobject", "hl", "linenos", "title")
RUN_KEYS = ("run", "exit", "timeout", "session", "needs", "mask")
EXEC_KEYS = ("exec", "exit", "timeout", "session", "needs", "mask")
FLAG_KEYS = ("linenos", "exec")
REPEATABLE_KEYS = ("mask",)
EXEC_LANGUAGES = ("python", "sh", "bash")
DEFAULT_TIMEOUT = 60.0
DEFAULT_SESSION = "main"


@dataclass(frozen=True)
class Directive:
    """One include, run or exec block of a post."""

    kind: str  # "include", "run" or "exec"
    lang: str
    attrs: dict
    body: str
    line: int  # 1-based line of the opening fence
    end_line: int  # 1-based line of the closing fence
    path: str  # display path of the Markdown file
    masks: tuple[str, ...] = ()

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"

    def error(self, message: str, hint: str = "") -> SampleError:
        return SampleError(message, self.path, self.line, hint)

    @property
    def session(self) -> str:
        return self.attrs.get("session", DEFAULT_SESSION)

    @property
    def expected_exit(self) -> int:
        return self.attrs.get("exit", 0)

    @property
    def timeout(self) -> float:
        return self.attrs.get("timeout", DEFAULT_TIMEOUT)

    @property
    def needs(self) -> tuple[str, ...]:
        return self.attrs.get("needs", ())

    @property
    def command(self) -> str:
        """What the reader sees after the prompt (runs) or the block's language (exec)."""
        return self.attrs["run"] if self.kind == "run" else self.lang


@dataclass
class PostSamples:
    """All directives of one post, plus the post-level masks."""

    source: Path
    path: str
    directives: list[Directive] = field(default_factory=list)
    masks: tuple[str, ...] = ()

    @property
    def post_dir(self) -> Path:
        return self.source.parent

    def sessions(self) -> dict[str, list[Directive]]:
        """Runs and execs grouped by session, in document order."""
        grouped: dict[str, list[Directive]] = {}
        for directive in self.directives:
            if directive.kind != "include":
                grouped.setdefault(directive.session, []).append(directive)
        return grouped


def parse_post(source: Path, text: str, path: str) -> PostSamples:
    """Parse ``text`` (the content of ``source``) into its directives.

    Raises SampleError for the first malformed directive, positioned at its line.
    """
    lines = text.splitlines()
    post = PostSamples(source=source, path=path, masks=_post_masks(lines, path))
    index = 0
    while index < len(lines):
        opened = FENCE_OPEN.match(lines[index])
        if not opened or (opened["fence"][0] == "`" and "`" in opened["info"]):
            index += 1
            continue
        close = _find_close(lines, index, opened["fence"])
        info = INFO.match(opened["info"])
        attrs_text = info["attrs"] if info else None
        if close is None:
            if _is_ours(attrs_text):
                raise SampleError(
                    f"the fence opened here with {opened['fence']} is never closed",
                    path, index + 1, f"add a closing {opened['fence']} line",
                )
            break
        if _is_ours(attrs_text):
            body = "\n".join(lines[index + 1 : close])
            post.directives.append(
                _directive(info["lang"], attrs_text, body, index + 1, close + 1, path, post.masks)
            )
        index = close + 1
    return post


def _post_masks(lines: list[str], path: str) -> tuple[str, ...]:
    masks = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            break
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() == POST_MASK_KEY:
            _compile_mask(value.strip(), path, number)
            masks.append(value.strip())
    return tuple(masks)


def _find_close(lines: list[str], start: int, fence: str) -> int | None:
    closing = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*$")
    for index in range(start + 1, len(lines)):
        if closing.match(lines[index]):
            return index
    return None


def _is_ours(attrs_text: str | None) -> bool:
    """Brace blocks made only of ``.class``/``#id`` belong to Markdown's attr_list."""
    if attrs_text is None:
        return False
    tokens = attrs_text.split()
    return not tokens or not all(t[0] in ".#" for t in tokens)


def _directive(lang, attrs_text, body, line, end_line, path, post_masks) -> Directive:
    attrs = _parse_attributes(attrs_text, path, line)
    kinds = [k for k in ("file", "run", "exec") if k in attrs]
    if len(kinds) != 1:
        found = " and ".join(f"{k}=" for k in kinds) or "none of them"
        raise SampleError(
            f"a sample fence needs exactly one of file=, run= or exec, found {found}",
            path, line,
            'use {file="x.py"} to include, {run="cmd"} to run, {exec} to execute the body',
        )
    kind = {"file": "include", "run": "run", "exec": "exec"}[kinds[0]]
    allowed = {"include": INCLUDE_KEYS, "run": RUN_KEYS, "exec": EXEC_KEYS}[kind]
    for key in attrs:
        if key not in allowed:
            raise SampleError(
                f"unknown attribute {key!r} for {'an' if kind != 'run' else 'a'} {kind}",
                path, line, "known attributes: " + ", ".join(allowed),
            )
    if kind != "exec" and body.strip():
        raise SampleError(
            f"a fence with {kinds[0]}= must have an empty body, this one has "
            f"{len(body.splitlines())} line(s)",
            path, line, "move the text into the file, or use {exec} to execute an inline block",
        )
    if kind == "exec":
        if lang not in EXEC_LANGUAGES:
            raise SampleError(
                f"cannot execute a {lang or 'plain'!s} block",
                path, line, "exec runs " + ", ".join(EXEC_LANGUAGES),
            )
        if not body.strip():
            raise SampleError("an exec block has nothing to execute", path, line,
                              "write the code between the fences")
    if kind == "include":
        selectors = [k for k in ("region", "lines", "pyobject") if k in attrs]
        if len(selectors) > 1:
            raise SampleError(
                "an include takes at most one selector, found " + " and ".join(selectors),
                path, line, "keep one of region=, lines=, pyobject=",
            )
    masks = tuple(post_masks) + tuple(attrs.get("mask", ()))
    return Directive(kind, lang, _typed(attrs, path, line), body, line, end_line, path, masks)


def _parse_attributes(text: str, path: str, line: int) -> dict:
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


def _typed(attrs: dict, path: str, line: int) -> dict:
    typed = dict(attrs)
    if "exit" in typed:
        if not re.fullmatch(r"\d{1,3}", typed["exit"]) or int(typed["exit"]) > 255:
            raise SampleError(f"exit={typed['exit']!r} is not an exit status", path, line,
                              "use a number from 0 to 255")
        typed["exit"] = int(typed["exit"])
    if "timeout" in typed:
        try:
            typed["timeout"] = float(typed["timeout"])
        except ValueError:
            typed["timeout"] = -1.0
        if not 0 < typed["timeout"] <= 3600:
            raise SampleError(f"timeout={attrs['timeout']!r} is not a duration", path, line,
                              "give seconds, more than 0 and at most 3600")
    if "needs" in typed:
        typed["needs"] = tuple(n for n in re.split(r"[\s,]+", typed["needs"]) if n)
    for pattern in typed.get("mask", ()):
        _compile_mask(pattern, path, line)
    typed["mask"] = tuple(typed.get("mask", ()))
    if typed.get("session") == "":
        raise SampleError("session name is empty", path, line, 'name it, e.g. session="server"')
    return typed


def _compile_mask(pattern: str, path: str, line: int) -> None:
    try:
        re.compile(pattern)
    except re.error as err:
        raise SampleError(f"mask {pattern!r} is not a valid regular expression: {err}",
                          path, line, "check the brackets and escapes") from None
