"""Start gunicorn on a free local port, send numbered requests, count log lines.

usage: python drive.py APP_MODULE --workers N --expect holes|no-holes|all
                       [--requests 2000] [--clients 1] [--rename-every SECONDS]

With one client (the default) requests are sent one after the other, so the
order of the request numbers is also the order in which the lines were logged.
"""

import argparse
import glob
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

LINE = re.compile(r"\[pid +(\d+)\] shop: hit #(\d+)")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("app_module")
    parser.add_argument("--workers", type=int, required=True)
    parser.add_argument("--expect", choices=["holes", "no-holes", "all"], required=True)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=1)
    parser.add_argument("--rename-every", type=float, default=0.0)
    return parser.parse_args()


# ANCHOR: start
def start_gunicorn(app_module: str, workers: int) -> tuple[subprocess.Popen, int]:
    """Bind a free port ourselves and hand the socket to gunicorn as fd://N."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))  # port 0: the kernel picks a free one
    sock.listen(128)
    port = sock.getsockname()[1]
    server = subprocess.Popen(
        ["gunicorn", "--workers", str(workers), "--bind", f"fd://{sock.fileno()}",
         f"{app_module}:app"],
        pass_fds=[sock.fileno()],
        stderr=subprocess.PIPE, text=True,
        start_new_session=True,  # its own process group, stopped as a whole
    )
    sock.close()  # gunicorn holds the only copy now
    return server, port
# ANCHOR_END: start


def supervise(server: subprocess.Popen, workers: int) -> tuple[threading.Thread, threading.Event]:
    """Copy gunicorn's stderr into server.log, as a process supervisor would."""
    booted = threading.Event()

    def copy() -> None:
        count = 0
        with open("server.log", "w") as out:
            for line in server.stderr:
                out.write(line)
                if "Booting worker" in line:
                    count += 1
                    if count == workers:
                        booted.set()

    thread = threading.Thread(target=copy)
    thread.start()
    return thread, booted


# ANCHOR: stop
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
# ANCHOR_END: stop


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


def rename_periodically(every: float, stop: threading.Event) -> threading.Thread:
    """Play logrotate: move app.log aside every EVERY seconds, keep everything."""
    def loop() -> None:
        k = 0
        while not stop.wait(every):
            if os.path.exists("app.log"):
                k += 1
                os.rename("app.log", f"app.log.{k:03d}")

    thread = threading.Thread(target=loop)
    thread.start()
    return thread


def describe(names: list[str]) -> str:
    if len(names) <= 4:
        return " ".join(names)
    return f"{len(names)} files: {names[0]} {names[1]} ... {names[-1]}"


def main() -> int:
    args = parse_args()
    for old in glob.glob("app.log*") + glob.glob("server.log"):
        os.remove(old)

    server, port = start_gunicorn(args.app_module, args.workers)
    try:
        copier, booted = supervise(server, args.workers)
        if not booted.wait(timeout=60):
            print("gunicorn did not boot its workers in 60 s")
            return 2
        print(f"gunicorn: {args.workers} worker(s) of {args.app_module} on 127.0.0.1:{port}")
        stop_renaming = threading.Event()
        renamer = None
        if args.rename_every:
            renamer = rename_periodically(args.rename_every, stop_renaming)
        answered = send_requests(port, args.requests, args.clients)
        stop_renaming.set()
        if renamer:
            renamer.join()
    finally:
        stop_gunicorn(server)
    copier.join()

    # ANCHOR: count
    numbers, pids, holders = [], set(), []
    for name in sorted(glob.glob("app.log*")) + ["server.log"]:
        with open(name) as f:
            found = [LINE.search(line) for line in f]
        found = [m for m in found if m]
        if found:
            holders.append(name)
        numbers += [int(m.group(2)) for m in found]
        pids |= {m.group(1) for m in found}
    kept = set(numbers)
    newest, oldest = max(kept), min(kept)
    holes = (newest - oldest + 1) - len(kept)
    # ANCHOR_END: count

    print(f"requests sent: {args.requests}, answered 200: {answered}")
    print(f"workers that logged: {len(pids)}")
    print(f"lines kept: {len(numbers)} in {describe(holders)}")
    print(f"oldest request kept: #{oldest}, newest: #{newest}")
    print(f"requests missing between them (holes): {holes}")

    if answered != args.requests or len(numbers) != len(kept):
        print("FAIL: the measurement itself is broken (failed requests or duplicates)")
        return 2
    checks = {
        "holes": holes > 0,
        "no-holes": holes == 0 and newest == args.requests,
        "all": len(kept) == args.requests,
    }
    verdict = "OK" if checks[args.expect] else "FAIL"
    print(f"{verdict}: expected {args.expect}")
    return 0 if verdict == "OK" else 1


if __name__ == "__main__":
    sys.exit(main())
