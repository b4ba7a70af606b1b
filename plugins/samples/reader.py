"""Pelican integration: a Markdown reader that knows which post it renders.

The stock reader does not tell Markdown extensions which file they render, so
samples hook in here, at the reader level.  This reader also
- reads only ``index.md`` inside post folders (other Markdown files there are samples),
- takes the lead summary from the whole paragraphs before ``<!-- more -->``,
- reports every problem with its file and line and raises ``PostRejected``, so that
  Pelican's terse "Could not process" after it is dropped (``messages``).
"""

from __future__ import annotations

import logging
import re
import sys
from html import escape
from pathlib import Path

from engine.colophon import colophon
from engine.config import SamplesConfig
from engine.errors import PostRejected, SampleError, SampleErrors
from engine.files import post_files
from engine.parse import header_fields
from engine.pipeline import RenderedPost, build_post, write_store
from engine.positions import display_path
from markdown import Markdown
from markdown.preprocessors import Preprocessor
from pelican.readers import MarkdownReader
from pelican.utils import pelican_open

logger = logging.getLogger(__name__)

MORE_MARKER = "<!-- more -->"


class SampleSubstitution(Preprocessor):
    """Put each sample's HTML where its fence stands (inside its list item or quote),
    and each inline value's text where its code span stands."""

    def __init__(self, md: Markdown, rendered: RenderedPost) -> None:
        super().__init__(md)
        self.rendered = rendered
        self.placeholders: dict[int, str] = {}  # sample line -> stash placeholder

    def run(self, lines: list[str]) -> list[str]:
        # Code spans first: a value written both ways on one line is then replaced in each.
        for value, text in sorted(self.rendered.values, key=lambda pair: not pair[0].in_code):
            number = value.line - 1
            spans = [f"`{value.span}`", f"` {value.span} `", f"``{value.span}``",
                     f"`` {value.span} ``"] if value.in_code else [value.span]
            written = next((s for s in spans if s in lines[number]), None)
            if written is None:
                raise value.error("an inline value must stay on one line", "rejoin the line")
            placeholder = self.md.htmlStash.store(escape(text))
            lines[number] = lines[number].replace(written, placeholder, 1)
        samples = {s.line: s for s in self.rendered.post.samples}
        for first in sorted(self.rendered.html, reverse=True):
            sample = samples[first]
            blank = sample.prefix.rstrip() if ">" in sample.prefix else ""
            if not self.rendered.html[first]:  # a hidden run: its fence leaves no trace
                lines[first - 1: sample.end_line] = [blank]
                continue
            # The marker says which sample this is by its line, so the placement check finds
            # each one where it stands, not the first sample that renders the same HTML.
            placeholder = self.md.htmlStash.store(placement_marker(first) + self.rendered.html[first])
            self.placeholders[first] = placeholder
            lines[first - 1: sample.end_line] = [blank, sample.prefix + placeholder, blank]
        return lines


class SampleMarkdownReader(MarkdownReader):
    """MarkdownReader that renders sample directives and the lead summary."""

    def read(self, source_path: str):
        source = Path(source_path)
        config = SamplesConfig.from_settings(self.settings)
        where = display_path(source, config.project_root)
        if config.in_post_folder(source) and source.name != config.post_file:
            return "", {"status": "skip"}  # a Markdown sample beside a post, not a post
        text = read_source(source_path, where)  # read once: the engine parses it, Markdown converts it
        rendered = None
        if config.is_post(source):
            try:
                rendered = build_post(source, config, text)
            except (SampleError, SampleErrors) as err:
                log_each(err)
                raise PostRejected(where) from err
        self._source_path = source_path
        self._md = Markdown(**self.settings["MARKDOWN"])
        substitution = None
        if rendered is not None:
            substitution = SampleSubstitution(self._md, rendered)
            self._md.preprocessors.register(substitution, "samples", 29)
        try:
            content = self._md.convert(text)
        except SampleError as err:
            log_each(err)
            raise PostRejected(where) from err
        if substitution is not None:
            for line in substitution.placeholders:
                marked = placement_marker(line) + rendered.html[line]
                # The last line of a quote keeps its newline in the paragraph Markdown
                # wraps around a placeholder: unwrap it as Markdown does for the others.
                content = content.replace(f"<p>{marked}\n</p>", marked)
            _check_placement(substitution, content, rendered)
            for line in substitution.placeholders:
                content = content.replace(placement_marker(line), "", 1)
        try:
            metadata = self._parse_metadata(self._md.Meta) if hasattr(self._md, "Meta") else {}
        except Exception as err:
            logger.error("%s:%d: bad metadata: %s (check the header lines, e.g. "
                         "Date: 2024-01-31 10:00)", where, _failing_header_line(text, err), err)
            raise PostRejected(where) from err
        if config.is_post(source):
            _require_title(text, metadata, where)
            slug = metadata.get("slug")
            if slug and slug != source.parent.name:
                line = _metadata_line(text, "slug")
                logger.error("%s:%d: Slug: %s differs from the post's folder name %r (drop the "
                             "Slug line or rename the folder: downloads sit beside the page)",
                             where, line, slug, source.parent.name)
                raise PostRejected(where)
            metadata.setdefault("summary", lead_summary(content))
            metadata["sample_files"] = sample_files(source, config)
            # The parse and the records the page shows, for plugins that describe the
            # runs (plugins/reproduce); kept in Pelican's content cache with the page.
            metadata["sample_post"] = rendered.post
            metadata["sample_records"] = rendered.records
            # One line at the end of the page: when its commands last ran, and in what.
            metadata["sample_colophon"] = colophon(list(rendered.records.values()))
        if rendered is not None:
            write_store(rendered)  # only once the post read without a problem
            for warning in rendered.warnings:  # printed, not logged: a logged warning fails the build
                print(warning, file=sys.stderr)
        return content, metadata


