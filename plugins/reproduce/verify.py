#!/usr/bin/env python3
"""Replay the runs of a "Code That Runs" post in its lab and say what differs.

Shipped in each post's reproduce archive with manifest.json, files/, requirements.txt and
sandbox/ (the blog's own session code). The post's lab, a Debian root filesystem, is built
with mmdebstrap (or reused), and each session replays in it under the manifest's limits, its
outputs compared as the blog compares them. ``--host`` replays on this machine instead, with
its own versions. Python 3.9+, standard library only.

Exit status: 0 every run matched, 1 some run differs, 2 something needed is missing.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from sandbox import Settings  # noqa: E402
from sandbox.host import host_python, missing_commands  # noqa: E402
from sandbox.lab import Lab, build_lab, default_cache, find_lab, what_a_build_fetches  # noqa: E402
from sandbox.session import SYSTEM_PATH, replay  # noqa: E402
from sandbox.userns import LabError, mapping_tools, missing_tools  # noqa: E402

say = functools.partial(print, flush=True)
# What building and entering a lab takes on the host, and the Debian package of each.
LAB_TOOLS = {"mmdebstrap": "mmdebstrap", "mount": "mount", "unshare": "util-linux",
             "bash": "bash", "newuidmap": "uidmap", "newgidmap": "uidmap"}


def report_missing(missing: dict, result: dict) -> bool:
    """Print the missing tools and the line that installs them; True if any is missing."""
    if missing:
        result["missing_tools"] = missing
        say("missing tools: " + ", ".join(missing))
        packages = sorted({p for p in missing.values() if p})
        if packages:
            say("install them with: sudo apt-get install " + " ".join(packages))
    return bool(missing)


def replay_and_report(manifest: dict, sessions: list, target, **where) -> list:
    """Replay the chosen sessions (up to the run at line ``target`` when given), printing
    a line per run; one report entry per run checked."""
    report = []
    for name, spec, run, found, status in replay(HERE / "files", Settings.from_dict(
            manifest["settings"]), sessions, target, **where):
        text = (run["describe"] or "\n").splitlines()[0]
        title = f"line {spec.line} " + (text if len(text) <= 70 else text[:69] + " …")
        if target is not None and spec.line != target:
            say(f"· {title} (replayed)")
            continue
        say(("✓ " if not found else "✗ ") + title)
        if found:
            say("\n".join("    " + line for line in found))
        report.append({"line": spec.line, "session": name, "run": run["describe"],
                       "expected_exit": spec.exit, "exit": status, "matches": not found,
                       "differences": found})
    return report


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", action="store_true",
                        help="replay on this machine, not in the post's lab (its versions may differ)")
    parser.add_argument("--venv", action="store_true",
                        help="with --host: create .venv/ with requirements.txt, first on PATH")
    parser.add_argument("--cache", metavar="DIR", type=Path,
                        help=f"where labs are kept (default: {default_cache()})")
    parser.add_argument("--post-line", type=int, metavar="N",
                        help="verify the sample at line N of the post (its session replays up to it)")
    parser.add_argument("--json", metavar="FILE", help="write a machine-readable report to FILE")
    args = parser.parse_args(argv)
    manifest = json.loads((HERE / "manifest.json").read_text(encoding="utf-8"))
    sessions = manifest["sessions"]
    if args.post_line is not None:
        sessions = [s for s in sessions if any(r["line"] == args.post_line for r in s["runs"])]
        if not sessions:
            lines = sorted(r["line"] for s in manifest["sessions"] for r in s["runs"])
            say(f"no run or exec at line {args.post_line}; runs are at lines "
                + ", ".join(map(str, lines)))
            return 2
    result = {"post": manifest["post"], "python": sys.version.split()[0],
              "recorded_python": manifest["python"], "runs": []}
    try:
        status = (run_on_host if args.host else run_in_lab)(args, manifest, sessions, result)
    except LabError as err:
        say(f"the replay could not start: {err}")
        status = 2
    if status is None:  # replayed: say how many runs matched
        total, differ = len(result["runs"]), sum(not r["matches"] for r in result["runs"])
        say(f"{total - differ} of {total} runs match" + (f", {differ} differ" if differ else ""))
        status = 1 if differ else 0
    result["status"] = status
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    return status


def run_on_host(args, manifest: dict, sessions: list, result: dict) -> int | None:
    """Replay the chosen sessions on this machine (None), or say what is missing (2)."""
    say("note: replaying on this machine (--host), not in the post's lab: versions differ "
        "from the record's, and so may outputs")
    runs = [r for s in sessions for r in s["runs"]]
    # Debian's tools first: a missing one costs no venv and no replay.
    if report_missing(missing_commands(manifest, runs, SYSTEM_PATH, debian_only=True), result):
        return 2
    with host_python(HERE / "requirements.txt", HERE / ".venv" if args.venv else None,
                     say) as (bin_dir, venv):
        if report_missing(missing_commands(manifest, runs, f"{bin_dir}:{SYSTEM_PATH}"), result):
            return 2
        if manifest["requirements"] and venv is None:
            say("note: the runs import {} pinned distributions (requirements.txt); without "
                "--venv, whatever is on PATH is used".format(len(manifest["requirements"])))
        result["runs"] = replay_and_report(manifest, sessions, args.post_line, bin_dir=bin_dir, venv=venv)
    return None


def run_in_lab(args, manifest: dict, sessions: list, result: dict) -> int | None:
    """Build (or reuse) the post's lab and replay the chosen sessions in it (None), or say
    what is missing (2)."""
    missing = {t: LAB_TOOLS[t] for t in missing_tools("mmdebstrap", "mount", *mapping_tools())}
    if report_missing(missing, result):
        say("or replay on this machine: python3 verify.py --host (its versions may differ)")
        return 2
    lab, cache = Lab.from_dict(manifest["lab"]), args.cache or default_cache()
    built = find_lab(lab, cache)
    if built is None:
        say(what_a_build_fetches(lab, manifest.get("lab_download_bytes") or 0, cache))
        built = build_lab(lab, cache, say)
    result["lab"] = {"release": lab.release, "debian": built.debian_version()}
    say(f"replaying in {lab.release} (Debian {built.debian_version()})")
    result["runs"] = replay_and_report(manifest, sessions, args.post_line, lab=built)
    return None


if __name__ == "__main__":
    sys.exit(main())
