"""Smoke test of the benchmark harness on N=5: it runs end to end and writes its table.

Benchmarks are not tests: nothing here looks at a timing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_quick_runs_end_to_end_and_writes_the_table(tmp_path):
    out = tmp_path / "quick.md"
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    # The harness's scratch folder and every sample session land here, so leftovers show.
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "TMPDIR": str(scratch)})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    text = out.read_text(encoding="utf-8")
    assert "| measure | ours | baseline | ratio | target | met |" in text
    for measure in ("frozen build, 5 posts: wall s", "frozen build, 5 posts: peak RSS MiB",
                    "edit one sample, 5 posts", "tiny runs in one PostSession",
                    "pytest -n 2 vs -n 1", "real site frozen build",
                    "live loop, edit one post's prose, 5 posts", "live loop, edit one post's sample",
                    "frozen full build with search, 5 posts, whole processes",
                    "frozen full build without search"):
        assert measure in text
    assert "Edit loop checks (asserted): post-0002: 1 run executed, 1 of 5 post pages changed" in text
    assert "files identical to a cold build" in text  # the live loop's trees were compared
    assert "`ours` includes the Pagefind search index, fed page by page" in text
    assert "| frozen build, 5 posts: wall s |" in done.stdout  # the table is printed too
    left = sorted(p.name for p in scratch.iterdir() if not p.name.startswith("pytest-of-"))
    assert left == [], "the harness or a sample session left temporary folders behind"
