"""What a run is, what it gave and how it can fail: plain data a manifest can hold."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

# Interpreter and file suffix of each language an exec block may be written in.
EXEC_LANGUAGES = {"python": ("python", "py"), "sh": ("/bin/sh", "sh"), "bash": ("/bin/bash", "sh")}
WORK_TEMPLATE = "{work}"  # in RunSpec.environment: the session's working folder


@dataclass(frozen=True)
class RunSpec:
    """One command of a session: a shell command (``run``) or a block of code (``exec``)."""

    line: int  # where it stands in the post (names it in reports)
    kind: str  # "run" or "exec"
    command: str = ""  # run: the bash command line
    lang: str = ""  # exec: a key of EXEC_LANGUAGES
    body: str = ""  # exec: the code
    timeout: float = 60.0
    exit: int = 0  # the exit status the author declared
    needs: tuple[str, ...] = ()  # executables that must exist
    masks: tuple[str, ...] = ()  # regexes for what varies from run to run
    environment: dict[str, str] = field(default_factory=dict)  # added; {work} is the work folder
    pids_max: int | None = None  # the session's caps while this runs (None: the settings')
    memory_max: int | None = None
    figure: str = ""  # a file the run writes in the work folder, collected with its result
    figure_varies: bool = False  # drawn from measurements that vary: its bytes are not compared

    @property
    def describe(self) -> str:
        return self.command if self.kind == "run" else f"{self.lang} block"

    def as_dict(self) -> dict:
        data = asdict(self)
        data["needs"], data["masks"] = list(self.needs), list(self.masks)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> RunSpec:
        """From a manifest's run (its other keys, such as the recorded output, are left)."""
        known = {f.name for f in fields(cls)}
        values = {name: value for name, value in data.items() if name in known}
        values["needs"] = tuple(values.get("needs", ()))
        values["masks"] = tuple(values.get("masks", ()))
        return cls(**values)


@dataclass(frozen=True)
class RunResult:
    """What a run printed (placeholders applied), how it ended, and the bytes of the
    figure it was asked for (None: it wrote none)."""

    output: str
    exit_status: int
    duration: float
    figure: bytes | None = None


class RunFailure(Exception):
    """A run that gave no result to compare: timed out, over a cap, unreadable output,
    a lock never free.  ``message`` continues a sentence that names the run."""

    def __init__(self, message: str, hint: str) -> None:
        self.message = message
        self.hint = hint
        super().__init__(f"{message} ({hint})")
