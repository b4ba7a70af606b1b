"""Figures from runs: the file a run writes, recorded by digest, kept beside the post.

A run with ``figure="NAME.svg"`` (or ``.png``) writes NAME in its working folder; the
sandbox hands its bytes back with the result.  The record holds the figure's digest,
size and dimensions; the bytes sit in the post's figures folder (``samples.figures/``,
beside the store), which Pelican publishes beside the page like the post's other
files.  That folder is the engine's, as the store is: it never enters the post's file
digests, a session's copy or the list of downloads, or every new figure would make
the post stale.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

from sandbox import figure_digest

from .store import FrozenRun

FIGURES_FOLDER = "samples.figures"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG_ROOT = re.compile(rb"<svg\b[^>]*>", re.S)
CSS_PIXELS = {"": 1.0, "px": 1.0, "pt": 4 / 3, "pc": 16.0, "in": 96.0, "cm": 96 / 2.54,
              "mm": 96 / 25.4}


def figure_record(name: str, data: bytes) -> dict:
    """What the store keeps of a figure: name, digest, size and, when they can be read,
    width and height in CSS pixels (so the page reserves its space)."""
    record = {"name": name, "sha256": figure_digest(data), "bytes": len(data)}
    size = png_size(data) if name.endswith(".png") else svg_size(data)
    if size is not None:
        record["width"], record["height"] = size
    return record


def png_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG's header."""
    if not data.startswith(PNG_SIGNATURE) or len(data) < 24:
        return None
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def svg_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of an SVG's root element (``460.8pt``, ``300px``, ``4in``), else
    from its viewBox."""
    root = SVG_ROOT.search(data[:4096])
    if root is None:
        return None
    attributes = dict(re.findall(rb'([\w:-]+)\s*=\s*"([^"]*)"', root[0]))
    width, height = (_css_pixels(attributes.get(key, b"")) for key in (b"width", b"height"))
    if width and height:
        return width, height
    box = attributes.get(b"viewBox", b"").replace(b",", b" ").split()
    if len(box) == 4:
        try:
            return round(float(box[2])), round(float(box[3]))
        except ValueError:
            return None
    return None


def _css_pixels(value: bytes) -> int | None:
    match = re.fullmatch(rb"\s*([\d.]+)\s*([a-z]*)\s*", value)
    if match is None or match[2].decode() not in CSS_PIXELS:
        return None
    try:
        return round(float(match[1]) * CSS_PIXELS[match[2].decode()])
    except ValueError:
        return None


def figure_digests(post_dir: Path) -> dict[str, str]:
    """Name -> digest of every figure kept beside the post."""
    folder = post_dir / FIGURES_FOLDER
    if not folder.is_dir():
        return {}
    return {path.name: figure_digest(path.read_bytes())
            for path in sorted(folder.iterdir()) if path.is_file()}


def write_figures(post_dir: Path, records: list[FrozenRun], blobs: dict[str, bytes]) -> None:
    """Make the figures folder hold exactly the figures of ``records``: the new ones from
    ``blobs`` (by digest), the kept ones as they are; others go, and an empty folder too."""
    folder = post_dir / FIGURES_FOLDER
    wanted = {record.figure["name"]: record.figure["sha256"] for record in records if record.figure}
    present = figure_digests(post_dir)
    for name, digest in wanted.items():
        if present.get(name) != digest and digest in blobs:
            folder.mkdir(exist_ok=True)
            temporary = folder / f".{name}.tmp"
            temporary.write_bytes(blobs[digest])
            temporary.replace(folder / name)  # a build serving the folder never reads half a figure
    for name in set(present) - set(wanted):
        (folder / name).unlink()
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
