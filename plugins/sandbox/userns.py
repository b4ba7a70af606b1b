"""User namespaces with 65,536 ids: how lab builds and lab sessions start, as root or not.

Root and an unprivileged user take the same path.  Every build and every session runs
as root of a new user namespace whose id map the launcher writes: root maps ids
0..65535 onto themselves; a user maps 0 onto its own uid and 1..65535 onto its first
range of subordinate ids (``/etc/subuid``, which ``useradd`` allocates on Debian).
Files a lab's root writes into the session folder are then the caller's own, and a
sample may still switch to other users (``postgres``, ``nobody``) inside.

A lab's files on disk belong to the ids of the map it was built with, so each builder
keeps its own cache (the map is part of the cache key).
"""

from __future__ import annotations

import os
import pwd
import select
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path

IDS = 65536
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
TOOL_PACKAGES = {"mmdebstrap": "mmdebstrap", "newuidmap": "uidmap", "newgidmap": "uidmap",
                 "unshare": "util-linux", "pivot_root": "util-linux", "bash": "bash",
                 "mount": "mount"}
IdMap = list[tuple[int, int, int]]  # (inside, outside, count)


class LabError(RuntimeError):
    """A place to replay in (a lab, or a venv on the host) that cannot be made or entered,
    with what to do about it."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message, self.hint = message, hint

    def __str__(self) -> str:
        return self.message + (f" (fix: {self.hint})" if self.hint else "")


def missing_tools(*names: str) -> list[str]:
    """The host tools of ``names`` that are not installed."""
    return [name for name in names if shutil.which(name, path=SYSTEM_PATH) is None]


def require_tools(*names: str) -> None:
    missing = missing_tools(*names)
    if missing:
        packages = " ".join(sorted({TOOL_PACKAGES.get(name, name) for name in missing}))
        raise LabError(f"{', '.join(missing)} not found on this machine",
                       f"install them: apt-get install {packages}")


def tool(name: str) -> str:
    require_tools(name)
    return str(shutil.which(name, path=SYSTEM_PATH))


def mapping_tools() -> tuple[str, ...]:
    """Host tools a session or build needs besides mount and mmdebstrap."""
    return ("unshare", "bash") if os.getuid() == 0 else ("unshare", "bash", "newuidmap", "newgidmap")


def _subordinate(path: str, name: str, own: int) -> tuple[int, int] | None:
    try:
        lines = Path(path).read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        fields = line.strip().split(":")
        if len(fields) == 3 and fields[0] in (name, str(own)) and int(fields[2]) >= IDS - 1:
            return int(fields[1]), int(fields[2])
    return None


def id_maps() -> tuple[IdMap, IdMap]:
    """(uid map, gid map) of this user's builds and sessions."""
    uid, gid = os.getuid(), os.getgid()
    if uid == 0:
        return [(0, 0, IDS)], [(0, 0, IDS)]
    name = pwd.getpwuid(uid).pw_name
    maps = []
    for path, own in (("/etc/subuid", uid), ("/etc/subgid", gid)):
        found = _subordinate(path, name, own)
        if found is None:
            raise LabError(f"user {name} has no range of {IDS - 1} subordinate ids in {path}",
                           f"as root: usermod --add-subuids FIRST-LAST --add-subgids FIRST-LAST {name} "
                           "with a free range of 65536 ids, or run as root")
        maps.append([(0, own, 1), (1, found[0], IDS - 1)])
    return maps[0], maps[1]


def map_signature() -> str:
    """The id maps in one string (part of a lab's cache key)."""
    uids, gids = id_maps()
    return ("u" + ",".join(f"{a}:{b}:{c}" for a, b, c in uids)
            + "/g" + ",".join(f"{a}:{b}:{c}" for a, b, c in gids))


