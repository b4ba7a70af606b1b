"""Strict site builds: any warning or error fails the build, and a failed build
never replaces the previous output tree (build into a staging folder, then swap)."""

from .build import BuildReport, build_site
from .checks import check_site

__all__ = ["BuildReport", "build_site", "check_site"]
