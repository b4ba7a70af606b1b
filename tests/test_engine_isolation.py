"""Hermetic sessions: only loopback, stdin at EOF, process and memory caps.

Nothing here sends traffic anywhere: the namespace is proven by inspection
(interfaces and routes), never by connecting.
"""

from __future__ import annotations

import os
import threading

import pytest
from conftest import post
from samples.runner import SampleSession
from samples.samples import Run


@pytest.fixture(autouse=True)
def as_root():
    assert os.geteuid() == 0, "network namespaces and cgroup caps need root (CI runs as root)"


def run_alone(tmp_path, command: str, **attrs) -> tuple[SampleSession, str]:
    session = SampleSession(tmp_path, (), 1024 * 1024)
    try:
        sample = Run(lang="console", attrs={"run": command, **attrs}, body="", line=3, end_line=4,
                     path="index.md")
        return session, session.run(sample).output
    finally:
        session.close()


def test_a_session_sees_only_loopback(tmp_path):
    session, output = run_alone(
        tmp_path, "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '; "
                  "ip route show table all | grep -v ' dev lo ' | wc -l")
    assert output == "lo\n0\n"
    assert session.network is not None


def test_the_namespace_is_inspected_and_removed(tmp_path):
    session = SampleSession(tmp_path, (), 1024 * 1024)
    name = session.network.name
    assert session.network.problems() == []
    assert os.path.exists(f"/run/netns/{name}")
    session.close()
    assert not os.path.exists(f"/run/netns/{name}")


def test_standard_input_is_at_end_of_file(tmp_path):
    _, output = run_alone(tmp_path, "cat; read -r line || echo eof", timeout=5)
    assert output == "eof\n"


def test_caps_are_positioned_errors_naming_the_cap(site):
    site.write({"posts/demo/index.md": post("Demo", "2024-01-01", "code", '''\
        Lead.

        ```console {run="for i in $(seq 100); do sleep 30 & done; wait" pids="32" session="forks"}
        ```

        ```python {exec memory="64M"}
        hog = [bytearray(16 * 1024 * 1024) for _ in range(64)]
        ```
        ''')})
    report = site.build()
    assert report.problems[:2] == [
        "ERROR: content/posts/demo/index.md:7: run 'for i in $(seq 100); do sleep 30 & done; wait' "
        "hit the session's process cap (pids.max=32) (raise pids= on the run, or start fewer "
        "processes)\ncontent/posts/demo/index.md:10: the python block hit the session's memory "
        "cap (memory.max=64M) and was killed (raise memory= on the run, or use less memory)",
        "ERROR: Could not process posts/demo/index.md",
    ]


def test_cap_attributes_are_checked(site):
    site.write({"posts/demo/index.md": post("Demo", "2024-01-01", "code",
                                            '```console {run="true" memory="lots"}\n```\n')})
    assert site.build().problems[0] == (
        "ERROR: content/posts/demo/index.md:5: memory='lots' is not a memory size "
        "(give a size from 16M to 64G, e.g. memory=\"512M\")")


def test_sessions_of_a_post_with_a_machine_wide_lock_never_interleave(tmp_path):
    journal = tmp_path / "journal"
    first = SampleSession(tmp_path, (), 1024 * 1024, locks=("fixture-lock-7",))
    second = SampleSession(tmp_path, (), 1024 * 1024, locks=("fixture-lock-7",))

    def step(session, who):
        session.run(Run(lang="console", attrs={"run": f"echo {who} >> {journal}"}, body="",
                        line=3, end_line=4, path="index.md"))

    try:
        step(first, "first-in")
        waiting = threading.Thread(target=step, args=(second, "second-in"))
        waiting.start()
        waiting.join(timeout=1)
        assert waiting.is_alive()  # the second session waits for the lock
        step(first, "first-out")
        first.close()
        waiting.join(timeout=10)
        assert journal.read_text().split() == ["first-in", "first-out", "second-in"]
    finally:
        first.close()
        second.close()
