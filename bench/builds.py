"""Build cost against vanilla Pelican, and the edit → rebuild loop with the content cache."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from measure import BuildResult, Series, child_build, pagefind_cli
from synthetic import sample_source

FROZEN = {"SAMPLES_EXECUTE": False}  # a stale result fails the build: nothing may execute
CACHED = {"CACHE_CONTENT": True, "LOAD_CONTENT_CACHE": True, "SAMPLES_EXECUTE": True}


FLAVOURS = ("ours", "vanilla", "ours-no-search", "vanilla-no-search")


@dataclass
class BuildCost:
    posts: int
    wall: dict[str, Series] = field(default_factory=lambda: {f: Series() for f in FLAVOURS})
    rss: dict[str, Series] = field(default_factory=lambda: {f: Series() for f in FLAVOURS})


def build_cost(site: Path, twin: Path, scratch: Path, posts: int, repeats: int,
               diagnostic: bool = False) -> BuildCost:
    """Alternate our frozen build and the vanilla build of the twin, ``repeats`` each
    (with ``diagnostic``, also our build without the search index)."""
    cost = BuildCost(posts)
    sides = [("ours", site), ("vanilla", twin)] + ([("ours-no-search", site)] if diagnostic else [])
    for _ in range(repeats):
        for flavour, root in sides:
            result = child_build(flavour, root, scratch / f"out-{flavour}", FROZEN)
            if result.executions:
                raise AssertionError(f"a frozen build executed {result.executions}")
            cost.wall[flavour].values.append(result.wall)
            cost.rss[flavour].values.append(result.peak_rss_mib)
    return cost


SEARCH_GLOB = "posts/**/*.html"  # pelicanconf.py's SEARCH_INDEX_GLOB, for both sides


@dataclass
class WholeProcessCost:
    """Whole processes, interpreter start-up included: ours (one process, Pagefind service
    as its child) against vanilla Pelican followed by ``python -m pagefind``."""

    wall: dict[str, Series] = field(default_factory=lambda: {f: Series() for f in FLAVOURS})
    rss: dict[str, Series] = field(default_factory=lambda: {f: Series() for f in FLAVOURS})
    parts: dict[str, Series] = field(default_factory=lambda: {
        name: Series() for name in ("our process", "our Pagefind service", "vanilla Pelican",
                                    "Pagefind CLI", "vanilla Pelican s", "Pagefind CLI s")})


def whole_process_cost(site: Path, twin: Path, scratch: Path, repeats: int) -> WholeProcessCost:
    """Alternate: ours with search, vanilla + Pagefind CLI, ours without search (vs vanilla).

    Peak RSS: ours = our process + its Pagefind service (they run at the same time, so
    the sum bounds the tree's peak); vanilla + CLI = the larger of the two (one after
    the other); vanilla alone = Pelican's process.
    """
    cost = WholeProcessCost()
    for _ in range(repeats):
        ours = child_build("ours", site, scratch / "whole-ours", FROZEN)
        cost.wall["ours"].values.append(ours.process_wall)
        cost.rss["ours"].values.append(ours.peak_rss_mib + ours.service_rss_mib)
        vanilla = child_build("vanilla", twin, scratch / "whole-vanilla", FROZEN)
        cli_wall, cli_rss = pagefind_cli(scratch / "whole-vanilla", SEARCH_GLOB)
        cost.wall["vanilla"].values.append(vanilla.process_wall + cli_wall)
        cost.rss["vanilla"].values.append(max(vanilla.peak_rss_mib, cli_rss))
        for name, value in (("our process", ours.peak_rss_mib),
                            ("our Pagefind service", ours.service_rss_mib),
                            ("vanilla Pelican", vanilla.peak_rss_mib), ("Pagefind CLI", cli_rss),
                            ("vanilla Pelican s", vanilla.process_wall),
                            ("Pagefind CLI s", cli_wall)):
            cost.parts[name].values.append(value)
        cost.wall["vanilla-no-search"].values.append(vanilla.process_wall)
        cost.rss["vanilla-no-search"].values.append(vanilla.peak_rss_mib)
        bare = child_build("ours-no-search", site, scratch / "whole-ours-bare", FROZEN)
        cost.wall["ours-no-search"].values.append(bare.process_wall)
        cost.rss["ours-no-search"].values.append(bare.peak_rss_mib)
    return cost


@dataclass
class EditLoop:
    posts: int
    cold: Series = field(default_factory=Series)
    rebuild: Series = field(default_factory=Series)
    checks: list[str] = field(default_factory=list)


def _page_digests(output: Path) -> dict[str, str]:
    return {page.parent.name: hashlib.sha256(page.read_bytes()).hexdigest()
            for page in sorted((output / "posts").glob("*/index.html"))}


def edit_loop(site: Path, scratch: Path, posts: int, repeats: int) -> EditLoop:
    """Cold build (empty cache), edit one post's sample, rebuild; assert what changed."""
    loop = EditLoop(posts)
    output = scratch / "out-edit"
    for repeat in range(repeats):
        shutil.rmtree(site / "cache", ignore_errors=True)
        cold = _checked(child_build("ours", site, output, CACHED), [])
        before = _page_digests(output)
        slug = f"post-{(posts // 2 + repeat * 7) % posts:04d}"
        limit = 20 + repeat
        (site / "content" / "posts" / slug / "sample.py").write_text(sample_source(limit))
        rebuild = _checked(child_build("ours", site, output, CACHED),
                           [f"content/posts/{slug}/index.md:"])
        after = _page_digests(output)
        changed = sorted(name for name in before if before[name] != after.get(name))
        if changed != [slug]:
            raise AssertionError(f"editing {slug}/sample.py changed the pages of {changed[:5]}")
        shown = f"sum of squares below {limit}: {sum(n * n for n in range(limit))}"
        if shown not in (output / "posts" / slug / "index.html").read_text(encoding="utf-8"):
            raise AssertionError(f"{slug}'s page does not show the new output {shown!r}")
        loop.cold.values.append(cold.wall)
        loop.rebuild.values.append(rebuild.wall)
        loop.checks.append(f"{slug}: 1 run executed, 1 of {len(before)} post pages changed")
    return loop


def vanilla_edit_loop(twin: Path, scratch: Path, posts: int, repeats: int) -> EditLoop:
    """The same loop in vanilla Pelican: cold build, edit one post's Markdown, rebuild.

    Pelican's own floor for a cached rebuild: it still writes every page and copies
    every static file, whatever changed.
    """
    loop = EditLoop(posts)
    output = scratch / "out-vanilla-edit"
    for repeat in range(repeats):
        shutil.rmtree(twin / "cache", ignore_errors=True)
        cold = child_build("vanilla", twin, output, CACHED)
        slug = f"post-{(posts // 2 + repeat * 7) % posts:04d}"
        page = twin / "content" / "posts" / slug / "index.md"
        page.write_text(page.read_text(encoding="utf-8").replace(
            "sum of squares below", f"edited {repeat}: sum of squares below"), encoding="utf-8")
        rebuild = child_build("vanilla", twin, output, CACHED)
        loop.cold.values.append(cold.wall)
        loop.rebuild.values.append(rebuild.wall)
    return loop


def _checked(result: BuildResult, expected_prefixes: list[str]) -> BuildResult:
    """Exactly one execution per expected prefix (the edited post has one run)."""
    executed = result.executions
    if len(executed) != len(expected_prefixes) or not all(
            run.startswith(prefix) for run, prefix in zip(executed, expected_prefixes)):
        raise AssertionError(f"expected executions {expected_prefixes}, got {executed[:5]}")
    return result
