#!/usr/bin/env python3
"""Replay the runs of a "Code That Runs" post on this machine and say what differs.

Shipped in each post's reproduce archive beside manifest.json, files/ and
requirements.txt; needs only the standard library of Python 3.9 or later.  Each
session runs in a fresh temporary folder (work/ is a copy of files/, HOME and
TMPDIR live beside it), every command in a process group of its own with stdin
from /dev/null; a timeout kills the group, and when a session ends everything it
started is killed.  Outputs are compared as the blog's engine compares them: the
session folder reads /tmp/sample, the venv $VENV, and what a mask matches is ignored.

Exit status: 0 every run matched, 1 some run differs, 2 something needed is missing.
"""

from __future__ import annotations

import argparse
import difflib
import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
PLACEHOLDER = "/tmp/sample"
VENV_PLACEHOLDER = "$VENV"
MASKED = "…"
MARKER = "SAMPLE_SESSION"
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
OUTPUT_CAP = 1024 * 1024
DRAIN_GRACE = 0.2  # how long a finished command's pipe is read for background writers
NOTED: list = []  # the note that runs are not network-isolated is printed once


def apply_masks(text: str, masks: list) -> str:
    for mask in masks:
        text = re.sub(mask, MASKED, text, flags=re.MULTILINE)
    return text


