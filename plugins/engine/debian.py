"""requirements-debian.txt: which Debian package provides which executable.

The one reader of that file: ``needs=`` errors name the package from it, and
``invoke system-deps`` installs from it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

DEBIAN_PACKAGES_FILE = Path(__file__).resolve().parents[2] / "requirements-debian.txt"


@cache
def debian_listing(listing: Path = DEBIAN_PACKAGES_FILE) -> dict[str, tuple[str, ...]]:
    """Debian package -> the executables it provides, from lines ``package: executable ...``
    (the one reader of requirements-debian.txt: tasks.py installs from it too)."""
    packages: dict[str, tuple[str, ...]] = {}
    if listing.is_file():
        for line in listing.read_text().splitlines():
            package, _, tools = line.split("#", 1)[0].partition(":")
            if package.strip():
                packages[package.strip()] = tuple(tools.split())
    return packages


def debian_package_for(tool: str, listing: Path = DEBIAN_PACKAGES_FILE) -> str | None:
    """The Debian package that provides ``tool``, from requirements-debian.txt."""
    return next((package for package, tools in debian_listing(listing).items() if tool in tools),
                None)
