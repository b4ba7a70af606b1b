"""The freeze store: recorded results of a post's runs, committed beside the post.

One JSON file per post, diff-friendly (output as a list of lines).  Format 2 keeps,
per record, the run's input key and session, the environment it was taken in
(Python version, the pins of the distributions it imported) and its output, and
optionally when the output last changed and the figure the run made (whose bytes sit
in the figures folder beside the store); and once per store the digest of every file
of the post's folder, so a stale result can name the file that changed.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import SampleError

FORMAT = 2


@dataclass(frozen=True)
class FrozenRun:
    """A recorded result, as stored and as shown on the page."""

    key: str
    session: str
    command: str
    output: str
    exit_status: int
    duration: float
    verified: str
    python: str
    tools: dict = field(default_factory=dict)
    deps: dict | None = None  # distribution -> version the run imported; None: not recorded
    lock: str | None = None  # digest of the lock files, kept when deps is None
    # When the output (or figure) last differed from the record before it, under the
    # masks; None: recorded before this was kept.
    changed: str | None = None
    # The figure the run wrote: name, sha256, bytes, and width and height in CSS pixels
    # when known (None: the run makes no figure).  Its bytes are in the post's figures folder.
    figure: dict | None = None
    # The lab the run executed in: its declaration, digest and Debian point release
    # (None: recorded on the host, before labs).
    lab: dict | None = None

    def as_json(self) -> dict:
        data = {"key": self.key, "session": self.session, "command": self.command,
                "exit": self.exit_status, "duration": self.duration, "verified": self.verified,
                "python": self.python, "tools": self.tools}
        if self.lab is None:  # recorded on the host, before labs: what it depended on there
            data["deps"] = self.deps
            if self.deps is None:
                data["lock"] = self.lock
        # Optional fields are written only when set, so records taken before they existed
        # keep their text and checksum.
        if self.changed is not None:
            data["changed"] = self.changed
        if self.figure is not None:
            data["figure"] = self.figure
        if self.lab is not None:
            data["lab"] = self.lab
        data["output"] = self.output.split("\n")
        output = data.pop("output")
        data["checksum"] = record_checksum({**data, "output": output})
        data["output"] = output
        return data

    @classmethod
    def from_json(cls, data: dict) -> FrozenRun:
        return cls(data["key"], data["session"], data["command"], "\n".join(data["output"]),
                   data["exit"], data["duration"], data["verified"], data["python"],
                   data.get("tools", {}), data.get("deps"), data.get("lock"), data.get("changed"),
                   data.get("figure"), data.get("lab"))


class FreezeStore:
    """Load, query and save the frozen results of one post."""

    def __init__(self, path: Path, display: str | None = None) -> None:
        self.path = path
        self.display = display or str(path)
        self.runs: list[FrozenRun] = []
        self.files: dict[str, str] = {}
        self.outdated_format: int | None = None
        if path.is_file():
            self._load(path.read_text(encoding="utf-8"))

    def _load(self, text: str) -> None:
        marker = re.search(r"^(<{7}|>{7}|={7})( |$)", text, re.MULTILINE)
        if marker:
            raise SampleError("the store has merge-conflict markers", self.display,
                              _line_of(text, marker.start()),
                              "delete it (or take either side), build the post again to "
                              "re-record it, and commit the result")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise SampleError(f"the store is not valid JSON ({err.msg})", self.display, err.lineno,
                              "delete it and build the post again to re-record it") from None
        version = data.get("format") if isinstance(data, dict) else None
        if version != FORMAT:
            if isinstance(version, int) and version < FORMAT:
                self.outdated_format = version  # every session is stale, with that reason
                return
            raise SampleError(f"the store has format {version!r}, this engine reads {FORMAT}",
                              self.display, 1, "update the project (git pull) or rebuild the post")
        try:
            self.runs = [FrozenRun.from_json(r) for r in data.get("runs", [])]
            self.files = dict(data.get("files", {}))
        except (KeyError, TypeError, AttributeError) as err:
            raise SampleError(f"a record of the store is incomplete ({err!r})", self.display, 1,
                              "delete it and build the post again to re-record it") from None
        for number, record in enumerate(data["runs"]):
            _check_record(record, number, text, self.display)

    def session_runs(self, session: str) -> list[FrozenRun]:
        return [run for run in self.runs if run.session == session]

    def get(self, session: str, key: str) -> FrozenRun | None:
        """The record of ``session`` with input ``key`` (two sessions may share keys when
        they start with the same commands)."""
        return next((run for run in self.runs if run.key == key and run.session == session), None)

    def write(self, records: list[FrozenRun], files: dict[str, str]) -> bool:
        """Write exactly ``records`` (document order); return False when nothing changed.
        Only ``pipeline.write_store`` calls this: it decides what a store holds."""
        text = json.dumps({"format": FORMAT, "files": files,
                           "runs": [r.as_json() for r in records]},
                          indent=2, ensure_ascii=False) + "\n"
        self.runs, self.files, self.outdated_format = list(records), dict(files), None
        if self.path.is_file() and self.path.read_text(encoding="utf-8") == text:
            return False
        temporary = self.path.with_name(f".{self.path.name}.tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(self.path)  # a reader never sees half a store
        return True


def record_checksum(data: dict) -> str:
    """A digest of a record's every field (but itself): an output edited by hand no longer
    matches it, so a store cannot show what no run printed."""
    body = json.dumps({k: v for k, v in data.items() if k != "checksum"}, sort_keys=True,
                      ensure_ascii=False)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:32]


def _check_record(record, number: int, text: str, display: str) -> None:
    """Records carry a checksum since it was introduced; older ones are trusted as they are."""
    if not isinstance(record, dict) or "checksum" not in record:
        return
    if record["checksum"] != record_checksum(record):
        keys = [match.start() for match in re.finditer(r'^\s*"key": ', text, re.MULTILINE)]
        at = keys[number] if number < len(keys) else 0  # the line of this record's key
        raise SampleError(f"the record of {record.get('command')!r} was changed by hand (its "
                          "checksum no longer matches)", display, _line_of(text, at),
                          "delete the record (or the store) and build the post again to "
                          "re-record it")


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1
