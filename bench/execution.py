"""Execution overhead: the runner against bare subprocess.run, and 1 against 2 pytest workers."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from engine.config import SamplesConfig
from engine.execute import PostSession
from engine.model import Run
from engine.parse import PostDocument
from measure import Series
from synthetic import RUN_COMMAND, write_settings

PLUGINS = Path(__file__).resolve().parents[1] / "plugins"


def tiny_run(line: int) -> Run:
    """The synthetic posts' run, as the parser would produce it."""
    return Run(lang="console", attrs={"run": RUN_COMMAND}, body="", line=line, end_line=line,
               path="bench")


def config_for(post_dir: Path) -> SamplesConfig:
    """The engine's defaults, for a post folder outside any site."""
    return SamplesConfig.from_settings({"PATH": str(post_dir.parent)})


def through_session(post_dir: Path, runs: int, per_session: int) -> float:
    """Seconds for ``runs`` runs through PostSession, ``per_session`` runs per session."""
    started = time.perf_counter()
    done = 0
    while done < runs:
        with PostSession(PostDocument(post_dir / "index.md", "bench"), config_for(post_dir)) as session:
            for _ in range(min(per_session, runs - done)):
                result = session.run(tiny_run(done + 1))
                assert result.exit_status == 0, result.output
                done += 1
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
addopts = -p pytest_samples -p no:cacheprovider -p no:playwright
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