class Session:
    """One session's folder and processes, as the engine sets them up."""

    def __init__(self, files: Path, bin_dir: Path, venv: Path | None) -> None:
        self.token = uuid.uuid4().hex
        self.root = Path(tempfile.mkdtemp(prefix="sample-"))
        self.root.chmod(0o755)
        self.work = self.root / "work"
        if files.is_dir():
            shutil.copytree(files, self.work, symlinks=True)
        else:  # a post whose runs need no file of its own
            self.work.mkdir()
        (self.root / "home").mkdir()
        (self.root / "tmp").mkdir()
        (self.root / "tmp").chmod(0o1777)
        (self.root / "blocks").mkdir()
        self.venv = venv
        self.environment = {
            "PATH": f"{bin_dir}:{SYSTEM_PATH}", "HOME": str(self.root / "home"),
            "TMPDIR": str(self.root / "tmp"), "TZ": "UTC", "LANG": "C.UTF-8", "TERM": "dumb",
            "PYTHONUNBUFFERED": "1", MARKER: self.token,
        }
        self.groups: list = []
        self.network = network_namespace(self.token)

    def run(self, run: dict) -> tuple:
        """(output with placeholders, exit status, problem or None) of one run."""
        if run["kind"] == "exec":
            block = self.root / "blocks" / "line{}.{}".format(run["line"], run["suffix"])
            block.write_text(run["body"] + "\n", encoding="utf-8")
            argv = [run["interpreter"], str(block)]
        else:
            argv = ["/bin/bash", "-c", run["command"]]
        if self.network is not None:
            argv = ["nsenter", f"--net=/run/netns/{self.network}", "--", *argv]
        extra = {name: value.replace("{work}", str(self.work))
                 for name, value in run.get("environment", {}).items()}
        try:
            process = subprocess.Popen(
                argv, cwd=str(self.work), env={**self.environment, **extra},
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        except OSError as err:
            return "", 127, f"could not start {argv[0]}: {err.strerror}"
        self.groups.append(process.pid)
        chunks: list = []
        reader = threading.Thread(target=_read_all, args=(process.stdout, chunks), daemon=True)
        reader.start()
        problem = None
        try:
            process.wait(timeout=run["timeout"])
        except subprocess.TimeoutExpired:
            _kill_group(process)
            problem = "timed out after {:g} s and was killed with its process group".format(
                run["timeout"])
        reader.join(DRAIN_GRACE)
        raw = b"".join(list(chunks))
        if len(raw) > OUTPUT_CAP:
            problem = problem or f"printed {len(raw)} bytes, over the 1 MiB output cap"
        status = process.returncode
        status = 128 - status if status < 0 else status
        return self.placeholder(raw[:OUTPUT_CAP].decode("utf-8", "replace")), status, problem

    def placeholder(self, text: str) -> str:
        for form in {str(self.root.resolve()), str(self.root)}:
            text = text.replace(form, PLACEHOLDER)
        if self.venv is not None:
            text = text.replace(str(self.venv), VENV_PLACEHOLDER)
        return text

    def close(self) -> None:
        """Kill what the session started (its process groups, its marker), remove its folder."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for group in self.groups:
                _signal(os.killpg, group, sig)
            for pid in self.members():
                _signal(os.kill, pid, sig)
            deadline = time.monotonic() + 5
            while self.members() and time.monotonic() < deadline:
                time.sleep(0.05)
            if not self.members():
                break
        if self.network is not None:
            _quiet(["ip", "netns", "delete", self.network])
        shutil.rmtree(self.root, ignore_errors=True)

    def members(self) -> list:
        marker = f"{MARKER}={self.token}".encode()
        found = []
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:
                fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
                if fields[0] in ("Z", "X"):
                    continue
                if int(fields[2]) in self.groups or int(fields[3]) in self.groups or \
                        marker in Path(entry.path, "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue
        return found


def network_namespace(token: str):
    """As the engine does as root: a network namespace whose only interface is ``lo`` (up),
    so a run reaches 127.0.0.1 and nothing else; None (said once) where that is impossible."""
    if os.geteuid() == 0 and shutil.which("ip") and shutil.which("nsenter"):
        name = f"verify-{os.getpid()}-{token[:8]}"  # whose it is, for anyone cleaning up
        if _quiet(["ip", "netns", "add", name]):
            if _quiet(["ip", "-n", name, "link", "set", "lo", "up"]):
                return name
            _quiet(["ip", "netns", "delete", name])
    if not NOTED:
        NOTED.append(True)
        print("note: runs are not network-isolated here (a namespace with loopback only needs "
              "root and iproute2's ip)", flush=True)
    return None


def _quiet(argv: list) -> bool:
    return subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL, check=False).returncode == 0


def _read_all(pipe, chunks: list) -> None:
    size = 0
    try:
        for data in iter(lambda: os.read(pipe.fileno(), 65536), b""):
            if size <= OUTPUT_CAP:
                chunks.append(data)
            size += len(data)
    except OSError:
        pass
    finally:
        pipe.close()


def _kill_group(process: subprocess.Popen) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        _signal(os.killpg, process.pid, sig)
        try:
            process.wait(timeout=2)
            return
        except subprocess.TimeoutExpired:
            continue


def _signal(kill, target: int, sig: int) -> None:
    try:
        kill(target, sig)
    except (ProcessLookupError, PermissionError):
        pass


def missing_tools(manifest: dict, runs: list, path: str, debian_only: bool = False) -> dict:
    """Tool -> Debian package (or None) of every tool the chosen runs call that is absent
    from ``path`` (with ``debian_only``, only tools a Debian package provides)."""
    wanted = {tool for run in runs for tool in run["needs"]} | set(manifest["tools"])
    return {tool: manifest["tools"].get(tool) for tool in sorted(wanted)
            if (manifest["tools"].get(tool) or not debian_only)
            and shutil.which(tool, path=path) is None}


def make_venv(requirements: Path, folder: Path) -> Path:
    """A venv with the pinned requirements (made again only when they changed)."""
    stamp = hashlib.sha256(requirements.read_bytes() + sys.version.encode()).hexdigest()
    if (folder / "stamp").is_file() and (folder / "stamp").read_text() == stamp:
        return folder
    print(f"creating {folder.name}/ with the pins of requirements.txt (pip needs the network)")
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(folder)], check=True)
    pins = [line for line in requirements.read_text().splitlines() if line.split("#")[0].strip()]
    if pins:
        subprocess.run([str(folder / "bin" / "python"), "-m", "pip", "install", "-q",
                        "--disable-pip-version-check", "-r", str(requirements)], check=True)
    (folder / "stamp").write_text(stamp)
    return folder


def python_shim() -> Path:
    """A folder where ``python`` is this interpreter, as runs expect without a venv."""
    folder = Path(tempfile.mkdtemp(prefix="verify-bin-"))
    for name in ("python", "python3"):
        (folder / name).symlink_to(sys.executable)
    return folder


def compare(run: dict, output: str, status: int, problem) -> list:
    """Lines saying how the fresh result differs from the recorded one (empty: it matches)."""
    where = "line {}".format(run["line"])
    lines = [problem] if problem else []
    if status != run["exit"]:
        lines.append("exit status {}, expected {}".format(status, run["exit"]))
    recorded, fresh = apply_masks(run["output"], run["masks"]), apply_masks(output, run["masks"])
    if recorded != fresh:
        lines += [d.rstrip("\n") for d in difflib.unified_diff(
            recorded.splitlines(True), fresh.splitlines(True),
            f"index.md {where} (recorded)", f"index.md {where} (this machine)")]
    return lines


def title_of(run: dict) -> str:
    text = run["describe"].splitlines()[0] if run["describe"] else ""
    return "line {} {}".format(run["line"], text if len(text) <= 70 else text[:69] + " …")


def lock_path(name: str) -> Path:
    """The engine's lock file for ``Sample-Lock: NAME`` (the same path, so a replay here
    and the blog's own build or tests on this machine never interleave)."""
    folder = Path("/run/lock")
    return (folder if os.access(folder, os.W_OK) else Path(tempfile.gettempdir())) \
        / f"code-that-runs-{name}.lock"


def take_locks(names: list) -> list:
    """Hold every machine-wide lock of the post (an open file each) for one session."""
    held = []
    for name in names:
        handle = open(lock_path(name), "a+")  # noqa: SIM115  (kept open while held)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"waiting for the machine-wide lock {name!r}: another session of this post "
                  "is running", flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        held.append(handle)
    return held


def replay(manifest: dict, sessions: list, target, bin_dir: Path, venv) -> list:
    """Run the chosen sessions (up to ``target`` when given); one report entry per run."""
    report = []
    for session in sessions:
        held = take_locks(manifest.get("locks", []))
        live = Session(HERE / "files", bin_dir, venv)
        try:
            for run in session["runs"]:
                output, status, problem = live.run(run)
                differences = compare(run, output, status, problem)
                counted = target is None or run["line"] == target
                mark = ("✓" if not differences else "✗") if counted else "·"
                print(f"{mark} {title_of(run)}" + ("" if counted else " (replayed)"), flush=True)
                if differences and counted:
                    print("\n".join("    " + line for line in differences), flush=True)
                if counted:
                    report.append({"line": run["line"], "session": session["name"],
                                   "run": run["describe"], "expected_exit": run["exit"],
                                   "exit": status, "matches": not differences,
                                   "differences": differences})
                if run["line"] == target:
                    break
        finally:
            live.close()
            for handle in held:
                handle.close()  # closing the file releases its flock
    return report


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--venv", action="store_true",
                        help="create .venv/ with requirements.txt and put it first on PATH")
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
    status = run_checked(args, manifest, sessions, result)
    result["status"] = status
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    return status