def explain_failure(text: str) -> LabError:
    """What unshare or newuidmap printed, as the cause and the setting to change."""
    clone = Path("/proc/sys/kernel/unprivileged_userns_clone")
    if clone.exists() and clone.read_text().strip() == "0":
        return LabError("unprivileged user namespaces are disabled "
                        "(kernel.unprivileged_userns_clone=0)",
                        "as root: sysctl -w kernel.unprivileged_userns_clone=1, or run as root")
    try:
        if int(Path("/proc/sys/user/max_user_namespaces").read_text()) == 0:
            return LabError("user namespaces are disabled (user.max_user_namespaces=0)",
                            "as root: sysctl -w user.max_user_namespaces=15000")
    except (OSError, ValueError):
        pass
    apparmor = Path("/proc/sys/kernel/apparmor_restrict_unprivileged_userns")
    if apparmor.exists() and apparmor.read_text().strip() == "1":
        return LabError("AppArmor restricts unprivileged user namespaces",
                        "as root: sysctl -w kernel.apparmor_restrict_unprivileged_userns=0")
    if "newuidmap" in text or "newgidmap" in text:
        return LabError("newuidmap refused the id map: " + text.strip(),
                        "check /etc/subuid and /etc/subgid, and that newuidmap is setuid root "
                        "(apt-get install --reinstall uidmap)")
    return LabError("could not create a user namespace: " + text.strip(),
                    "Linux with user namespaces is needed to execute samples")


# Run by bash right after unshare(2): say so, wait until the launcher has written the
# id maps, then run the caller's text with "$@".
_GATE = r'''printf u >&"$LAB_READY"; exec {LAB_READY}>&-
read -r -u "$LAB_GATE" go || exit 125
exec {LAB_GATE}<&-
unset LAB_READY LAB_GATE
'''

# The gate for a Python program that makes its own user and mount namespaces (the jail's
# stage one, started without unshare(1) and bash): unshare(2) needs no exec, so the
# process keeps the capabilities it gets in the new namespace, and it starts up while
# the launcher joins the cgroups.  Needs ``ctypes``, ``os`` and ``sys`` imported.
PYTHON_GATE = r'''
def _gate():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(0x10000000 | 0x20000) != 0:  # CLONE_NEWUSER | CLONE_NEWNS
        sys.stderr.write("unshare failed: %s\n" % os.strerror(ctypes.get_errno()))
        sys.exit(126)
    os.write(int(os.environ.pop("LAB_READY")), b"u")
    gate = int(os.environ.pop("LAB_GATE"))
    if os.read(gate, 3) != b"go\n":
        sys.exit(125)
    os.close(gate)
    if libc.mount(b"none", b"/", None, 0x4000 | 0x40000, None) != 0:  # MS_REC | MS_PRIVATE
        sys.stderr.write("cannot make the mounts private: %s\n" % os.strerror(ctypes.get_errno()))
        sys.exit(126)
_gate()
'''


def bash_gated(body: str, args: Sequence[str]) -> list[str]:
    """The argv that runs the bash text ``body`` (``"$@"`` = ``args``) behind the gate."""
    return [tool("bash"), "-c", _GATE + body, "lab", *args]


