"""Samples: include, run, freeze, render and test the code samples of posts.

Pipeline: parse (directives from Markdown) -> select (include lines) -> run
(isolated sessions) -> store (freeze keys and results) -> render (HTML) ->
reader (Pelican) and pytest_plugin (one test item per directive).
"""

from __future__ import annotations

from pelican import signals

from .cache import key_content_cache_on_samples
from .reader import SampleMarkdownReader


def add_reader(readers) -> None:
    for extension in SampleMarkdownReader.file_extensions:
        readers.reader_classes[extension] = SampleMarkdownReader


def register() -> None:
    signals.readers_init.connect(add_reader)
    signals.article_generator_init.connect(key_content_cache_on_samples)
