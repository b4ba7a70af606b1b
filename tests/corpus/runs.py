"""Run cases: what a sample may do to the machine, and what the session does about it."""

from __future__ import annotations

from .harness import Case

WHERE = "content/posts/demo/index.md"
FORK_STORM = "python3 -c 'import os, time; [os.fork() or (time.sleep(30), os._exit(0)) for _ in range(10000)]'"
# Never sends a packet: it first proves the session has a network namespace of its own
# (only lo), and only then tries a documentation address (TEST-NET-1), which has no route.
CONNECT = """\
import socket
import sys

interfaces = [line.split(":")[0].strip() for line in open("/proc/self/net/dev").read().splitlines()[2:]]
if interfaces != ["lo"]:
    sys.exit(f"not in a network namespace of its own (interfaces: {interfaces}): not connecting")
try:
    socket.create_connection(("192.0.2.1", 80), timeout=5)
except OSError as err:
    sys.exit(str(err))
"""


def run(name: str, fence: str, expected: str, files: dict | None = None,
        requires: tuple[str, ...] = (), through_build: bool = False) -> Case:
    """A post with one run, rendered by the engine (or built: ``through_build``)."""
    def act(site):
        site.demo(fence + "\n", files)
        return site.built() if through_build else site.engine_built()
    return Case("runs", name, f"{WHERE}:5: {expected}", requires=requires, act=act)


def shows(name: str, fence: str, text: str) -> Case:
    """A documented success: the page shows ``text``, and nothing of the case is left running."""
    return Case("runs", name, text, succeeds=True, changes_stores=True,
                act=lambda site: site.demo(fence + "\n").built_showing(text))


CASES = [
    shows("reads standard input", '```python {exec}\nimport sys\nprint("stdin:", len(sys.stdin.read()), "bytes")\n```',
          "stdin: 0 bytes"),
    run("closes stdout and keeps running", '```console {run="exec >&- 2>&-; sleep 30" timeout=1}\n```',
        "run 'exec >&- 2>&-; sleep 30' timed out after 1 s and was killed with its whole process "
        "group (raise timeout=, or make the command finish (servers belong in the background))"),
    run("writes 10 MiB", '```console {run="head -c 10485760 /dev/zero"}\n```',
        "run 'head -c 10485760 /dev/zero' printed 10485760 bytes, over the 1024 KiB output cap "
        "(print less: write bulky output to a file and show a summary (wc, head, tail))"),
    run("writes binary", '```console {run="python3 -c \'import sys; sys.stdout.buffer.write(bytes(range(256)))\'"}\n```',
        "run \"python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)))'\" printed bytes "
        "that are not UTF-8 (byte 0x80 at offset 128) (show binary data through a text form such "
        "as `xxd` or `base64`)", through_build=True),
    run("forks 10,000 processes", f'```console {{run="{FORK_STORM}" pids="100"}}\n```',
        f"run {FORK_STORM!r} hit the session's process cap (pids.max=100) "
        "(raise pids= on the run, or start fewer processes)", requires=("hermetic",)),
    run("allocates past the memory cap",
        '```console {run="python3 -c \'print(len(bytes(range(256)) * (1600 << 10)))\'" memory="64M"}\n```',
        "run \"python3 -c 'print(len(bytes(range(256)) * (1600 << 10)))'\" hit the session's memory cap "
        "(memory.max=64M) and was killed (raise memory= on the run, or use less memory)",
        requires=("hermetic",)),
    run("sleeps past the timeout ignoring SIGTERM", '```console {run="trap \'\' TERM; sleep 30" timeout=1}\n```',
        "run \"trap '' TERM; sleep 30\" timed out after 1 s and was killed with its whole process "
        "group (raise timeout=, or make the command finish (servers belong in the background))"),
    shows("leaves a daemon in its own session and process group",
          '```console {run="setsid -f sleep 300 </dev/null >/dev/null 2>&1; echo daemon started"}\n```',
          "daemon started"),
    run("connects to a public address", '```console {run="python connect.py" timeout=10}\n```',
        "run 'python connect.py' exited with status 1, expected 0 (fix the sample, or declare "
        "exit=1 if that is the point; its output ended with:\n[Errno 101] Network is unreachable)",
        files={"posts/demo/connect.py": CONNECT}, requires=("hermetic",)),
]
