"""Process and memory caps of a session, as positioned errors of a real build (root, as CI
runs: the session's cgroups carry the caps)."""

from __future__ import annotations

from conftest import post


def test_caps_are_positioned_errors_naming_the_cap(site):
    site.write({"posts/demo/index.md": post("Demo", "2024-01-01", "code", '''\
        Lead.

        ```console {run="for i in $(seq 100); do sleep 2 & done; wait" pids="32" session="forks"}
        ```

        ```python {exec memory="64M"}
        hog = [bytearray(16 * 1024 * 1024) for _ in range(64)]
        ```
        ''')})
    report = site.build()
    assert report.problems == [
        "ERROR: content/posts/demo/index.md:7: run 'for i in $(seq 100); do sleep 2 & done; wait' "
        "hit the session's process cap (pids.max=32) (raise pids= on the run, or start fewer "
        "processes)",
        "ERROR: content/posts/demo/index.md:10: the python block hit the session's memory "
        "cap (memory.max=64M) and was killed (raise memory= on the run, or use less memory)",
    ]


def test_cap_attributes_are_checked(site):
    site.write({"posts/demo/index.md": post("Demo", "2024-01-01", "code",
                                            '```console {run="true" memory="lots"}\n```\n')})
    assert site.build().problems[0] == (
        "ERROR: content/posts/demo/index.md:5: memory='lots' is not a memory size "
        "(give a size from 16M to 64G, e.g. memory=\"512M\")")
