"""The model: a post's samples as plain data (an include, a run, an exec block).

Each type knows its options, what enters its key and how messages name it; what is
done with a sample lives elsewhere, dispatched on its ``kind``: ``select`` picks an
include's lines, ``render`` draws every kind, ``execute`` turns runs and execs into
the sandbox's RunSpec (as mdBook keeps its link types apart from their rendering).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar

from sandbox.runs import EXEC_LANGUAGES

from .errors import SampleError
from .grammar import OutputPick, parse_output_picks

DEFAULT_TIMEOUT = 60.0
DEFAULT_SESSION = "main"
VALUE_ID = re.compile(r"[A-Za-z][\w-]*")
SELECTORS = ("region", "lines", "pyobject")
FIGURE_NAME = re.compile(r"[A-Za-z0-9][\w.-]*\.(?:svg|png)")
# Options of a run or exec that change how its result is shown, compared, grouped or
# quoted, never what it prints: they stay out of its key.
PRESENTATION_KEYS = ("mask", "session", "id", "hidden", "output-only", "output", "alt", "title", "hl",
                     "wrap", "figure-varies")
EXECUTED_KEYS = ("exit", "timeout", "session", "needs", "mask", "id", "pids", "memory", "hidden",
                 "output-only", "output", "figure", "figure-varies", "alt", "title", "hl", "wrap")


@dataclass(frozen=True)
class Sample:
    """One sample fence of a post, positioned in its Markdown file."""

    lang: str
    attrs: dict
    body: str
    line: int  # 1-based line of the opening fence
    end_line: int  # 1-based line of the closing fence
    path: str  # display path of the Markdown file
    prefix: str = ""  # container text before the fence (list indentation, "> ")
    containers: tuple[str, ...] = ()  # the HTML elements Markdown puts it in: "li", "blockquote"

    kind: ClassVar[str] = ""
    executes: ClassVar[bool] = False  # runs in a session (a run or an exec), or only shows
    KEYS: ClassVar[tuple[str, ...]] = ()

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"

    def error(self, message: str, hint: str = "") -> SampleError:
        return SampleError(message, self.path, self.line, hint)

    def describe(self) -> str:
        """A short one-line description (test ids, progress lines)."""
        raise NotImplementedError

    def validate(self) -> None:
        """Raise a positioned SampleError if the options do not make sense together."""
        for key in self.attrs:
            if key not in self.KEYS:
                article = "an" if self.kind[0] in "aeiou" else "a"
                raise self.error(f"unknown attribute {key!r} for {article} {self.kind}",
                                 "known attributes: " + ", ".join(self.KEYS))


@dataclass(frozen=True)
class Include(Sample):
    """Shows (part of) a file beside the post."""

    kind: ClassVar[str] = "include"
    KEYS: ClassVar[tuple[str, ...]] = ("file", "region", "lines", "pyobject", "hl", "linenos", "title")

    @property
    def relpath(self) -> str:
        return self.attrs["file"]

    @property
    def selector(self) -> tuple[str, str] | None:
        return next(((k, self.attrs[k]) for k in SELECTORS if k in self.attrs), None)

    def describe(self) -> str:
        selector = self.selector
        return f"include {self.relpath}" + (f" {selector[0]}={selector[1]}" if selector else "")

    def validate(self) -> None:
        super().validate()
        if self.body.strip():
            raise _body_error(self, "file")
        chosen = [k for k in SELECTORS if k in self.attrs]
        if len(chosen) > 1:
            raise self.error("an include takes at most one selector, found " + " and ".join(chosen),
                             "keep one of region=, lines=, pyobject=")


@dataclass(frozen=True)
class Executed(Sample):
    """A sample that runs in a session: its recorded output is shown."""

    executes: ClassVar[bool] = True
    masks: tuple[str, ...] = field(default=())

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
    def pids_max(self) -> int | None:
        """The session's process cap while this runs (None: the configured default)."""
        return self.attrs.get("pids")

    @property
    def memory_max(self) -> int | None:
        """The session's memory cap in bytes while this runs (None: the configured default)."""
        return self.attrs.get("memory")

    @property
    def value_id(self) -> str | None:
        return self.attrs.get("id")

    @property
    def hidden(self) -> bool:
        """Runs and is checked like any other, but shows nothing (but its figure)."""
        return bool(self.attrs.get("hidden"))

    @property
    def output_only(self) -> bool:
        """Shows what it printed without the command or code that printed it: a driver's
        transcript (a stand-in service, a simulated user) that the prose introduces."""
        return bool(self.attrs.get("output-only"))

    @property
    def output_picks(self) -> tuple[OutputPick, ...] | None:
        """What ``output=`` shows of the output (None: all of it)."""
        spec = self.attrs.get("output")
        return None if spec is None else parse_output_picks(spec, self.path, self.line)

    @property
    def figure(self) -> str | None:
        """The file the run writes in its working folder, shown as a figure."""
        return self.attrs.get("figure")

    @property
    def figure_varies(self) -> bool:
        """The figure is drawn from measurements that vary: a fresh run must draw it, and
        its bytes are not compared (the data it prints is, under the masks)."""
        return bool(self.attrs.get("figure-varies"))

    @property
    def command(self) -> str:
        """What the store records as the command."""
        raise NotImplementedError

    @property
    def noun(self) -> str:
        """How messages name it: run 'cmd', the python block."""
        raise NotImplementedError

    def key_payload(self) -> dict:
        """What of this sample enters its key (its presentation options do not)."""
        options = {k: v for k, v in self.attrs.items() if k not in PRESENTATION_KEYS}
        return {"kind": self.kind, "lang": self.lang, "body": self.body, "options": options}

    def validate(self) -> None:
        super().validate()
        if self.value_id is not None and not VALUE_ID.fullmatch(self.value_id):
            raise self.error(f"id={self.value_id!r} is not a name",
                             "start with a letter; use letters, digits, _ and -")
        self.output_picks  # noqa: B018 - parsed for its errors
        if self.hidden and "output" in self.attrs:
            raise self.error(f"output= picks lines to show, and this {self.kind} is hidden",
                             "drop output=, or drop hidden to show the chosen lines")
        if self.hidden and self.output_only:
            raise self.error(f"output-only shows this {self.kind}'s output, and hidden shows nothing",
                             "keep one of the two flags")
        self._validate_figure()

    def _validate_figure(self) -> None:
        figure, alt = self.figure, self.attrs.get("alt")
        if figure is None:
            if self.figure_varies:
                raise self.error(f"figure-varies describes a figure, and this {self.kind} has no figure=",
                                 'add figure="NAME.svg" (a file it writes), or drop figure-varies')
            for key in ("alt", "title"):
                if key in self.attrs:
                    raise self.error(f"{key}= describes a figure, and this {self.kind} has no figure=",
                                     f'add figure="NAME.svg" (a file it writes), or drop {key}=')
            return
        if not FIGURE_NAME.fullmatch(figure):
            raise self.error(f"figure={figure!r} is not a file name ending in .svg or .png",
                             'name the file the run writes in its working folder, e.g. '
                             'figure="memory.svg" (no folders)')
        if alt is None or not str(alt).strip():
            raise self.error(f"figure={figure!r} has no alt= text",
                             'say what the figure shows for readers who cannot see it, e.g. '
                             'alt="Memory grows by 4 MiB a minute"')