def _check_placement(substitution: SampleSubstitution, content: str, rendered: RenderedPost) -> None:
    """Python-Markdown renders the page; the samples were found by another parser.  A
    sample Python-Markdown did not place as a block (a stash placeholder left over, or
    inside a code block) is an error, never a silently missing figure."""
    errors = []
    samples = {sample.line: sample for sample in rendered.post.samples}
    for line, placeholder in substitution.placeholders.items():
        at = content.find(placement_marker(line))
        inside = at < 0 or placeholder in content or any(
            _last(opening, content, at) > content.rfind(closing, 0, at)
            for opening, closing in ((r"<pre[\s>]", "</pre>"), (r"<p[\s>]", "</p>")))
        sample = samples[line]
        outside = [tag for tag in sample.containers
                   if not inside and _last(rf"<{tag}[\s>]", content, at) <= content.rfind(f"</{tag}>", 0, at)]
        if inside:
            errors.append(SampleError(
                "Markdown does not render this sample where it stands (it reads the fence as "
                "part of a code block or paragraph)", rendered.post.path, line,
                "indent a fence in a list item by 4 spaces, and leave a blank line before it"))
        elif outside:
            where = {"li": "its list item", "blockquote": "its blockquote"}[outside[0]]
            errors.append(SampleError(
                f"Markdown renders this sample outside {where}", rendered.post.path, line,
                "indent a fence in a list item by 4 spaces (Python-Markdown needs them), and "
                "start every line of a quoted fence with >"))
    if errors:
        err = SampleErrors(errors)
        log_each(err)
        raise PostRejected(rendered.post.path) from err


def log_each(err: SampleError | SampleErrors) -> None:
    """One log record per mistake, so the build counts and lists them one by one."""
    for error in getattr(err, "errors", [err]):
        logger.error("%s", error)


def placement_marker(line: int) -> str:
    """An HTML comment put before the sample of ``line`` while Markdown renders the page,
    and removed after the placement check."""
    return f"<!--sample-at-line-{line}-->"


def _last(pattern: str, text: str, end: int) -> int:
    """Where the last match of ``pattern`` before ``end`` starts, or -1."""
    starts = [match.start() for match in re.finditer(pattern, text[:end])]
    return starts[-1] if starts else -1


def read_source(path: str, where: str = "") -> str:
    """A content file's text as Pelican reads it (BOM stripped); bytes that are not
    UTF-8 are a positioned error, not Pelican's bare "Could not process" (``PostRejected``)."""
    try:
        with pelican_open(path) as text:
            return text
    except UnicodeDecodeError as err:
        raw = err.object
        line = raw.count(b"\n", 0, err.start) + 1
        column = err.start - raw.rfind(b"\n", 0, err.start)
        logger.error("%s:%d: the file is not UTF-8 (byte 0x%02x at column %d) (save it as UTF-8)",
                     where or path, line, raw[err.start], column)
        raise PostRejected(where or path) from err


def _require_title(text: str, metadata: dict, where: str) -> None:
    """Pelican skips a post without a title with an unpositioned message; say where."""
    if metadata.get("title"):
        return
    if not text.strip():
        logger.error("%s:1: the post is empty (start it with a header: Title:, Date:, Tags:, "
                     "then a blank line and the text)", where)
    else:
        logger.error("%s:1: the post has no Title: line (add one to the header, e.g. "
                     "Title: Counting words with Python)", where)
    raise PostRejected(where)


def _failing_header_line(text: str, err: Exception) -> int:
    """The header line whose value the metadata error quotes (else the first line)."""
    return next((number for number, (_, value) in header_fields(text.splitlines())
                 if value and value in str(err)), 1)


def sample_files(source: Path, config: SamplesConfig) -> list[str]:
    """Files beside the post that readers can download (sorted, relative)."""
    return [path.relative_to(source.parent).as_posix()
            for path in post_files(source.parent, config.excluded(source)) if path.is_file()]


def _metadata_line(text: str, key: str) -> int:
    return next((number for number, (name, _) in header_fields(text.splitlines()) if name == key), 1)


def lead_summary(content: str) -> str:
    """The whole paragraphs before ``<!-- more -->``, else the first paragraph."""
    if MORE_MARKER in content:
        return content.split(MORE_MARKER, 1)[0].strip()
    end = content.find("</p>")
    return content[: end + 4].strip() if end >= 0 else content
