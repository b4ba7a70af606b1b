"""Samples: include, run, freeze, render and test the code samples of posts.

Pipeline: parse (typed samples and inline values from Markdown) -> plan (fresh or
stale, and why) -> execute (isolated sessions) -> store (recorded results) ->
render (HTML) -> reader (Pelican) and pytest_plugin (one test item per sample).
"""

from __future__ import annotations

from pelican import signals

from .cache import key_content_cache_on_samples
from .config import apply_defaults
from .keys import COPY_IGNORE
from .reader import SampleMarkdownReader


def add_reader(readers) -> None:
    for extension in SampleMarkdownReader.file_extensions:
        readers.reader_classes[extension] = SampleMarkdownReader


def configure(pelican) -> None:
    """One configuration: SAMPLES_* defaults set once; Pelican never reads, copies or
    publishes editor debris or freeze stores."""
    settings = apply_defaults(pelican.settings)
    ignored = settings.setdefault("IGNORE_FILES", [])
    store = settings["SAMPLES_STORE_NAME"]
    ignored.extend(name for name in (*COPY_IGNORE, store, f".{store}.tmp") if name not in ignored)


def register() -> None:
    signals.initialized.connect(configure)
    signals.readers_init.connect(add_reader)
    signals.article_generator_init.connect(key_content_cache_on_samples)
