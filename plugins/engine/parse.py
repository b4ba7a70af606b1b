"""Turn a post's Markdown into typed samples and inline values (the one parser).

The build renders from this parse and pytest collects from it, so the two can
never disagree about what a post contains.  A sample is a fenced block whose info
string carries an attribute block, e.g. ``python {file="app.py" region="x"}``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from sandbox.lab import SUITES, Lab

from .blocks import Fence, scan_blocks
from .errors import SampleError, quoted
from .grammar import parse_attributes, parse_size
from .model import SAMPLE_TYPES, Executed, Include, Sample
from .values import ValueRef, parse_value

INFO = re.compile(r"^\s*(?P<lang>[^\s{]*)\s*(?P<block>\{.*)?$")
POST_MASK_KEY = "sample-mask"
POST_LOCK_KEY = "sample-lock"
LAB_KEYS = {"lab-suite", "lab-packages", "lab-python"}
DEBIAN_PACKAGE = re.compile(r"[a-z0-9][a-z0-9+.-]+")
PINNED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9,._-]+\])?==[A-Za-z0-9.+!_-]+")


@dataclass
class PostDocument:
    """Everything sample-related in one post: samples, inline values, post-level masks."""

    source: Path
    path: str  # display path, as errors name the file
    samples: list[Sample] = field(default_factory=list)
    values: list[ValueRef] = field(default_factory=list)
    masks: tuple[str, ...] = ()
    lab: Lab = field(default_factory=Lab)  # the environment its runs execute in

    @property
    def post_dir(self) -> Path:
        return self.source.parent

    @property
    def includes(self) -> list[Include]:
        return [s for s in self.samples if not s.executes]

    def sessions(self) -> dict[str, list[Executed]]:
        """Runs and execs grouped by session, in document order."""
        grouped: dict[str, list[Executed]] = {}
        for sample in self.samples:
            if sample.executes:
                grouped.setdefault(sample.session, []).append(sample)
        return grouped

    def by_value_id(self) -> dict[str, Executed]:
        return {s.value_id: s for s in self.samples if s.executes and s.value_id}


def parse_post(source: Path, text: str, path: str) -> PostDocument:
    """Parse ``text`` (the content of ``source``); raise the first problem, positioned."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    post = PostDocument(source=source, path=path, masks=_post_masks(lines, path),
                        lab=post_lab(lines, path))
    scan = scan_blocks(text)
    for fence in scan.fences:
        sample = _sample(fence, path, post.masks)
        if sample is not None:
            post.samples.append(sample)
    for line in scan.loose_sample_lines:
        raise SampleError(
            "this line looks like a sample fence, but Markdown does not read it as a fenced "
            "code block here", path, line,
            "start the fence on its own line, indented like the text of its list item "
            "(4 spaces), or inside a blockquote; in an HTML comment it is ignored",
        )
    for span in scan.spans:
        value = parse_value(span.content, path, span.line)
        if value is not None:
            post.values.append(value)
    for written in scan.prose_values:  # without backticks: resolved the same way
        post.values.append(parse_value(written.text, path, written.line, in_code=False))
    post.values.sort(key=lambda value: value.line)
    _check_ids(post)
    return post


def _sample(fence: Fence, path: str, post_masks: tuple[str, ...]) -> Sample | None:
    info = INFO.match(fence.info)
    block = info["block"] if info else None
    if block is None or not _is_ours(block):
        return None
    if not block.rstrip().endswith("}"):
        raise SampleError(f"the attribute block {block.strip()!r} is not closed", path, fence.line,
                          "end it with }")
    if not fence.closed:
        raise SampleError(f"the sample fence opened here with {fence.markup} is never closed",
                          path, fence.line, f"add a closing {fence.markup} line at the same indentation")
    attrs = parse_attributes(block.strip()[1:-1], path, fence.line)
    kinds = [k for k in SAMPLE_TYPES if k in attrs]
    if len(kinds) != 1:
        found = " and ".join(f"{k}=" for k in kinds) or "none of them"
        raise SampleError(
            f"a sample fence needs exactly one of file=, run= or exec, found {found}",
            path, fence.line,
            'use {file="x.py"} to include, {run="cmd"} to run, {exec} to execute the body',
        )
    cls = SAMPLE_TYPES[kinds[0]]
    common = dict(lang=info["lang"], body=fence.body, line=fence.line, end_line=fence.end_line,
                  path=path, prefix=fence.prefix, containers=fence.containers)
    if cls.executes:
        typed = _typed(attrs, path, fence.line)
        sample = cls(attrs=typed, masks=tuple(post_masks) + typed["mask"], **common)
    else:
        sample = cls(attrs=attrs, **common)
    sample.validate()
    return sample


def _is_ours(block: str) -> bool:
    """Brace blocks made only of ``.class``/``#id`` belong to Markdown's attr_list."""
    tokens = block.strip().strip("{}").split()
    return not tokens or not all(t[0] in ".#" for t in tokens)


