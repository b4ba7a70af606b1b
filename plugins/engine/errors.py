"""Errors that carry the source position from the moment they are raised."""

from __future__ import annotations


def quoted(text: str) -> str:
    """``text`` in quotes as the author wrote it: unlike ``repr``, a regex's ``\\d`` stays
    one backslash, so the message can be copied back into the post."""
    return f'"{text}"' if "'" in text and '"' not in text else f"'{text}'"


class SampleError(Exception):
    """A problem with one directive, reported as ``path:line: what (hint)``."""

    def __init__(self, message: str, path: str, line: int, hint: str = "") -> None:
        self.message = message
        self.path = path
        self.line = line
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"{self.path}:{self.line}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


class SampleErrors(Exception):
    """Several directive problems of one post, reported together."""

    def __init__(self, errors: list[SampleError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


class PostRejected(Exception):
    """A post that cannot be read, every reason of which was already reported with its
    position: whoever catches it adds no message of its own (one message per mistake)."""
