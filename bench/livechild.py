"""The live loop of `invoke livereload`, in a process of its own, for the benchmark.

Usage: ``python bench/livechild.py '<json spec>'`` (site, output, cache).  Prints
``PORT n`` once the first build is served, ``BUSY`` when a rebuild starts, and after it ``SETTLED`` with
the run time of executed samples (search index and old-tree removal done), so the
harness can compare the tree with a cold build.  The reload signal itself is what the
harness times, read from the server's event stream like a browser would.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))

from engine.execute import run_finished  # noqa: E402
from sitebuild.live import LiveSite  # noqa: E402
from sitebuild.live.reload import ReloadHub, serve_site  # noqa: E402
from watchfiles import Change, watch  # noqa: E402

LIVE = {"CACHE_CONTENT": True, "LOAD_CONTENT_CACHE": True, "GZIP_CACHE": False}
RUN_SECONDS: list[float] = []


def count(sample, result, **_) -> None:
    RUN_SECONDS.append(result.duration)


def main(spec: dict) -> None:
    site_root, output = Path(spec["site"]), Path(spec["output"])
    override = {"PATH": str(site_root / "content"), "SAMPLES_PROJECT_ROOT": str(site_root),
                "CACHE_PATH": spec["cache"], "SAMPLES_PROGRESS": "off", **LIVE}
    hub = ReloadHub()
    site = LiveSite(ROOT / "pelicanconf.py", output, override, hub,
                    echo=lambda line: print(line, file=sys.stderr, flush=True))
    run_finished.connect(count)
    if not site.rebuild().ok:
        raise SystemExit(1)
    site.settle()
    server = serve_site(output, "127.0.0.1", 0, hub)
    print(f"PORT {server.server_address[1]}", flush=True)
    for batch in watch(site_root / "content", step=20, rust_timeout=500,
                       watch_filter=lambda _change, path: not site.ignores(path)):
        RUN_SECONDS.clear()
        print("BUSY", flush=True)
        site.rebuild(sorted({Path(path) for _, path in batch}), site_root,
                     only_modified=all(change == Change.modified for change, _ in batch))
        site.settle()
        print(f"SETTLED {sum(RUN_SECONDS):.3f}", flush=True)


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