def _check_ids(post: PostDocument) -> None:
    executed = [sample for sample in post.samples if sample.executes]
    _unique(executed, "figure", "figure={name!r} is already made at line {line}",
            "give each figure its own name")
    seen = _unique(executed, "value_id", "id={name!r} is already used at line {line}",
                   "give each run its own id")
    for value in post.values:
        if value.name not in seen:
            raise value.error(f"no run or exec has id={value.name!r}",
                              "ids in this post: " + (", ".join(sorted(seen)) or
                                                      'none; add id="NAME" to the run it quotes'))


def _unique(samples: list[Executed], attribute: str, message: str, hint: str) -> dict[str, Executed]:
    """The samples by their ``attribute`` (``id=``, ``figure=``), which no two may share."""
    seen: dict[str, Executed] = {}
    for sample in samples:
        name = getattr(sample, attribute)
        if name:
            if name in seen:
                raise sample.error(message.format(name=name, line=seen[name].line), hint)
            seen[name] = sample
    return seen


def post_lab(lines: list[str], path: str) -> Lab:
    """The lab a post declares with ``Lab-Suite``, ``Lab-Packages`` and ``Lab-Python``
    (the last two repeatable, names separated by spaces); the base lab when none."""
    suite, packages, requirements = None, [], []
    for number, (key, value) in header_fields(lines):
        if key == POST_LOCK_KEY:
            raise SampleError("Sample-Lock is gone: every session runs in its own lab, which holds "
                              "what the lock protected", path, number, "remove this line")
        if key == "lab-suite":
            if suite is not None:
                raise SampleError("Lab-Suite is given twice", path, number, "keep one Lab-Suite line")
            if value not in SUITES:
                raise SampleError(f"Lab-Suite: {value!r} is not a Debian suite this engine knows",
                                  path, number, "use one of " + ", ".join(SUITES))
            suite = value
        elif key == "lab-packages":
            for name in value.split():
                if not DEBIAN_PACKAGE.fullmatch(name):
                    raise SampleError(f"Lab-Packages: {name!r} is not a Debian package name", path,
                                      number, "separate names with spaces, e.g. Lab-Packages: gdb valgrind")
                packages.append(name)
        elif key == "lab-python":
            for requirement in value.split():
                if not PINNED.fullmatch(requirement):
                    raise SampleError(f"Lab-Python: {requirement!r} is not pinned", path, number,
                                      "pin every requirement to one version, e.g. flask==3.1.2")
                requirements.append(requirement)
    return Lab(suite or Lab.suite, tuple(sorted(set(packages))), tuple(sorted(set(requirements))))


def header_fields(lines: list[str]):
    """(line number, (lowercase key, value)) of the metadata header's lines (up to the
    first blank line): the one reader of the header for the engine and the reader."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            return
        key, sep, value = line.partition(":")
        if sep:
            yield number, (key.strip().lower(), value.strip())


def _post_masks(lines: list[str], path: str) -> tuple[str, ...]:
    masks = []
    for number, (key, value) in header_fields(lines):
        if key == POST_MASK_KEY:
            _compile_mask(value, path, number)
            masks.append(value)
    return tuple(masks)


def _typed(attrs: dict, path: str, line: int) -> dict:
    typed = dict(attrs)
    if "exit" in typed:
        if not re.fullmatch(r"\d{1,3}", str(typed["exit"])) or int(typed["exit"]) > 255:
            raise SampleError(f"exit={typed['exit']!r} is not an exit status", path, line,
                              "use a number from 0 to 255")
        typed["exit"] = int(typed["exit"])
    if "timeout" in typed:
        try:
            typed["timeout"] = float(typed["timeout"])
        except (TypeError, ValueError):
            typed["timeout"] = -1.0
        if not 0 < typed["timeout"] <= 3600:
            raise SampleError(f"timeout={attrs['timeout']!r} is not a duration", path, line,
                              "give seconds, more than 0 and at most 3600")
    if "pids" in typed:
        if not re.fullmatch(r"\d{1,7}", str(typed["pids"])) or not 8 <= int(typed["pids"]) <= 1_000_000:
            raise SampleError(f"pids={typed['pids']!r} is not a process count", path, line,
                              "give a number of processes from 8 to 1000000")
        typed["pids"] = int(typed["pids"])
    if "memory" in typed:
        size = parse_size(str(typed["memory"]))
        if size is None or not 16 * 1024**2 <= size <= 64 * 1024**3:
            raise SampleError(f"memory={typed['memory']!r} is not a memory size", path, line,
                              'give a size from 16M to 64G, e.g. memory="512M"')
        typed["memory"] = size
    if "needs" in typed:
        typed["needs"] = tuple(n for n in re.split(r"[\s,]+", str(typed["needs"])) if n)
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
        raise SampleError(f"mask {quoted(pattern)} is not a valid regular expression: {err}",
                          path, line, "check the brackets and escapes") from None
