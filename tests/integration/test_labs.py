"""Lab environments for real: what a run sees, as root and as an unprivileged user, what it
cannot reach, and what is left when its build is killed."""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest
from conftest import ROOT, post
from sandbox.lab import Lab, build_lab, default_cache

PROBE = "cat /etc/debian_version; id -u; ip -o link | cut -d: -f2; ls /tmp; pwd; ls /work /root 2>&1; true"
TESTER = "ctr-lab-tester"  # an unprivileged user with subordinate ids (created when missing)


def probe_post(site, command: str = PROBE, extra: str = "") -> Path:
    site.write({"posts/probe/index.md": post("Probe", "2024-01-01", "code",
                                             f'Lead.\n\n```console {{run="{command}"}}\n```\n', extra=extra)})
    return site.content / "posts/probe/index.md"


def recorded_output(site) -> list[str]:
    store = json.loads((site.content / "posts/probe/samples.frozen.json").read_text())
    return store["runs"][0]["output"]


def test_a_post_that_declares_nothing_runs_in_the_base_lab(site):
    probe_post(site)
    report = site.build()
    assert report.ok, report.problems
    debian, uid, *rest = recorded_output(site)
    assert debian.startswith("13.") and uid == "0"
    # only loopback; a private /tmp holding the session folder; the host's files are not there
    assert rest[:3] == [" lo", "sample", "/tmp/sample/work"]
    assert "ls: cannot access '/work': No such file or directory" in rest
    page = site.html("posts/probe/index.html").select_one(".colophon").get_text()
    assert page.endswith(f"in Debian {debian} (trixie).")


def test_the_agent_holds_no_run_folder(site):
    """PID 1 starts each run in the run's folder but stays in / itself: a sample that lists
    the processes working in its folder (to find what it left running) never finds it."""
    probe_post(site, "readlink /proc/1/cwd; readlink /proc/$$/cwd")
    report = site.build()
    assert report.ok, report.problems
    assert recorded_output(site)[:2] == ["/", "/tmp/sample/work"]


def lab_tester() -> pwd.struct_passwd:
    """The unprivileged user of these tests, with a home and a range of subordinate ids."""
    try:
        return pwd.getpwnam(TESTER)
    except KeyError:
        subprocess.run(["/usr/sbin/useradd", "--create-home", "--shell", "/bin/sh", TESTER], check=True)
    entry = pwd.getpwnam(TESTER)
    if not any(line.startswith(f"{TESTER}:") for line in Path("/etc/subuid").read_text().splitlines()):
        subprocess.run(["/usr/sbin/usermod", "--add-subuids", "200000-265535", "--add-subgids", "200000-265535",
                        TESTER], check=True)
    return entry


AS_USER = textwrap.dedent('''
    import json, sys, tempfile
    from pathlib import Path
    sys.path.insert(0, sys.argv[1])
    from sandbox import RunSpec, Session, Settings
    from sandbox.lab import Lab, build_lab, default_cache
    built = build_lab(Lab(), default_cache(), lambda line: None)
    folder = Path(tempfile.mkdtemp())
    with Session(folder, Settings(), lab=built) as session:
        result = session.run(RunSpec(line=1, kind="run", command=sys.argv[2]))
    print(json.dumps({"output": result.output, "cache": str(default_cache())}))
''')


@pytest.fixture
def shipped():
    """The sandbox package where another user can read it (pytest's folders are root's)."""
    folder = Path(tempfile.mkdtemp(prefix="ctr-lab-probe-"))
    folder.chmod(0o755)
    shutil.copytree(ROOT / "plugins" / "sandbox", folder / "sandbox")
    (folder / "probe.py").write_text(AS_USER)
    yield folder
    shutil.rmtree(folder)


