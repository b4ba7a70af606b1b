"""``invoke labs``: the labs the posts declare, which are built here, and their removal.

Every post's runs execute in its lab (``sandbox.lab``).  This module answers what a
blog's author asks about them: which lab each post uses, which are built (and how big),
which built ones no post uses any more; it builds them all ahead of a test run.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass

from sandbox.lab import BuiltLab, Lab, build_lab, built_labs, find_lab, remove_lab

from .config import SamplesConfig
from .errors import SampleError, SampleErrors
from .pipeline import load_post


@dataclass
class LabUse:
    lab: Lab
    posts: list[str]
    built: BuiltLab | None


def declared_labs(config: SamplesConfig) -> list[LabUse]:
    """Each lab the posts declare (the base lab included), with its posts."""
    uses: dict[str, LabUse] = {Lab().digest: LabUse(Lab(), [], None)}
    for source in config.posts():
        try:
            lab = load_post(source, config).lab
        except (SampleError, SampleErrors):
            continue  # `invoke samples` and the build say what is wrong with it
        uses.setdefault(lab.digest, LabUse(lab, [], None)).posts.append(source.parent.name)
    for use in uses.values():
        use.built = find_lab(use.lab, config.lab_cache)
    return list(uses.values())


def build_all(config: SamplesConfig, log=print) -> list[BuiltLab]:
    """Build every declared lab that is not built yet (progress to ``log``)."""
    return [build_lab(use.lab, config.lab_cache, log) for use in declared_labs(config)]


def unused_labs(config: SamplesConfig) -> list[BuiltLab]:
    """Built labs of this cache that no post declares."""
    wanted = {use.lab.digest for use in declared_labs(config)}
    return [built for built in built_labs(config.lab_cache) if built.lab.digest not in wanted]


def remove_labs(labs: list[BuiltLab]) -> None:
    for built in labs:
        remove_lab(built)


def disk_usage(built: BuiltLab) -> str:
    done = subprocess.run(["du", "-sh", "--one-file-system", str(built.folder)],
                          capture_output=True, text=True)
    return done.stdout.split()[0] if done.returncode == 0 and done.stdout else "?"


def labs_table(config: SamplesConfig) -> str:
    rows = [("lab", "declares", "posts", "built", "size")]
    for use in declared_labs(config):
        declared = " ".join((*use.lab.packages, *use.lab.requirements)) or "(base)"
        built = use.built.info.get("built", "yes")[:10] if use.built else "no"
        size = disk_usage(use.built) if use.built else "-"
        rows.append((use.lab.release, declared, ", ".join(use.posts) or "-", built, size))
    for built in unused_labs(config):
        declared = " ".join((*built.lab.packages, *built.lab.requirements)) or "(base)"
        rows.append((built.lab.release, declared, "(no post: invoke labs --remove)",
                     built.info.get("built", "yes")[:10], disk_usage(built)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(lines) + f"\n\nkept in {config.lab_cache}"
