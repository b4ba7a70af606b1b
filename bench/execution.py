"""Execution overhead: the runner against bare subprocess.run, and 1 against 2 pytest workers."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from measure import Series
from samples.runner import SampleSession
from samples.samples import Run
from synthetic import RUN_COMMAND, write_settings

PLUGINS = Path(__file__).resolve().parents[1] / "plugins"


def tiny_run(line: int) -> Run:
    """The synthetic posts' run, as the parser would produce it."""
    return Run(lang="console", attrs={"run": RUN_COMMAND}, body="", line=line, end_line=line,
               path="bench")


def through_session(post_dir: Path, runs: int, per_session: int) -> float:
    """Seconds for ``runs`` runs through SampleSession, ``per_session`` runs per session."""
    started = time.perf_counter()
    done = 0
    while done < runs:
        session = SampleSession(post_dir, ("index.md", "samples.frozen.json"), 1024 * 1024)
        try:
            for _ in range(min(per_session, runs - done)):
                result = session.run(tiny_run(done + 1))
                assert result.exit_status == 0, result.output
                done += 1
        finally:
            session.close()
    return time.perf_counter() - started


def bare(post_dir: Path, runs: int) -> float:
    """Seconds for the same commands as bare subprocess.run calls (same shell, folder, PATH)."""
    environment = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "LANG": "C.UTF-8"}
    started = time.perf_counter()
    for _ in range(runs):
        done = subprocess.run(["/bin/bash", "-c", RUN_COMMAND], cwd=post_dir, env=environment,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL)
        assert done.returncode == 0, done.stdout
    return time.perf_counter() - started


def runner_overhead(post_dir: Path, runs: int, repeats: int) -> dict[str, Series]:
    """Alternate bare / one session / one session per run, ``repeats`` times each."""
    series = {"bare": Series(), "one session": Series(), "session per run": Series()}
    for _ in range(repeats):
        series["bare"].values.append(bare(post_dir, runs))
        series["one session"].values.append(through_session(post_dir, runs, runs))
        series["session per run"].values.append(through_session(post_dir, runs, 1))
    return series


PYTEST_INI = """[pytest]
pythonpath = {plugins}
addopts = -p samples.pytest_plugin -p no:cacheprovider -p no:playwright
samples_settings = settings.py
"""


def pytest_workers(site: Path, workers: int) -> float:
    """Seconds for ``pytest -n WORKERS --dist loadfile`` over the site's posts (all must pass)."""
    write_settings(site)
    (site / "pytest.ini").write_text(PYTEST_INI.format(plugins=PLUGINS))
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-n", str(workers), "--dist", "loadfile",
             "--rootdir", str(site), "-c", str(site / "pytest.ini"), str(site / "content")],
            cwd=site, stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            log.seek(0)
            raise RuntimeError(f"pytest -n {workers} failed:\n{log.read().decode()[-3000:]}")
    return elapsed


def worker_scaling(site: Path, repeats: int) -> dict[int, Series]:
    """Alternate 1 and 2 workers over the same generated site."""
    series = {1: Series(), 2: Series()}
    for _ in range(repeats):
        for workers in (1, 2):
            series[workers].values.append(pytest_workers(site, workers))
    return series