def test_an_unprivileged_user_gets_the_same_lab_as_root(shipped):
    assert os.geteuid() == 0, "this test creates its unprivileged user; CI runs as root"
    user = lab_tester()
    command = "cat /etc/debian_version; id -u; ip -o link | cut -d: -f2; touch /etc/written && echo writable"
    as_user = subprocess.run(["/usr/sbin/runuser", "-u", TESTER, "--", "/usr/bin/python3", str(shipped / "probe.py"),
                              str(shipped), command], capture_output=True, text=True, timeout=600,
                             env={"PATH": "/usr/bin:/bin", "HOME": user.pw_dir, "LANG": "C.UTF-8"})
    assert as_user.returncode == 0, as_user.stderr
    answer = json.loads(as_user.stdout)
    assert answer["cache"].startswith(user.pw_dir)  # each builder keeps its own labs
    done = subprocess.run([sys.executable, str(shipped / "probe.py"), str(shipped), command],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert answer["output"] == json.loads(done.stdout)["output"]
    assert answer["output"].split("\n")[1:] == ["0", " lo", "writable", ""]


def test_a_run_cannot_change_the_post_or_the_checkout(site):
    source = site.content / "posts/probe/index.md"
    readme = ROOT / "README.md"
    command = (f"echo changed > {source}; echo changed > {readme}; "
               f"echo changed >> {site.content}/posts/probe/index.md; true")
    probe_post(site, command.replace('"', '\\"'))
    before = (source.read_bytes(), readme.read_bytes())
    report = site.build()
    assert report.ok, report.problems
    assert (source.read_bytes(), readme.read_bytes()) == before
    assert recorded_output(site)[0].endswith("No such file or directory")


def test_the_lab_on_disk_never_changes_and_each_session_starts_fresh(site):
    site.write({"posts/probe/index.md": post("Probe", "2024-01-01", "code", """
        Lead.

        ```console {run="useradd --system probe-user && echo hello > /etc/probe && id -u probe-user >/dev/null && echo made" session="one"}
        ```

        ```console {run="cat /etc/probe 2>&1; id probe-user 2>&1; true" session="two"}
        ```
    """, extra="Lab-Packages: passwd\n")})
    report = site.build()
    assert report.ok, report.problems
    runs = json.loads((site.content / "posts/probe/samples.frozen.json").read_text())["runs"]
    assert runs[0]["output"] == ["made", ""]
    assert runs[1]["output"][0] == "cat: /etc/probe: No such file or directory"
    rootfs = build_lab(Lab(packages=("passwd",)), default_cache(), lambda line: None).rootfs
    assert not (rootfs / "etc/probe").exists() and "probe-user" not in (rootfs / "etc/passwd").read_text()


KILLED = textwrap.dedent('''
    import sys
    sys.path.insert(0, sys.argv[1])
    from engine.pipeline import build_post
    from samples.settings import load_config
    from pathlib import Path
    config = load_config(Path(sys.argv[2]), {"PATH": sys.argv[3], "SAMPLES_PROGRESS": "off"})
    build_post(config.posts()[0], config)
''')


def sleepers(*marks: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and any((entry / "cmdline").read_bytes() == f"sleep\0{mark}\0".encode()
                                            for mark in marks):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def test_a_build_killed_with_sigkill_leaves_no_process_of_its_runs(site, tmp_path):
    probe_post(site, "setsid sleep 3041 & (trap \\\"\\\" TERM; sleep 3042) & sleep 3043")
    script = tmp_path / "build.py"
    script.write_text(KILLED)
    build = subprocess.Popen([sys.executable, str(script), str(ROOT / "plugins"), str(ROOT / "pelicanconf.py"),
                              str(site.content)], cwd=ROOT)
    marks = ("3041", "3042", "3043")
    deadline = time.monotonic() + 60
    while len(sleepers(*marks)) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(sleepers(*marks)) == 3, "the run's sleeps never started"
    build.send_signal(signal.SIGKILL)
    build.wait()
    deadline = time.monotonic() + 10
    while sleepers(*marks) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sleepers(*marks) == []


@pytest.mark.parametrize("header", ["Lab-Packages: jq\n"])
def test_a_declared_package_is_there_and_named_in_the_record(site, header):
    probe_post(site, "jq --version", extra=header)
    site.write({"posts/probe/index.md": (site.content / "posts/probe/index.md").read_text().replace(
        'run="jq --version"', 'run="jq --version" needs="jq"')})
    report = site.build()
    assert report.ok, report.problems
    store = json.loads((site.content / "posts/probe/samples.frozen.json").read_text())
    (run,) = store["runs"]
    assert run["output"][0].startswith("jq-1.")
    assert run["tools"]["jq"].startswith("jq 1.") and run["lab"]["packages"] == ["jq"]
