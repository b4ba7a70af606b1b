"""Start gunicorn on a free local port, send numbered requests, count log lines.

usage: python drive.py APP --workers N [--config GUNICORN_CONF] [--preload]
                       [--requests 2000] [--clients 1] [--log-dir DIR]
                       [--logrotate CONFIG [--every SECONDS]]

APP is what gunicorn serves: MODULE (its variable `app`) or MODULE:EXPRESSION.

With one client (the default) requests are sent one after the other, so the
order of the request numbers is also the order in which the lines were logged.
The log files (app.log and its rotated copies, compressed or not) and
server.log, gunicorn's stderr, are read from --log-dir.  Besides the request
lines it counts the "--- Logging error ---" reports Python's logging writes to
stderr when a handler fails, and, with --logrotate, how many of logrotate's runs
renamed app.log.

Each measurement is appended to the list in drive.json.  The exit status is 2 if the
measurement itself failed (unanswered requests, a line found twice) or no request
left a line, else 0.
"""

import argparse
import glob
import gzip
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor

LINE = re.compile(r"hit #(\d+)")
WORKER_EXIT = re.compile(r"Worker exiting \(pid: \d+\)")
LOGGING_ERROR = "--- Logging error ---"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("app")
    parser.add_argument("--workers", type=int, required=True)
    parser.add_argument("--config", metavar="GUNICORN_CONF")
    parser.add_argument("--preload", action="store_true", help="gunicorn --preload")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=1)
    parser.add_argument("--log-dir", default=".")
    parser.add_argument("--logrotate", metavar="CONFIG")
    parser.add_argument("--every", type=float, default=0.2)
    return parser.parse_args()


def start_gunicorn(app: str, workers: int, config: str | None,
                   preload: bool) -> tuple[subprocess.Popen, int]:
    """Bind a free port ourselves and hand the socket to gunicorn as fd://N."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))  # port 0: the kernel picks a free one
    sock.listen(128)
    port = sock.getsockname()[1]
    target = app if ":" in app else f"{app}:app"
    options = (["--config", config] if config else []) + (["--preload"] if preload else [])
    server = subprocess.Popen(
        ["gunicorn", *options, "--workers", str(workers), "--bind", f"fd://{sock.fileno()}",
         "--no-control-socket", target],
        pass_fds=[sock.fileno()],
        stderr=subprocess.PIPE, text=True,
        start_new_session=True,  # its own process group, stopped as a whole
    )
    sock.close()  # gunicorn holds the only copy now
    return server, port


def supervise(server: subprocess.Popen, workers: int,
              log_dir: str) -> tuple[threading.Thread, threading.Event]:
    """Copy gunicorn's stderr into server.log, as a process supervisor would."""
    booted = threading.Event()

    def copy() -> None:
        count = 0
        with open(os.path.join(log_dir, "server.log"), "w") as out:
            for line in server.stderr:
                out.write(line)
                if "Booting worker" in line:
                    count += 1
                    if count == workers:
                        booted.set()

    thread = threading.Thread(target=copy)
    thread.start()
    return thread, booted


def stop_gunicorn(server: subprocess.Popen) -> None:
    """SIGTERM the master (graceful), then make sure its whole group is gone."""
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(server.pid, signal.SIGKILL)  # leftovers, if any
    except ProcessLookupError:
        pass
    server.wait()


def send_requests(port: int, count: int, clients: int) -> int:
    """GET /hit/1 .. /hit/COUNT from CLIENTS threads; return how many got 200."""
    def get(n: int) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/hit/{n}", timeout=10) as r:
                return r.status == 200
        except OSError:
            return False

    with ThreadPoolExecutor(clients) as pool:
        return sum(pool.map(get, range(1, count + 1)))


def inode(path: str) -> int | None:
    try:
        return os.stat(path).st_ino
    except FileNotFoundError:
        return None


def rotate_periodically(config: str, state: str, log: str, every: float, stop: threading.Event,
                        rotations: list[int], errors: list[str]) -> threading.Thread:
    """Run `logrotate --state STATE CONFIG` every EVERY seconds until STOP is set;
    count in ROTATIONS[0] the runs after which LOG no longer names the file it named."""
    def loop() -> None:
        while not stop.wait(every):
            before = inode(log)
            done = subprocess.run(["logrotate", "--state", state, config],
                                  capture_output=True, text=True)
            if done.returncode != 0:
                errors.append(done.stderr.strip() or f"exit status {done.returncode}")
                return
            if before is not None and inode(log) != before:
                rotations[0] += 1

    thread = threading.Thread(target=loop)
    thread.start()
    return thread


