"""Strict site builds: any warning or error fails the build, and a failed build
never replaces the previous output tree (build into a staging folder, then swap).
Incremental builds render only the pages whose inputs changed (writer.py)."""

from . import hotpath, writer
from .build import BuildReport, build_site, refresh_search
from .checks import check_site
from .ledger import PageLedger

writer.register()
hotpath.register()

__all__ = ["BuildReport", "PageLedger", "build_site", "check_site", "refresh_search"]
