"""Reading the engine's configuration from a Pelican settings file (Pelican's own reader,
so relative paths and defaults mean what they mean in a build)."""

from __future__ import annotations

import os

from engine.config import SamplesConfig
from pelican.settings import read_settings


def load_config(settings_file: str | os.PathLike, override: dict | None = None) -> SamplesConfig:
    """The SamplesConfig of ``settings_file`` (relative paths from its folder)."""
    return SamplesConfig.from_settings(read_settings(str(settings_file), override=override or {}))