def log_files(log_dir: str) -> list[str]:
    """app.log and its rotated copies, oldest first as logrotate numbers them."""
    def age(name: str) -> int:
        suffix = os.path.basename(name)[len("app.log."):].removesuffix(".gz")
        return int(suffix) if suffix.isdigit() else 0
    return sorted(glob.glob(os.path.join(log_dir, "app.log*")), key=age, reverse=True)


def read_lines(name: str) -> list[str]:
    opener = gzip.open if name.endswith(".gz") else open
    with opener(name, "rt") as f:
        return f.readlines()


def describe(names: list[str]) -> str:
    names = [os.path.basename(n) for n in names]
    if len(names) == 1:
        return names[0]
    if len(names) <= 4:
        return f"{len(names)} files: {' '.join(names)}"
    return f"{len(names)} files: {names[0]} {names[1]} ... {names[-1]}"


def main() -> int:
    args = parse_args()
    os.makedirs(args.log_dir, exist_ok=True)
    state = os.path.join(args.log_dir, "logrotate.state")
    for old in log_files(args.log_dir) + glob.glob(os.path.join(args.log_dir, "server.log")) \
            + glob.glob(state):
        os.remove(old)

    if args.config and not os.path.isfile(args.config):
        print(f"no gunicorn configuration file {args.config!r}", file=sys.stderr)
        return 2
    server, port = start_gunicorn(args.app, args.workers, args.config, args.preload)
    rotation_errors: list[str] = []
    rotations = [0]
    try:
        copier, booted = supervise(server, args.workers, args.log_dir)
        if not booted.wait(timeout=60):
            print("gunicorn did not boot its workers in 60 s", file=sys.stderr)
            return 2
        stop_rotating = threading.Event()
        rotator = None
        if args.logrotate:
            rotator = rotate_periodically(args.logrotate, state,
                                          os.path.join(args.log_dir, "app.log"), args.every,
                                          stop_rotating, rotations, rotation_errors)
        answered = send_requests(port, args.requests, args.clients)
        stop_rotating.set()
        if rotator:
            rotator.join()
    finally:
        stop_gunicorn(server)
    copier.join()
    if rotation_errors:
        print(f"logrotate failed: {rotation_errors[0]}", file=sys.stderr)
        return 2

    numbers, holders = [], []
    for name in log_files(args.log_dir) + [os.path.join(args.log_dir, "server.log")]:
        found = [m for m in map(LINE.search, read_lines(name)) if m]
        if found:
            holders.append(name)
        numbers += [int(m.group(1)) for m in found]
    kept = set(numbers)
    server_log = read_lines(os.path.join(args.log_dir, "server.log"))
    exits = sum(1 for line in server_log if WORKER_EXIT.search(line))
    logging_errors = sum(1 for line in server_log if line.startswith(LOGGING_ERROR))

    if answered != args.requests:
        print(f"requests: {args.requests} sent, only {answered} answered")
    if kept:
        newest, oldest = max(kept), min(kept)
        holes = (newest - oldest + 1) - len(kept)
        print(f"lines kept: {len(numbers)} in {describe(holders)}")
        print(f"oldest kept: #{oldest}, newest: #{newest}, holes: {holes}")
    else:
        print("lines kept: 0")
    print(f"worker exits logged: {exits} of {args.workers}")
    print(f"logging errors reported: {logging_errors}")
    if args.logrotate:
        print(f"logrotate renamed app.log {rotations[0]} times")
    if not kept:  # nothing to measure holes against, nothing to record
        return 2

    if answered != args.requests or len(numbers) != len(kept):
        print("the measurement itself failed: requests went unanswered or lines repeated",
              file=sys.stderr)
        return 2
    try:
        with open("drive.json") as f:
            history = json.load(f)
    except FileNotFoundError:
        history = []
    history.append({"app": args.app, "config": args.config, "workers": args.workers,
                    "clients": args.clients, "requests": args.requests, "kept": len(kept),
                    "holes": holes, "newest": newest, "worker_exits": exits,
                    "logging_errors": logging_errors, "rotations": rotations[0],
                    "preload": args.preload, "numbers": sorted(kept)})
    with open("drive.json", "w") as f:
        json.dump(history, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
