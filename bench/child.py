"""One build in a fresh process, so that each measurement has its own peak RSS.

Usage: ``python bench/child.py '<json spec>'``; prints one JSON line on stdout.
The spec names the flavour (``ours``: the project's strict staged build with the
sample plugin; ``ours-no-search``: the same without the Pagefind index, to apportion
the cost; ``vanilla``: the same Pelican and settings with PLUGINS=[]), the
site root, the output folder, setting overrides and an optional profile file.
The wall time covers the build only (imports of Pelican come before it, on both
sides); the parent reads the process's peak RSS from ``os.wait4``.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))

from engine.execute import run_finished  # noqa: E402
from pelican import Pelican  # noqa: E402
from pelican.settings import read_settings  # noqa: E402
from sitebuild import build_site  # noqa: E402
from sitebuild.build.report import ProblemCollector  # noqa: E402

SETTINGS_FILE = ROOT / "pelicanconf.py"


def site_overrides(site: Path, extra: dict) -> dict:
    """Settings that point pelicanconf.py at a site outside the project."""
    return {
        "PATH": str(site / "content"),
        "SAMPLES_PROJECT_ROOT": str(site),
        "CACHE_PATH": str(site / "cache"),
        **extra,
    }


SERVICE_MIB: list[float] = []  # peak RSS of our build's Pagefind service process


def build_ours(site: Path, output: Path, extra: dict, search: str = "now") -> list[str]:
    report = build_site(SETTINGS_FILE, output, site_overrides(site, extra), search=search)
    SERVICE_MIB.append(report.search_service_mib)
    return report.problems


def build_ours_without_search(site: Path, output: Path, extra: dict) -> list[str]:
    """Our build without the Pagefind index (against vanilla Pelican alone)."""
    return build_ours(site, output, extra, search="off")


def build_vanilla(site: Path, output: Path, extra: dict) -> list[str]:
    settings = read_settings(str(SETTINGS_FILE), override={
        **site_overrides(site, extra), "PLUGINS": [], "OUTPUT_PATH": str(output)})
    collector = ProblemCollector()
    logging.getLogger().addHandler(collector)
    try:
        Pelican(settings).run()
    finally:
        logging.getLogger().removeHandler(collector)
    return collector.problems


FLAVOURS = {"ours": build_ours, "ours-no-search": build_ours_without_search,
            "vanilla": build_vanilla}


def main(spec: dict) -> dict:
    build = FLAVOURS[spec["flavour"]]
    site, output, extra = Path(spec["site"]), Path(spec["output"]), spec.get("override", {})
    profiler = None
    if spec.get("profile"):
        from pyinstrument import Profiler  # noqa: PLC0415

        profiler = Profiler(interval=0.002)
        profiler.start()
    executions: list[str] = []

    def count(sample, **_):
        executions.append(sample.where)

    run_finished.connect(count)
    started = time.perf_counter()
    problems = build(site, output, extra)
    wall = time.perf_counter() - started
    if profiler is not None:
        profiler.stop()
        Path(spec["profile"]).write_text(profiler.output_text(unicode=False, color=False,
                                                              show_all=False))
    # The Pagefind service's own peak (VmHWM before it exits): a child's ru_maxrss would
    # count the memory it shared with this process when it was forked.
    return {"wall": wall, "problems": problems, "executions": executions,
            "service_rss_mib": max(SERVICE_MIB, default=0.0)}


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]))))
