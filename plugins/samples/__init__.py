"""Samples: include, run, freeze, render and test the code samples of posts.

Pipeline: parse (directives from Markdown) -> select (include lines) -> run
(isolated sessions) -> store (freeze keys and results) -> render (HTML) ->
reader (Pelican) and pytest_plugin (one test item per directive).
"""

from __future__ import annotations

from pelican import signals

from .cache import key_content_cache_on_samples
from .pipeline import DEFAULT_STORE_NAME
from .reader import SampleMarkdownReader
from .runner import COPY_IGNORE


def add_reader(readers) -> None:
    for extension in SampleMarkdownReader.file_extensions:
        readers.reader_classes[extension] = SampleMarkdownReader


def ignore_debris_and_stores(pelican) -> None:
    """Pelican never reads, copies or publishes editor debris or freeze stores."""
    ignored = pelican.settings.setdefault("IGNORE_FILES", [])
    store = pelican.settings.get("SAMPLES_STORE_NAME", DEFAULT_STORE_NAME)
    ignored.extend(name for name in (*COPY_IGNORE, store) if name not in ignored)


def register() -> None:
    signals.initialized.connect(ignore_debris_and_stores)
    signals.readers_init.connect(add_reader)
    signals.article_generator_init.connect(key_content_cache_on_samples)