@dataclass(frozen=True)
class Run(Executed):
    """A shell command run with bash in the session's working directory."""

    kind: ClassVar[str] = "run"
    KEYS: ClassVar[tuple[str, ...]] = ("run", *EXECUTED_KEYS)

    @property
    def command(self) -> str:
        return self.attrs["run"]

    def describe(self) -> str:
        return "run " + self.command

    def validate(self) -> None:
        super().validate()
        if self.body.strip():
            raise _body_error(self, "run")
        if not self.command.strip():
            raise self.error("run= is empty", 'name the command, e.g. run="python app.py"')

    @property
    def noun(self) -> str:
        return f"{'hidden ' * self.hidden}run {self.command!r}"


@dataclass(frozen=True)
class Exec(Executed):
    """The fence's own body, executed with the interpreter its language names."""

    kind: ClassVar[str] = "exec"
    KEYS: ClassVar[tuple[str, ...]] = ("exec", *EXECUTED_KEYS)

    @property
    def command(self) -> str:
        return f"{self.lang} block"

    def describe(self) -> str:
        return f"exec {self.lang}"

    def validate(self) -> None:
        super().validate()
        if self.lang not in EXEC_LANGUAGES:
            raise self.error(f"cannot execute a {self.lang or 'plain'} block",
                             "exec runs " + ", ".join(EXEC_LANGUAGES))
        if not self.body.strip():
            raise self.error("an exec block has nothing to execute", "write the code between the fences")

    @property
    def noun(self) -> str:
        return f"the {'hidden ' * self.hidden}{self.lang} block"


SAMPLE_TYPES: dict[str, type[Sample]] = {"file": Include, "run": Run, "exec": Exec}


def _body_error(sample: Sample, key: str) -> SampleError:
    return sample.error(
        f"a fence with {key}= must have an empty body, this one has "
        f"{len(sample.body.splitlines())} line(s)",
        "move the text into the file, or use {exec} to execute an inline block",
    )
