"""Fixture sites: small content trees written from dicts and built for real."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from sitebuild import build_site

ROOT = Path(__file__).resolve().parents[1]


class FixtureSite:
    """A content tree in a temporary folder, built with the project's settings."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.content = root / "content"
        self.output = root / "output"

    def write(self, files: dict[str, str | bytes]) -> FixtureSite:
        for relative, text in files.items():
            path = self.content / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                path.write_bytes(text)
            else:
                path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return self

    def build(self, settings: str = "pelicanconf.py", **override):
        return build_site(ROOT / settings, self.output, {
            "PATH": str(self.content),
            "SAMPLES_PROJECT_ROOT": str(self.root),
            "SAMPLES_LOCK_FILES": [],
            "CACHE_PATH": str(self.root / "cache"),
            **override,
        })

    def html(self, relative: str):
        from bs4 import BeautifulSoup  # noqa: PLC0415

        return BeautifulSoup((self.output / relative).read_text(encoding="utf-8"), "html.parser")


@pytest.fixture
def site(tmp_path) -> FixtureSite:
    return FixtureSite(tmp_path / "site")


def post(title: str, date: str, tags: str, body: str, extra: str = "") -> str:
    """The text of a post with a Pelican metadata header."""
    header = f"Title: {title}\nDate: {date}\nTags: {tags}\n{extra}"
    return header + "\n" + textwrap.dedent(body).lstrip("\n")