def run_checked(args, manifest: dict, sessions: list, result: dict) -> int:
    runs = [r for s in sessions for r in s["runs"]]
    # Debian's tools first: a missing one costs no venv and no replay.
    if report_missing(missing_tools(manifest, runs, SYSTEM_PATH, debian_only=True), result):
        return 2
    venv = None
    if args.venv:
        try:
            venv = make_venv(HERE / "requirements.txt", HERE / ".venv")
        except (subprocess.CalledProcessError, OSError) as err:
            print(f"could not create the venv: {err}")
            return 2
    shim = None if venv else python_shim()
    bin_dir = venv / "bin" if venv else shim
    try:
        if report_missing(missing_tools(manifest, runs, f"{bin_dir}:{SYSTEM_PATH}"), result):
            return 2
        if manifest["requirements"] and venv is None:
            print("note: the runs import {} pinned distributions (requirements.txt); without "
                  "--venv, whatever is on PATH is used".format(len(manifest["requirements"])))
        result["runs"] = replay(manifest, sessions, args.post_line, bin_dir, venv)
    finally:
        if shim is not None:
            shutil.rmtree(shim, ignore_errors=True)
    differ = sum(not r["matches"] for r in result["runs"])
    total = len(result["runs"])
    print(f"{total - differ} of {total} runs match" + (f", {differ} differ" if differ else ""))
    return 1 if differ else 0


def report_missing(missing: dict, result: dict) -> bool:
    """Print the missing tools and the line that installs them; True if any is missing."""
    if missing:
        result["missing_tools"] = missing
        print("missing tools: " + ", ".join(missing))
        packages = sorted({p for p in missing.values() if p})
        if packages:
            print("install them with: sudo apt-get install " + " ".join(packages))
    return bool(missing)

if __name__ == "__main__":
    sys.exit(main())
