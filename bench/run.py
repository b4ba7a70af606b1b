"""Benchmarks: our builds, rebuilds and sample execution against vanilla Pelican, as ratios.

    python bench/run.py            # full run (about 5 minutes), writes bench/results/latest.md
    python bench/run.py --quick    # N=5 smoke run, writes bench/results/quick.md.tmp
    python bench/run.py --speed    # only the authoring-at-scale rows (live loop, whole builds)
    python bench/run.py --speed --live-only --edits lead,new   # some live-loop rows only
    python bench/run.py --sessions --repeats 5   # only the session rows

Every comparison is measured in this invocation, alternating the two sides, because
the machine is shared: the ratios are what count, not the seconds.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(BENCH), str(ROOT / "plugins")]

import builds  # noqa: E402
import execution  # noqa: E402
import liveloop  # noqa: E402
import realsite  # noqa: E402
import report  # noqa: E402
import synthetic  # noqa: E402
from measure import Series, child_build  # noqa: E402
from report import Row  # noqa: E402

RESULTS = BENCH / "results"


@dataclass(frozen=True)
class Plan:
    sizes: tuple[int, ...]
    build_repeats: int
    edit_posts: int
    edit_repeats: int
    runs: int
    overhead_repeats: int
    worker_posts: int
    waiting_posts: int  # posts whose run waits WAIT seconds; 0 skips that row
    worker_repeats: int
    real_repeats: int
    reexecute: bool
    profile: bool


FULL = Plan(sizes=(100, 1000), build_repeats=5, edit_posts=1000, edit_repeats=3, runs=60,
            overhead_repeats=5, worker_posts=60, waiting_posts=20, worker_repeats=3,
            real_repeats=5, reexecute=True, profile=True)
QUICK = Plan(sizes=(5,), build_repeats=1, edit_posts=5, edit_repeats=1, runs=6,
             overhead_repeats=1, worker_posts=5, waiting_posts=0, worker_repeats=1,
             real_repeats=1, reexecute=False, profile=False)
WAIT = 0.3
REEXECUTION_TIMEOUT = 300


def ratio_row(what: str, ours: Series, base: Series, target: str, digits: int = 2,
              inverse: bool = False) -> Row:
    value = base.median / ours.median if inverse else ours.median / base.median
    return Row(what, ours.cell(digits), base.cell(digits), value, target)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def run(plan: Plan, scratch: Path, out: Path) -> bool:
    """Measure everything in ``plan``; write and print the table; False if a check failed."""
    load_before = os.getloadavg()
    watch = report.LoadWatch()
    rows: list[Row] = []
    notes: list[str] = []
    profiles: list[str] = []
    partial = out.with_name(out.name + ".partial")

    def checkpoint() -> None:
        """The rows so far, so that a run that dies later still leaves them."""
        partial.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(report.document("Benchmarks (partial)", [report.machine(
            load_before, os.getloadavg(), watch)], rows, [], notes), encoding="utf-8")

    sites = {}
    for posts in sorted(set(plan.sizes + (plan.edit_posts,))):
        log(f"generating {posts} posts (one real run, frozen result copied) and the vanilla twin")
        site = synthetic.generate(scratch / f"site-{posts}", posts)
        sites[posts] = (site, synthetic.vanilla_twin(site, scratch / f"vanilla-{posts}"))

    for posts in plan.sizes:
        log(f"build cost at {posts} posts: {plan.build_repeats} alternating runs each")
        diagnostic = posts == max(plan.sizes)
        cost = builds.build_cost(*sites[posts], scratch, posts, plan.build_repeats, diagnostic)
        rows.append(ratio_row(f"frozen build, {posts} posts: wall s", cost.wall["ours"],
                              cost.wall["vanilla"], "≤ 1.10"))
        rows.append(ratio_row(f"frozen build, {posts} posts: peak RSS MiB", cost.rss["ours"],
                              cost.rss["vanilla"], "≤ 1.2", digits=1))
        if diagnostic:
            for unit, series, digits in (("wall s", cost.wall, 2), ("peak RSS MiB", cost.rss, 1)):
                rows.append(ratio_row(f"(diagnostic) same, {posts} posts, ours without the "
                                      f"Pagefind step: {unit}", series["ours-no-search"],
                                      series["vanilla"], "", digits=digits))
        checkpoint()

    log(f"edit loop at {plan.edit_posts} posts with the content cache on")
    loop = builds.edit_loop(sites[plan.edit_posts][0], scratch, plan.edit_posts, plan.edit_repeats)
    edit_row = ratio_row(f"edit one sample, {plan.edit_posts} posts, content cache on: "
                         "rebuild vs cold build, wall s", loop.rebuild, loop.cold, "≤ 0.35")
    rows.append(edit_row)
    notes.append("Edit loop checks (asserted): " + "; ".join(loop.checks))
    log(f"the same loop in vanilla Pelican at {plan.edit_posts} posts (edit one post's Markdown)")
    floor = builds.vanilla_edit_loop(sites[plan.edit_posts][1], scratch, plan.edit_posts,
                                     plan.edit_repeats)
    rows.append(ratio_row("vanilla Pelican, same loop (edit one post's Markdown): rebuild vs "
                          "cold build, wall s", floor.rebuild, floor.cold, ""))

    checkpoint()
    rows += speed_rows(*sites[plan.edit_posts], scratch, plan.edit_posts, plan.edit_repeats, notes,
                       plan.profile)
    checkpoint()

    post_dir = sites[plan.sizes[0]][0] / "content" / "posts" / "post-0001"
    session_row, more = session_rows(post_dir, plan.runs, plan.overhead_repeats)
    rows += more
    checkpoint()

    log(f"pytest workers: {plan.worker_posts} posts with one tiny run, -n 1 vs -n 2")
    tiny_site = synthetic.generate(scratch / "workers-tiny", plan.worker_posts)
    workers = execution.worker_scaling(tiny_site, plan.worker_repeats)
    rows.append(ratio_row(f"pytest -n 2 vs -n 1 --dist loadfile, {plan.worker_posts} posts, "
                          f"tiny runs: speed-up (s)", workers[2], workers[1], "", inverse=True))
    if plan.waiting_posts:
        log(f"pytest workers: {plan.waiting_posts} posts whose run waits {WAIT} s")
        waiting_site = synthetic.generate(scratch / "workers-wait", plan.waiting_posts, pause=WAIT)
        waiting = execution.worker_scaling(waiting_site, plan.worker_repeats)
        rows.append(ratio_row(f"pytest -n 2 vs -n 1 --dist loadfile, {plan.waiting_posts} posts, "
                              f"runs that wait {WAIT} s: speed-up (s)", waiting[2], waiting[1],
                              "", inverse=True))

    log("real site: frozen renders per post, then frozen builds of a snapshot")
    posts = realsite.frozen_renders(ROOT / "content")
    stale = [post for post in posts if post.frozen_render is None]
    for post in stale:
        notes.append(f"Real site: {post.slug} left out of the frozen build, its store is stale "
                     f"({post.stale})")
    real_root = realsite.snapshot(scratch / "real", [post.slug for post in stale])
    real_twin = synthetic.vanilla_twin(real_root, scratch / "real-vanilla")
    cost = builds.build_cost(real_root, real_twin, scratch, len(posts) - len(stale),
                             plan.real_repeats)
    built = f"{len(posts) - len(stale)} of {len(posts)} posts"
    rows.append(ratio_row(f"real site frozen build ({built}): wall s", cost.wall["ours"],
                          cost.wall["vanilla"], "≤ 1.10"))
    rows.append(ratio_row(f"real site frozen build ({built}): peak RSS MiB", cost.rss["ours"],
                          cost.rss["vanilla"], "≤ 1.2", digits=1))
    checkpoint()
    if plan.reexecute:
        for post in posts:
            log(f"real site: re-executing {post.slug} with pytest")
            realsite.reexecute(post, REEXECUTION_TIMEOUT)
    real_rows = [[post.slug, str(post.samples),
                  "stale" if post.frozen_render is None else f"{post.frozen_render:.3f}",
                  "–" if post.reexecution is None else f"{post.reexecution:.1f}", post.outcome]
                 for post in posts]
    if plan.reexecute:
        total = sum(post.reexecution or 0 for post in posts)
        real_rows.append(["**all posts**", str(sum(p.samples for p in posts)), "",
                          f"{total:.1f}", ""])

    if plan.profile:
        profiles += write_profiles(rows, edit_row, session_row, sites, plan, scratch, post_dir,
                                   real_root)

    notes += context_notes(plan, profiles) + SPEED_NOTES
    context = [f"run {time.strftime('%Y-%m-%d %H:%M %Z')}, {'quick' if plan is QUICK else 'full'} "
               "plan", report.machine(load_before, os.getloadavg(), watch.stop()), report.versions(),
               "cells: median (min–max); ratio = ours / baseline (speed-ups: 1 worker / 2 workers)"]
    text = report.document("Benchmarks", context, rows, real_rows, notes)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(text)
    partial.unlink(missing_ok=True)
    log(f"written to {out}")
    return True


def session_rows(post_dir: Path, runs: int, repeats: int) -> tuple[Row, list[Row]]:
    """The session rows (issue 27, item 3): ``runs`` tiny runs in one session, one session
    each, and what starting and closing a lab session adds; (the session-per-run row, all)."""
    log(f"runner overhead: {runs} tiny runs, {repeats} alternating rounds")
    overhead = execution.runner_overhead(post_dir, runs, repeats)
    rows = [ratio_row(f"{runs} tiny runs in one PostSession vs bare subprocess.run, s",
                      overhead["one session"], overhead["bare"], "≤ 1.2")]
    session_row = ratio_row(f"{runs} tiny runs, one PostSession each vs bare subprocess.run, s",
                            overhead["session per run"], overhead["bare"], "≤ 1.2")
    rows.append(session_row)
    # What starting (and closing) one lab session adds to a run, over a bare process start:
    # the session-per-run series minus bare, per run, measured in the same rounds.
    extra = Series([(each - bare) / runs * 1000 for each, bare in
                    zip(overhead["session per run"].values, overhead["bare"].values)])
    rows.append(Row("starting and closing a lab session, over a bare process start, ms per "
                    "session", extra.cell(1), "bare subprocess.run", extra.median, "≤ 50"))
    return session_row, rows


def run_sessions(scratch: Path, out: Path, repeats: int) -> bool:
    """Only the session rows, on one synthetic post: ``python bench/run.py --sessions``."""
    load_before = os.getloadavg()
    site = synthetic.generate(scratch / "site-2", 2)  # post-0001 has its own sample.py
    _, rows = session_rows(site / "content" / "posts" / "post-0001", FULL.runs, repeats)
    context = [f"run {time.strftime('%Y-%m-%d %H:%M %Z')}, sessions plan ({repeats} alternating "
               "rounds)", report.machine(load_before, os.getloadavg()), report.versions(),
               "cells: median (min–max); ratio = ours / baseline"]
    text = report.document("Benchmarks", context, rows, [], [])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(text)
    return True


SPEED_NOTES = [
    "Live loop: `livechild.py` runs sitebuild.live.LiveSite (what `invoke livereload` runs) "
    "in its own process with the content cache on; the harness edits a file, and the time "
    "runs from the save to the moment the server sends the reload event (monotonic clock "
    "shared by both processes), watcher latency included. Cold build: a fresh process, "
    "empty cache, same edited site, same settings; after every round the live output tree "
    "(search index refreshed in the background) equals the cold build's byte for byte.",
    "Whole processes: wall and peak RSS of the processes a user would run, interpreter "
    "start-up and imports included. Ours: one process whose Pagefind service (its child) "
    "indexes pages as they are written; its RSS is ours + the service's peak (an upper "
    "bound, they overlap). Vanilla: Pelican with PLUGINS=[] then `python -m pagefind` "
    "with the same glob; RSS is the larger of the two.",
    "The machine's 2 cores are shared with other sessions: see the min–max spans.",
]


def speed_rows(site: Path, twin: Path, scratch: Path, posts: int, repeats: int,
               notes: list[str], profile: bool = True, edits: tuple[str, ...] = liveloop.EDITS,
               whole_builds: bool = True) -> list[Row]:
    """Issues 17 and 27: the live loop against cold builds, one row per kind of one-post edit;
    whole builds against Pelican + Pagefind."""
    rows = []
    for edit in edits:
        log(f"live loop at {posts} posts: edit one post's {edit}, {repeats} alternating rounds")
        loop = liveloop.live_loop(site, scratch, posts, repeats, edit)
        kind = {"new": "add a new post", "delete": "delete a post"}.get(
            edit, f"edit one post's {edit}")
        what = (f"live loop, {kind}, {posts} posts: save → page written and "
                "reload sent vs cold build, s")
        if edit != "sample":
            rows.append(ratio_row(what, loop.live, loop.cold, "≤ 0.10"))
        else:
            allowance = loop.runs.median / loop.cold.median
            rows.append(ratio_row(what, loop.live, loop.cold, f"≤ {0.10 + allowance:.2f}"))
            notes.append(f"Sample edit: the post's run took {loop.runs.cell(3)} s (median, "
                         f"min–max), {allowance:.3f} of a cold build; its target is 0.10 + that.")
        notes.append(f"Live loop, {edit} edits (asserted): " + "; ".join(loop.checks))
    if not whole_builds:
        return rows
    log(f"whole-process builds at {posts} posts: {repeats} alternating rounds")
    cost = builds.whole_process_cost(site, twin, scratch, repeats)
    rows.append(ratio_row(f"frozen full build with search, {posts} posts, whole processes vs "
                          "vanilla Pelican then python -m pagefind: wall s", cost.wall["ours"],
                          cost.wall["vanilla"], "≤ 0.90"))
    rows.append(ratio_row("same: peak RSS MiB (ours + its Pagefind service)", cost.rss["ours"],
                          cost.rss["vanilla"], "≤ 1.1", digits=1))
    rows.append(ratio_row(f"frozen full build without search, {posts} posts, whole processes vs "
                          "vanilla Pelican: wall s", cost.wall["ours-no-search"],
                          cost.wall["vanilla-no-search"], "≤ 1.05"))
    rows.append(ratio_row("same: peak RSS MiB", cost.rss["ours-no-search"],
                          cost.rss["vanilla-no-search"], "", digits=1))
    notes.append("Whole builds, the parts (median, min–max): " + "; ".join(
        f"{name} {series.cell(1)}{'' if name.endswith(' s') else ' MiB'}"
        for name, series in cost.parts.items()))
    if profile and any(row.met == "**no**" for row in rows[-4:]):
        path = RESULTS / f"profile-build-search-{posts}.txt"
        log(f"profiling our frozen build with search at {posts} posts -> {path.name}")
        child_build("ours", site, scratch / "out-profile", builds.FROZEN, profile=path)
        notes.append(f"Profile of our full build with search: bench/results/{path.name}")
    return rows


def run_speed(scratch: Path, out: Path, posts: int, repeats: int,
              edits: tuple[str, ...] = liveloop.EDITS, whole_builds: bool = True) -> bool:
    load_before = os.getloadavg()
    log(f"generating {posts} posts and the vanilla twin")
    site = synthetic.generate(scratch / f"site-{posts}", posts)
    twin = synthetic.vanilla_twin(site, scratch / f"vanilla-{posts}")
    notes: list[str] = []
    rows = speed_rows(site, twin, scratch, posts, repeats, notes, edits=edits,
                      whole_builds=whole_builds)
    notes += SPEED_NOTES
    context = [f"run {time.strftime('%Y-%m-%d %H:%M %Z')}, speed plan ({posts} posts, "
               f"{repeats} alternating rounds)", report.machine(load_before, os.getloadavg()),
               report.versions(), "cells: median (min–max); ratio = ours / baseline"]
    text = report.document("Benchmarks", context, rows, [], notes)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(text)
    return True


def write_profiles(rows: list[Row], edit_row: Row, session_row: Row, sites, plan: Plan,
                   scratch: Path, post_dir: Path, real_root: Path) -> list[str]:
    """Profile the scenarios whose target was missed; return the files written."""
    written = []
    RESULTS.mkdir(exist_ok=True)
    big = max(plan.sizes)
    if any(row.met == "**no**" and "frozen build" in row.what and "real" not in row.what
           for row in rows):
        path = RESULTS / f"profile-build-{big}.txt"
        log(f"profiling our frozen build at {big} posts -> {path.name}")
        child_build("ours", sites[big][0], scratch / "out-profile", builds.FROZEN, profile=path)
        written.append(path.name)
    if any(row.met == "**no**" and row.what.startswith("real site") and "wall" in row.what
           for row in rows):
        path = RESULTS / "profile-build-real-site.txt"
        log(f"profiling our frozen build of the real site -> {path.name}")
        child_build("ours", real_root, scratch / "out-profile", builds.FROZEN, profile=path)
        written.append(path.name)
    if edit_row.met == "**no**":
        site = sites[plan.edit_posts][0]
        path = RESULTS / f"profile-rebuild-{plan.edit_posts}.txt"
        log(f"profiling a rebuild after one edit -> {path.name}")
        (site / "content" / "posts" / "post-0001" / "sample.py").write_text(
            synthetic.sample_source(99))
        child_build("ours", site, scratch / "out-profile", builds.CACHED, profile=path)
        written.append(path.name)
    if session_row.met == "**no**":
        path = RESULTS / "profile-session-per-run.txt"
        log(f"profiling one PostSession per run -> {path.name}")
        profiler = cProfile.Profile()
        profiler.runcall(execution.through_session, post_dir, plan.runs, 1)
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(25)
        path.write_text(stream.getvalue().replace(str(ROOT) + "/", ""))
        written.append(path.name)
    return written


def context_notes(plan: Plan, profiles: list[str]) -> list[str]:
    notes = [
        "Vanilla baseline: the same Pelican with pelicanconf.py, PLUGINS=[] and the same theme "
        "(theme/), so the ratio isolates the sample engine; its Markdown is ours with every "
        "sample fence replaced by plain fenced code holding the text our build shows (from the "
        "same parser). Both build into a fresh folder; ours through sitebuild.build_site "
        "(staged, strict), vanilla through Pelican(read_settings(...)).run().",
        "Each build runs in a fresh interpreter; wall = the build call only (Pelican imports "
        "excluded on both sides); peak RSS = the child's ru_maxrss from os.wait4.",
        "Synthetic posts: ~600 words, tags 3 of a pool of 30, two includes (region, lines) "
        "and one run of `python sample.py`; every post has the same sample.py, so one real "
        "execution freezes all of them; frozen builds run with SAMPLES_EXECUTE=False, which "
        "fails on any stale result.",
        "Edit loop: cold = empty content cache (CACHE_CONTENT and LOAD_CONTENT_CACHE on, "
        "execution on, nothing stale); rebuild = after editing one post's sample.py.",
        "Real site re-execution: `pytest content/posts/<slug>/index.md`, one process per post, "
        f"serial, timeout {REEXECUTION_TIMEOUT} s each.",
    ]
    notes.append("`ours` includes the Pagefind search index, fed page by page to a `pagefind "
                 "--service` process while Pelican renders (plugins/sitebuild/search.py); the "
                 "diagnostic rows build ours with search off, to show how much of the ratio is "
                 "search indexing and how much is the sample engine.")
    if profiles:
        notes.append("Profiles of missed targets: " + ", ".join(f"bench/results/{name}"
                                                               for name in profiles))
    return notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N=5 smoke run")
    parser.add_argument("--out", type=Path, help="results file (default: bench/results/...)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument("--speed", action="store_true",
                        help="only the live-loop and whole-build rows (issue 17)")
    parser.add_argument("--posts", type=int, default=1000, help="posts of the --speed site")
    parser.add_argument("--repeats", type=int, default=3, help="rounds of the --speed plan")
    parser.add_argument("--edits", default=",".join(liveloop.EDITS),
                        help="--speed: the kinds of one-post edit timed in the live loop, "
                             "comma-separated (default: all)")
    parser.add_argument("--sessions", action="store_true",
                        help="only the session rows (runs in one session, a session per run, "
                             "a lab session's start); --repeats rounds")
    parser.add_argument("--live-only", action="store_true",
                        help="--speed: only the live-loop rows, no whole-build rows")
    args = parser.parse_args(argv)
    edits = tuple(kind for kind in args.edits.split(",") if kind)
    unknown = sorted(set(edits) - set(liveloop.EDITS))
    if unknown:
        parser.error(f"unknown edit kind(s) {', '.join(unknown)} (one of {', '.join(liveloop.EDITS)})")
    plan = QUICK if args.quick else FULL
    out = args.out or RESULTS / ("quick.md.tmp" if args.quick else "latest.md")
    scratch = Path(tempfile.mkdtemp(prefix="bench-"))
    started = time.perf_counter()
    try:
        if args.sessions:
            ok = run_sessions(scratch, out, args.repeats)
        elif args.speed:
            ok = run_speed(scratch, out, args.posts, args.repeats, edits, not args.live_only)
        else:
            ok = run(plan, scratch, out)
    finally:
        if args.keep:
            log(f"scratch kept in {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    log(f"done in {time.perf_counter() - started:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
