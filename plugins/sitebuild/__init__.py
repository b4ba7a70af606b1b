"""Strict site builds: any warning or error fails the build, and a failed build
never replaces the previous output tree (build into a staging folder, then swap).

Rooms: ``build`` (staging, lock, swap), ``incremental`` (render only what changed),
``live`` (``invoke livereload``), ``search`` (Pagefind from memory), ``publish``
(site checks, deploys).
"""

from .build.report import BuildReport
from .build.staged import build_site, refresh_search
from .incremental.ledger import PageLedger
from .publish.checks import check_site

__all__ = ["BuildReport", "PageLedger", "build_site", "check_site", "refresh_search"]
