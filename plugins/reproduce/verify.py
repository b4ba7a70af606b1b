#!/usr/bin/env python3
"""Replay the runs of a "Code That Runs" post in its lab and say what differs.

Shipped in each post's reproduce archive beside manifest.json, files/, requirements.txt
and sandbox/, the blog's own session code: the post's lab (a Debian root filesystem)
is built with mmdebstrap, or reused, each session runs in it (its own namespaces) exactly
as the blog ran it, under the limits the manifest carries, and outputs are compared as
the blog compares them.  ``--host`` replays on this machine instead, with its own
versions.  Needs only the standard library of Python 3.9 or later.

Exit status: 0 every run matched, 1 some run differs, 2 something needed is missing.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from sandbox import RunFailure, RunSpec, Session, Settings, differences, figure_differences  # noqa: E402
from sandbox.host import make_venv, missing_commands  # noqa: E402
from sandbox.lab import Lab, build_lab, default_cache, find_lab, what_a_build_fetches  # noqa: E402
from sandbox.session import SYSTEM_PATH, python_shim  # noqa: E402
from sandbox.userns import LabError, mapping_tools, missing_tools  # noqa: E402


def report_missing(missing: dict, result: dict) -> bool:
    """Print the missing tools and the line that installs them; True if any is missing."""
    if missing:
        result["missing_tools"] = missing
        print("missing tools: " + ", ".join(missing))
        packages = sorted({p for p in missing.values() if p})
        if packages:
            print("install them with: sudo apt-get install " + " ".join(packages))
    return bool(missing)


def announce(line: str) -> None:
    print(line, flush=True)


def title_of(run: dict) -> str:
    text = run["describe"].splitlines()[0] if run["describe"] else ""
    return "line {} {}".format(run["line"], text if len(text) <= 70 else text[:69] + " …")


def replay(manifest: dict, sessions: list, target, bin_dir=None, venv=None, lab=None) -> list:
    """Run the chosen sessions (up to ``target`` when given); one report entry per run."""
    settings = Settings.from_dict(manifest["settings"])
    report = []
    for session in sessions:
        with Session(HERE / "files", settings, bin_dir=bin_dir, venv=venv, lab=lab) as live:
            for run in session["runs"]:
                spec = RunSpec.from_dict(run)
                try:
                    result = live.run(spec)
                    found = differences(run["output"], spec.exit, result.output, result.exit_status,
                                        spec.masks, f"index.md line {spec.line}", settings.masked)
                    found += figure_differences(spec.figure, run.get("recorded_figure"), result.figure,
                                                spec.figure_varies)
                    status = result.exit_status
                except RunFailure as failure:
                    found, status = [failure.message], None
                counted = target is None or spec.line == target
                mark = ("✓" if not found else "✗") if counted else "·"
                print(f"{mark} {title_of(run)}" + ("" if counted else " (replayed)"), flush=True)
                if found and counted:
                    print("\n".join("    " + line for line in found), flush=True)
                if counted:
                    report.append({"line": spec.line, "session": session["name"],
                                   "run": run["describe"], "expected_exit": spec.exit,
                                   "exit": status, "matches": not found, "differences": found})
                if spec.line == target:
                    break
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
            print(f"no run or exec at line {args.post_line}; runs are at lines "
                  + ", ".join(map(str, lines)))
            return 2
    result = {"post": manifest["post"], "python": sys.version.split()[0],
              "recorded_python": manifest["python"], "runs": []}
    result["status"] = status = run_checked(args, manifest, sessions, result)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    return status


def run_checked(args, manifest: dict, sessions: list, result: dict) -> int:
    if not args.host:
        return run_in_lab(args, manifest, sessions, result)
    print("note: replaying on this machine (--host), not in the post's lab: versions differ "
          "from the record's, and so may outputs")
    runs = [r for s in sessions for r in s["runs"]]
    # Debian's tools first: a missing one costs no venv and no replay.
    if report_missing(missing_commands(manifest, runs, SYSTEM_PATH, debian_only=True), result):
        return 2
    venv = None
    if args.venv:
        try:
            venv = make_venv(HERE / "requirements.txt", HERE / ".venv", announce)
        except (subprocess.CalledProcessError, OSError) as err:
            print(f"could not create the venv: {err}")
            return 2
    bin_dir = venv / "bin" if venv else python_shim()
    try:
        if report_missing(missing_commands(manifest, runs, f"{bin_dir}:{SYSTEM_PATH}"), result):
            return 2
        if manifest["requirements"] and venv is None:
            print("note: the runs import {} pinned distributions (requirements.txt); without "
                  "--venv, whatever is on PATH is used".format(len(manifest["requirements"])))
        result["runs"] = replay(manifest, sessions, args.post_line, bin_dir, venv)
    finally:
        if venv is None:
            shutil.rmtree(bin_dir, ignore_errors=True)
    return summary(result)


def run_in_lab(args, manifest: dict, sessions: list, result: dict) -> int:
    """Build (or reuse) the post's lab and replay every chosen session in it."""
    missing = missing_tools("mmdebstrap", "mount", *mapping_tools())
    if missing:
        print("this machine lacks {} to build and enter the post's lab".format(", ".join(missing)))
        print("install them with: sudo apt-get install mmdebstrap uidmap mount")
        print("or replay on this machine: python3 verify.py --host (its versions may differ, "
              "and so may outputs)")
        result["missing_tools"] = {tool: None for tool in missing}
        return 2
    lab = Lab.from_dict(manifest["lab"])
    cache = args.cache or default_cache()
    try:
        built = find_lab(lab, cache)
        if built is None:
            print(what_a_build_fetches(lab, manifest.get("lab_download_bytes") or 0, cache), flush=True)
            built = build_lab(lab, cache, announce)
        result["lab"] = {"release": lab.release, "debian": built.debian_version()}
        print(f"replaying in {lab.release} (Debian {built.debian_version()})", flush=True)
        result["runs"] = replay(manifest, sessions, args.post_line, lab=built)
    except LabError as err:
        print(f"the lab could not be used: {err}")
        return 2
    return summary(result)


def summary(result: dict) -> int:
    differ = sum(not r["matches"] for r in result["runs"])
    total = len(result["runs"])
    print(f"{total - differ} of {total} runs match" + (f", {differ} differ" if differ else ""))
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
