"""The engine's one configuration, read from the Pelican settings file.

The build (through Pelican's settings), the pytest plugin (ini option
``samples_settings``), ``invoke freeze``/``invoke samples`` and ``bench/`` all
build a SamplesConfig here, so they agree on the content folder, the post file
name, and the store name, and so compute the same keys.  Reading a
settings file is Pelican's business: ``samples.settings.load_config`` does it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sandbox import Settings
from sandbox.lab import default_cache

from .figures import FIGURES_FOLDER
from .grammar import parse_size

DEFAULTS = {
    "SAMPLES_EXECUTE": True,
    "SAMPLES_STORE_NAME": "samples.frozen.json",
    "SAMPLES_OUTPUT_CAP": 1024 * 1024,
    "SAMPLES_POST_FILE": "index.md",
    "SAMPLES_PROGRESS": "auto",  # "auto" (live line on a terminal), "lines" or "off"
    "SAMPLES_PIDS_MAX": 4096,  # processes a session may have at once (per run: pids=)
    "SAMPLES_MEMORY_MAX": "4G",  # memory a session may use (per run: memory=)
    "SAMPLES_KILL_GRACE": 5,  # seconds between SIGTERM and SIGKILL when a session closes
    # Where built lab environments are kept ("": /var/cache/code-that-runs/labs for root,
    # ~/.cache/code-that-runs/labs for a user); the environment variable wins.
    "SAMPLES_LAB_CACHE": "",
}


def apply_defaults(settings: dict) -> dict:
    """Give every SAMPLES_* setting its default once (Pelican's ``initialized`` signal)."""
    for name, value in DEFAULTS.items():
        settings.setdefault(name, value)
    return settings


@dataclass(frozen=True)
class SamplesConfig:
    """What every consumer of the engine reads: paths, names and switches."""

    project_root: Path
    content_path: Path
    article_paths: tuple[str, ...]
    post_file: str
    store_name: str
    output_cap: int
    execute: bool
    progress: str
    pids_max: int = 4096
    memory_max: int = 4 * 1024**3
    kill_grace: float = 5.0
    lab_cache: Path = Path()

    @classmethod
    def from_settings(cls, settings: dict) -> SamplesConfig:
        """From Pelican's settings dict (PATH is absolute once Pelican read the file)."""
        settings = apply_defaults(dict(settings))
        content = Path(settings["PATH"]).resolve()
        root = Path(settings.get("SAMPLES_PROJECT_ROOT") or content.parent).resolve()
        return cls(
            project_root=root,
            content_path=content,
            article_paths=tuple(settings.get("ARTICLE_PATHS") or ("",)),
            post_file=settings["SAMPLES_POST_FILE"],
            store_name=settings["SAMPLES_STORE_NAME"],
            output_cap=int(settings["SAMPLES_OUTPUT_CAP"]),
            execute=bool(settings["SAMPLES_EXECUTE"]),
            progress=str(settings["SAMPLES_PROGRESS"]),
            pids_max=int(settings["SAMPLES_PIDS_MAX"]),
            memory_max=_size(settings["SAMPLES_MEMORY_MAX"]),
            kill_grace=float(settings["SAMPLES_KILL_GRACE"]),
            lab_cache=Path(os.environ.get("SAMPLES_LAB_CACHE") or settings["SAMPLES_LAB_CACHE"]
                           or default_cache()),  # the variable first: tests and verify.py read it too
        )

    @property
    def sandbox_settings(self) -> Settings:
        """The limits every session of this configuration runs under (and archives carry)."""
        return Settings(output_cap=self.output_cap, kill_grace=self.kill_grace,
                        pids_max=self.pids_max, memory_max=self.memory_max)

    @property
    def debian_listing(self) -> Path:
        """Which Debian package provides which executable (for ``needs`` errors)."""
        return self.project_root / "requirements-debian.txt"

    @property
    def post_roots(self) -> tuple[Path, ...]:
        return tuple(self.content_path / folder for folder in self.article_paths)

    def is_post(self, path: str | os.PathLike) -> bool:
        """True for a post's file (``index.md`` inside an article folder)."""
        absolute = os.path.abspath(path)
        return os.path.basename(absolute) == self.post_file and any(
            absolute.startswith(os.path.join(root, "")) for root in map(str, self.post_roots))

    def in_post_folder(self, path: str | os.PathLike) -> bool:
        absolute = os.path.abspath(path)
        return any(absolute.startswith(os.path.join(root, "")) for root in map(str, self.post_roots))

    def posts(self) -> list[Path]:
        """Every post file under the article folders, sorted."""
        return sorted(path for root in self.post_roots if root.is_dir()
                      for path in root.rglob(self.post_file) if self.is_post(path))

    def excluded(self, source: Path) -> tuple[str, ...]:
        """Names in a post's folder that runs never see: the post itself, its store and
        the figures its runs made."""
        return (source.name, self.store_name, FIGURES_FOLDER)


def _size(value) -> int:
    size = parse_size(str(value))
    if size is None:
        raise ValueError(f"SAMPLES_MEMORY_MAX = {value!r} is not a size such as '4G'")
    return size
