"""What the last good output tree holds, kept between builds: page digests and listing facts.

The live loop keeps its ledger in memory (with the pages' HTML for the search index and
the build's generators for the one-post shortcut); a cached build also stores the
digests beside Pelican's content cache, so the next process starts from them too.
"""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass, field, fields
from pathlib import Path

LEDGER_FILE = "sitebuild-pages.pickle"  # in CACHE_PATH, beside Pelican's own caches


@dataclass
class PageLedger:
    """What the last good output tree holds: page digests, search pages, listing facts,
    the static files copied and the digests of the files plugins wrote.

    Kept in memory by the live loop; ``html`` holds the pages the search index reads,
    in the order they were last written, so the index can be rebuilt without disk reads.
    """

    pages: dict[str, str] = field(default_factory=dict)
    html: dict[str, str] = field(default_factory=dict)
    facts_memo: dict[str, str] = field(default_factory=dict)
    output_identity: tuple[int, ...] | None = None
    search_glob: str = "**/*.{html}"
    statics: set[str] = field(default_factory=set)  # static files the build copied
    files: dict[str, str] = field(default_factory=dict)  # plugins' files (write_bytes): digests
    # In memory only: the build's generators and digests, for the live loop's shortcut.
    generators: list = field(default_factory=list)
    fingerprints: object = None  # fingerprints.PageFingerprints


def ledger_file(settings: dict) -> Path:
    return Path(settings["CACHE_PATH"]) / LEDGER_FILE


def load_ledger(settings: dict) -> PageLedger | None:
    """The ledger a cached build left beside Pelican's content cache, if any."""
    if not (settings.get("CACHE_CONTENT") and settings.get("LOAD_CONTENT_CACHE")):
        return None
    try:
        with ledger_file(settings).open("rb") as stored:
            ledger = pickle.load(stored)
    except (OSError, pickle.PickleError, EOFError, AttributeError):
        return None
    if not isinstance(ledger, PageLedger) or \
            not all(hasattr(ledger, known.name) for known in fields(PageLedger)):
        return None  # another version's ledger: start from nothing
    return ledger


def save_ledger(settings: dict, ledger: PageLedger) -> None:
    """Keep what a later process needs (digests, listing facts), not the pages' HTML."""
    path = ledger_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    kept = PageLedger(pages=ledger.pages, facts_memo=ledger.facts_memo,
                      output_identity=ledger.output_identity, search_glob=ledger.search_glob,
                      statics=ledger.statics, files=ledger.files)
    temporary = path.with_suffix(".tmp")
    with temporary.open("wb") as stored:
        pickle.dump(kept, stored)
    os.replace(temporary, path)


def persist(ledger: PageLedger) -> None:
    """Store the ledger again after the live loop changed the tree without a build."""
    settings = ledger.generators[0].settings if ledger.generators else None
    if settings and settings.get("CACHE_CONTENT"):
        save_ledger(settings, ledger)
