"""What a replay is allowed and how its output is normalised: one value, carried in the
manifest of every reproduce archive, so a reader's replay uses the blog's own limits."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields


@dataclass(frozen=True)
class Settings:
    """Limits of a session and the placeholders its outputs are written with."""

    output_cap: int = 1024 * 1024  # bytes a run may print
    pids_max: int = 4096  # processes a session may have at once (per run: RunSpec.pids_max)
    memory_max: int = 4 * 1024**3  # bytes a session may use (per run: RunSpec.memory_max)
    kill_grace: float = 5.0  # seconds between SIGTERM and SIGKILL when a session closes
    drain_grace: float = 0.2  # seconds a finished command's pipe is read for background writers
    root_placeholder: str = "/tmp/sample"  # how outputs show the session's folder
    venv_placeholder: str = "$VENV"  # how outputs show the virtual environment
    masked: str = "…"  # what a mask leaves in place of what it matched

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Settings:
        """From a manifest; names this version does not know are refused, not ignored."""
        known = {field.name for field in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError("unknown sandbox settings: " + ", ".join(unknown))
        return cls(**data)
