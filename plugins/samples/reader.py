"""Pelican integration: a Markdown reader that knows which post it renders.

The stock reader does not tell Markdown extensions which file they render, so
samples hook in here, at the reader level.  This reader also
- reads only ``index.md`` inside post folders (other Markdown files there are samples),
- takes the lead summary from the whole paragraphs before ``<!-- more -->``,
- reports every problem with its file and line before Pelican's terse
  "Could not process", so the build log says what to fix.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from markdown import Markdown
from markdown.preprocessors import Preprocessor
from pelican.readers import MarkdownReader
from pelican.utils import pelican_open

from .errors import SampleError, SampleErrors
from .pipeline import EngineSettings, render_post
from .positions import display_path
from .store import post_files

logger = logging.getLogger(__name__)

MORE_MARKER = "<!-- more -->"
POST_FILE = "index.md"


class SampleSubstitution(Preprocessor):
    """Replace each directive's fenced lines with its stashed HTML."""

    def __init__(self, md: Markdown, rendered: dict[int, tuple[int, str]]) -> None:
        super().__init__(md)
        self.rendered = rendered  # opening line -> (closing line, html)

    def run(self, lines: list[str]) -> list[str]:
        for first, (last, html) in sorted(self.rendered.items(), reverse=True):
            placeholder = self.md.htmlStash.store(html)
            lines[first - 1 : last] = ["", placeholder, ""]
        return lines


class SampleMarkdownReader(MarkdownReader):
    """MarkdownReader that renders sample directives and the lead summary."""

    def read(self, source_path: str):
        source = Path(source_path)
        engine = EngineSettings.from_pelican(self.settings)
        where = display_path(source, engine.project_root)
        if self._is_post(source) and source.name != POST_FILE:
            return "", {"status": "skip"}  # a Markdown sample beside a post, not a post
        text = read_source(source_path)  # read once: the engine parses it, Markdown converts it
        rendered: dict[int, tuple[int, str]] = {}
        if self._is_post(source):
            try:
                rendered = render_post(source, engine, text)
            except (SampleError, SampleErrors) as err:
                logger.error("%s", err)
                raise
        self._source_path = source_path
        self._md = Markdown(**self.settings["MARKDOWN"])
        self._md.preprocessors.register(SampleSubstitution(self._md, rendered), "samples", 29)
        content = self._md.convert(text)
        try:
            metadata = self._parse_metadata(self._md.Meta) if hasattr(self._md, "Meta") else {}
        except Exception as err:
            logger.error("%s: bad metadata: %s (check the header lines, e.g. "
                         "Date: 2024-01-31 10:00)", where, err)
            raise
        if self._is_post(source):
            slug = metadata.get("slug")
            if slug and slug != source.parent.name:
                line = _metadata_line(source, "slug")
                logger.error("%s:%d: Slug: %s differs from the post's folder name %r (drop the "
                             "Slug line or rename the folder: downloads sit beside the page)",
                             where, line, slug, source.parent.name)
                raise ValueError(f"slug {slug!r} is not the folder name")
            metadata.setdefault("summary", lead_summary(content))
            metadata["sample_files"] = sample_files(source, engine)
        return content, metadata

    def _is_post(self, source: Path) -> bool:
        # Pelican hands readers absolute paths under its absolute PATH: compare as text.
        if not hasattr(self, "_post_roots"):
            content = os.path.abspath(self.settings["PATH"])
            self._post_roots = tuple(os.path.join(content, f, "")
                                     for f in self.settings.get("ARTICLE_PATHS", []))
        return os.path.abspath(source).startswith(self._post_roots)


def read_source(path: str) -> str:
    """A content file's text as Pelican reads it (BOM stripped)."""
    with pelican_open(path) as text:
        return text


def sample_files(source: Path, engine: EngineSettings) -> list[str]:
    """Files beside the post that readers can download (sorted, relative)."""
    return [path.relative_to(source.parent).as_posix()
            for path in post_files(source.parent, engine.excluded(source)) if path.is_file()]


def _metadata_line(source: Path, key: str) -> int:
    for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1):
        if line.lower().startswith(key + ":"):
            return number
    return 1


def lead_summary(content: str) -> str:
    """The whole paragraphs before ``<!-- more -->``, else the first paragraph."""
    if MORE_MARKER in content:
        return content.split(MORE_MARKER, 1)[0].strip()
    end = content.find("</p>")
    return content[: end + 4].strip() if end >= 0 else content
