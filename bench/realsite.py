"""The real site: frozen render and build times, and full re-execution per post.

Other engineers edit posts while benchmarks run, so the frozen build works on a
snapshot of ``content/`` and leaves out (and reports) posts whose store is stale.
Re-execution runs pytest on each post's index.md in the project itself, exactly as
the test suite does, one pytest process per post.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from engine.errors import SampleError, SampleErrors
from engine.pipeline import build_post, load_post
from samples.settings import load_config

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


@dataclass
class PostTimes:
    slug: str
    samples: int
    frozen_render: float | None  # seconds in the engine with execution off; None if stale
    stale: str = ""
    reexecution: float | None = None
    outcome: str = "not run"


def frozen_renders(content: Path) -> list[PostTimes]:
    """Engine time per post with execution off (parse, select, keys, store, render)."""
    settings = load_config(ROOT / "pelicanconf.py", {
        "PATH": str(content), "SAMPLES_PROJECT_ROOT": str(content.parent),
        "SAMPLES_EXECUTE": False, "SAMPLES_PROGRESS": "off"})
    rows = []
    for source in sorted((content / "posts").glob("*/index.md")):
        count = len(load_post(source, settings).samples)
        started = time.perf_counter()
        try:
            build_post(source, settings)
            rows.append(PostTimes(source.parent.name, count, time.perf_counter() - started))
        except (SampleError, SampleErrors) as err:
            first = str(err).splitlines()[0]
            rows.append(PostTimes(source.parent.name, count, None, stale=first))
    return rows


def snapshot(target: Path, leave_out: list[str]) -> Path:
    """A copy of the project's content (minus ``leave_out`` posts) to build from."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(ROOT / "content", target / "content",
                    ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    for slug in leave_out:
        shutil.rmtree(target / "content" / "posts" / slug)
    shutil.copy(ROOT / "requirements.txt", target / "requirements.txt")
    return target


def reexecute(post: PostTimes, timeout: float) -> None:
    """Run pytest on one post (every include, run and exec, fresh) and time it."""
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
             f"content/posts/{post.slug}/index.md"],
            cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        post.reexecution, post.outcome = time.perf_counter() - started, f"timeout {timeout:g} s"
        return
    post.reexecution = time.perf_counter() - started
    if done.returncode != 0:  # keep the evidence: which sample differed, and how
        (RESULTS / f"reexecution-{post.slug}.txt").write_text(done.stdout + done.stderr)
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-200:]
    counts = re.findall(r"(\d+) (passed|failed|error|errors|skipped)", summary)
    post.outcome = ", ".join(f"{n} {what}" for n, what in counts) or summary