def spawn_mapped(argv: Sequence[str], *, pid_namespace: bool = False,
                 own_namespaces: bool = False, pass_fds: Sequence[int] = (),
                 stdin=subprocess.DEVNULL, stdout=None, stderr=None,
                 env: dict[str, str] | None = None, cgroups: Sequence[Path] = (),
                 timeout: float = 10.0) -> subprocess.Popen:
    """Start ``argv`` as root of new user and mount namespaces (and a PID namespace) with
    this user's id maps, in ``cgroups``; return once it runs with its maps.

    ``argv`` opens the gate first: ``bash_gated`` for a shell text run by unshare(1), or
    ``PYTHON_GATE`` at the top of a Python program that makes its own namespaces
    (``own_namespaces``, no PID namespace).  The cgroups are joined while it starts up,
    and the gate opens once they are, before it can start anything else."""
    uids, gids = id_maps()
    ready_r, ready_w = os.pipe()
    gate_r, gate_w = os.pipe()
    flags = ["--user", "--mount", "--propagation", "private"]
    if pid_namespace:
        flags += ["--pid", "--fork", "--kill-child"]
    environment = dict(env if env is not None else {"PATH": SYSTEM_PATH, "LANG": "C.UTF-8"})
    environment.update(LAB_READY=str(ready_w), LAB_GATE=str(gate_r))
    if own_namespaces and pid_namespace:
        raise ValueError("a program that makes its own namespaces gets no PID namespace")
    command = list(argv) if own_namespaces else [tool("unshare"), *flags, "--", *argv]
    try:
        process = subprocess.Popen(command,
                                   pass_fds=(ready_w, gate_r, *pass_fds),
                                   stdin=stdin, stdout=stdout, stderr=stderr, env=environment)
    finally:
        os.close(ready_w)
        os.close(gate_r)
    joining = start_joining(process.pid, cgroups)
    try:
        ready, _, _ = select.select([ready_r], [], [], timeout)
        if not ready or os.read(ready_r, 1) != b"u":
            process.kill()
            process.wait()
            finish_joining(joining, check=False)
            raise explain_failure(read_back(stderr) or f"unshare exited with {process.returncode}")
        if os.getuid() == 0:  # root writes the map itself (it has no /etc/subuid entry)
            for name, ids in (("uid_map", uids), ("gid_map", gids)):
                with open(f"/proc/{process.pid}/{name}", "w") as handle:
                    handle.write("".join(f"{a} {b} {c}\n" for a, b, c in ids))
        else:
            for helper, ids in (("newuidmap", uids), ("newgidmap", gids)):
                done = subprocess.run([tool(helper), str(process.pid), *map(str, sum(ids, ()))],
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                if done.returncode != 0:
                    process.kill()
                    process.wait()
                    finish_joining(joining, check=False)
                    raise explain_failure(f"{helper}: " + done.stdout.decode(errors="replace"))
        try:
            finish_joining(joining)
        except OSError:
            process.kill()
            process.wait()
            raise
        os.write(gate_w, b"go\n")
    finally:
        os.close(ready_r)
        os.close(gate_w)
    return process


Joining = tuple[list[threading.Thread], list[OSError]]


def start_joining(pid: int, cgroups: Sequence[Path]) -> Joining:
    """Start moving ``pid`` into every group, the writes side by side: each waits some
    milliseconds in the kernel (cgroup v1 hierarchies above all), and they overlap
    (3 groups: 11 -> 2 ms); ``finish_joining`` waits for them."""
    failures: list[OSError] = []

    def join(group: Path) -> None:
        try:
            (group / "cgroup.procs").write_text(str(pid))
        except OSError as err:
            failures.append(err)

    threads = [threading.Thread(target=join, args=(group,)) for group in cgroups]
    for thread in threads:
        thread.start()
    return threads, failures


def finish_joining(joining: Joining, check: bool = True) -> None:
    """Wait for ``start_joining``'s writes; raise the first failure (``check``)."""
    threads, failures = joining
    for thread in threads:
        thread.join()
    if failures and check:
        raise failures[0]


def read_back(stream) -> str:
    """What a temporary file given as stdout or stderr holds ('' for anything else)."""
    if stream is None or isinstance(stream, int):
        return ""
    try:
        stream.seek(0)
        return stream.read().decode(errors="replace")
    except (OSError, AttributeError):
        return ""


def run_mapped(argv: Sequence[str]) -> subprocess.CompletedProcess:
    """Run ``argv`` as root of this user's namespace (to remove what other ids inside own)."""
    with tempfile.TemporaryFile() as errors:
        process = spawn_mapped(bash_gated('exec "$@"', argv), pid_namespace=True,
                               stdout=subprocess.PIPE, stderr=errors)
        out, _ = process.communicate()
        return subprocess.CompletedProcess(list(argv), process.returncode, out, read_back(errors))


def remove_tree(path: Path) -> None:
    """Remove a folder whose files may belong to any id of the map (a lab, a session)."""
    if not os.path.lexists(path):
        return
    shutil.rmtree(path, ignore_errors=True)
    if os.path.lexists(path):
        done = run_mapped(["rm", "-rf", "--one-file-system", str(path)])
        if done.returncode != 0:
            raise LabError(f"could not remove {path}: {done.stderr.strip()}")
