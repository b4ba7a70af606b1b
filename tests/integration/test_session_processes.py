"""What a session leaves behind: nothing. Background servers, daemons, timeouts and processes that ignore SIGTERM."""

from __future__ import annotations

import os
import time
from pathlib import Path

from conftest import write_demo
from engine.store import FreezeStore


def test_a_background_server_leaves_no_process_behind(site):
    write_demo(site, '''\
        ```console {run="mkdir fixture-root-7411 && python -m http.server --bind 127.0.0.1 --directory fixture-root-7411 0 > server.log 2>&1 & echo started"}
        ```

        ```console {run="setsid sleep 3001 < /dev/null > /dev/null 2>&1 & echo detached"}
        ```
        ''')
    assert site.build().ok
    store = FreezeStore(site.content / "posts/demo/samples.frozen.json")
    assert [r.output for r in store.runs] == ["started\n", "detached\n"]
    assert leftovers("fixture-root-7411") == [] and leftovers("sleep 3001") == []


def leftovers(fragment: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if fragment in cmdline and int(entry.name) != os.getpid():
                found.append(int(entry.name))
    return found


def test_timeout_kills_the_whole_process_group(site):
    write_demo(site, '```console {run="sleep 4001 & sleep 4011" timeout=0.5}\n```\n')
    started = time.monotonic()
    assert not site.build().ok
    assert time.monotonic() - started < 20
    assert leftovers("sleep 4001") == [] and leftovers("sleep 4011") == []


def test_sigterm_resistant_background_processes_are_killed(site):
    write_demo(site, '''\
        ```console {run="(trap '' TERM; exec sleep 5001) > /dev/null 2>&1 & echo ok"}
        ```
        ''')
    assert site.build(SAMPLES_KILL_GRACE=0.5).ok
    assert leftovers("sleep 5001") == []


def test_a_daemon_that_drops_its_environment_and_session_is_still_killed(site):
    # env -i loses the session marker, setsid leaves the process group: only the
    # session's cgroup still knows the process (which is how zabbix_server behaves).
    assert os.geteuid() == 0, "the session cgroup needs root (CI runs as root)"
    write_demo(site, '''\
        ```console {run="env -i setsid sleep 6001 < /dev/null > /dev/null 2>&1 & sleep 1; echo detached"}
        ```
        ''')
    assert site.build().ok
    assert leftovers("sleep 6001") == []
