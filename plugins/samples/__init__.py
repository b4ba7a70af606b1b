"""Samples in Pelican: the adapter between Pelican and the engine (``plugins/engine``).

``reader`` renders each post's samples through the engine's pipeline, ``cache`` makes
Pelican's content cache see sample files, ``settings`` reads the engine's
configuration from a Pelican settings file, ``statics`` refuses pages and static files
that lead outside the content folder, ``messages`` drops Pelican's generic "Could not
process" after the reader's own positioned errors.
"""

from __future__ import annotations

from engine.config import apply_defaults
from engine.files import COPY_IGNORE
from pelican import signals

from .cache import key_content_cache_on_samples
from .messages import drop_reported_failures
from .reader import SampleMarkdownReader
from .statics import check_pages, check_statics


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
    drop_reported_failures()
    signals.initialized.connect(configure)
    signals.readers_init.connect(add_reader)
    signals.article_generator_init.connect(key_content_cache_on_samples)
    signals.page_generator_finalized.connect(check_pages)
    signals.static_generator_finalized.connect(check_statics)
