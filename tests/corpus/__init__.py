"""The bad-input corpus: every way authors, CI and servers break a build, one case each.

Each case is a small fixture (a post, a store, settings or a deploy target), the
exact message it must produce, and the promise every case keeps: a non-zero exit
(or the documented success), the previous output byte for byte, the stores as
they were, and no process of the case left running. ``tests/test_corpus.py`` runs
them; ``invoke corpus`` prints them as a table with the counts.
"""

from __future__ import annotations

from .builds import CASES as BUILDS
from .directives import CASES as DIRECTIVES
from .harness import Case, CaseSite, Outcome
from .metadata import CASES as METADATA
from .publish import CASES as PUBLISH
from .runs import CASES as RUNS
from .stores import CASES as STORES

ALL_CASES: list[Case] = [*DIRECTIVES, *METADATA, *STORES, *RUNS, *BUILDS, *PUBLISH]

__all__ = ["ALL_CASES", "Case", "CaseSite", "Outcome"]
