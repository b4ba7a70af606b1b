"""A session inside a lab: a fresh writable layer over it, its own namespaces, an agent as PID 1.

Starting a jail takes 30-40 ms (median 41, least 30 under a load of 4): two Python start-ups (stage one and
the agent) and three execs.  Stage one (this interpreter, stdlib only, ``-I -S``) makes
its own user and mount namespaces with unshare(2) through ctypes, and starts up while
the launcher writes their id maps and moves it into the session's cgroups (``userns``).
As root of those namespaces it mounts a tmpfs and an overlay of the built lab below
it, so the lab on disk never changes and every session starts from it as built.  It
mounts a small ``/dev``, a private ``/tmp`` and the session folder at ``/tmp/sample``,
makes that tree the root (pivot_root: nothing else of the host stays reachable), and
starts, with the lab's own util-linux, new PID, network (loopback only), IPC and UTS
namespaces with ``/proc`` and the agent: a few lines of Python run by the lab's
own python3, reading its code from stdin.  For each run the engine passes the agent a
pipe over a socket; the agent starts the command in a process group of its own and
reports its exit status.

Nothing outlives the jail: closing it makes the agent stop every process (SIGTERM,
then SIGKILL), and when PID 1 exits the kernel kills what is left in the PID
namespace.  A killed build takes the jail with it (``prctl(PR_SET_PDEATHSIG)`` in stage
one, then ``unshare --kill-child``).

Not bubblewrap, which the first edition used: it always sets ``no_new_privs``, so
sudo and other setuid programs could not work for the users a sample switches to.
"""

from __future__ import annotations

import marshal
import os
import select
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Optional

from .lab import BuiltLab
from .output import keep_draining
from .userns import (
    PYTHON_GATE,
    SYSTEM_PATH,
    LabError,
    mapping_tools,
    read_back,
    require_tools,
    spawn_mapped,
    tool,
)

AGENT = r'''
import ctypes, fcntl, marshal, os, select, signal, socket, struct, sys, time
with open("/proc/self/comm", "w") as comm:
    comm.write("sample-agent")
# Leave the host behind (stage one's pivot_root kept it at /.host), name the machine and
# bring up loopback, the only interface of the session's network.
libc = ctypes.CDLL(None, use_errno=True)
if libc.umount2(b"/.host", 2) != 0:
    sys.exit("cannot detach the host's root: errno %d" % ctypes.get_errno())
os.rmdir("/.host")
socket.sethostname("sample")
probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
flags = struct.unpack("16sH22x", fcntl.ioctl(probe, 0x8913, struct.pack("16sH22x", b"lo", 0)))[1]
fcntl.ioctl(probe, 0x8914, struct.pack("16sH22x", b"lo", flags | 1))
probe.close()
null = os.open("/dev/null", os.O_RDONLY)
os.dup2(null, 0)
os.close(null)
ctrl = socket.socket(fileno=int(sys.argv[1]))
os.set_inheritable(ctrl.fileno(), False)
wake_r, wake_w = os.pipe()
for fd in (wake_r, wake_w):
    os.set_blocking(fd, False)
signal.set_wakeup_fd(wake_w)
signal.signal(signal.SIGCHLD, lambda *a: None)
running = {}

def send(**message):
    ctrl.send(marshal.dumps(message, 4))

DEFAULTS = (signal.SIGCHLD, signal.SIGPIPE, signal.SIGINT, signal.SIGTERM, signal.SIGXFSZ)

def spawn(m, fds):
    # posix_spawn (vfork, then exec) costs a millisecond less than fork from Python; the
    # search for argv[0] uses the run's PATH, as execvpe(3) would.  The child inherits the
    # working directory, so the agent visits it and goes back to / (a run that lists the
    # processes working in its folder never finds the agent).
    try:
        os.chdir(m["cwd"])
        os.environ["PATH"] = m["env"].get("PATH", os.defpath)
        return os.posix_spawnp(m["argv"][0], m["argv"], m["env"], setsid=True, setsigdef=DEFAULTS,
                               file_actions=[(os.POSIX_SPAWN_DUP2, fd, i) for i, fd in enumerate(fds[:3])])
    except OSError as e:
        os.write(fds[2], ("%s: %s\n" % (m["argv"][0], e.strerror)).encode())
        send(op="exit", id=m["id"], status=127 if e.errno == 2 else 126)
        return None
    finally:
        os.chdir("/")

def reap():
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if pid in running:
            code = os.waitstatus_to_exitcode(status)
            send(op="exit", id=running.pop(pid), status=code if code >= 0 else 128 - code)

def others():
    return [p for p in os.listdir("/proc") if p.isdigit() and p != "1"]

def shutdown(grace):
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 1.0)):
        try:
            os.kill(-1, sig)
        except ProcessLookupError:
            break
        end = time.monotonic() + wait
        while time.monotonic() < end and others():
            reap()
            time.sleep(0.01)
    os._exit(0)  # nothing to flush; skips the interpreter's teardown

send(op="ready")
while True:
    readable, _, _ = select.select([ctrl, wake_r], [], [])
    if wake_r in readable:
        try:
            while os.read(wake_r, 512):
                pass
        except BlockingIOError:
            pass
        reap()
    if ctrl in readable:
        data, fds, _, _ = socket.recv_fds(ctrl, 1 << 20, 4)
        if not data:
            shutdown(1.0)
        m = marshal.loads(data)
        if m["op"] == "run":
            pid = spawn(m, fds)
            for fd in fds:
                os.close(fd)
            if pid is not None:
                running[pid] = m["id"]
        elif m["op"] == "kill":
            for pid, ident in list(running.items()):
                if ident == m["id"]:
                    for sig in (signal.SIGTERM, signal.SIGKILL):
                        try:
                            os.killpg(pid, sig)
                        except ProcessLookupError:
                            break
                        time.sleep(0.2)
        elif m["op"] == "close":
            shutdown(m["grace"])
'''

# Stage one, as root of the session's user and mount namespaces: the writable layer, the
# lab's /dev, /tmp and the session folder, pivot_root into it, then PID, network, IPC and
# UTS namespaces with the agent as PID 1, killed with the build (PR_SET_PDEATHSIG).  Not
# bubblewrap: it sets no_new_privs, and sudo and other setuid programs must work inside.
# Python with mount(2) rather than a shell script: one process instead of some thirty
# (mount, touch, ln, mkdir), which was most of what starting a session cost.
STAGE = r"""
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
PARENT = os.getppid()
""" + PYTHON_GATE + r"""
T, LOWER, SIZE, FOLDER, AT = sys.argv[1:6]
R = T + "/root"

def fail(text):
    sys.stderr.write(text + "\n")
    sys.exit(126)

def mount(source, target, fstype, data, what, flags=0):
    if libc.mount(source.encode(), target.encode(), fstype and fstype.encode(), flags,
                  data and data.encode()) != 0:
        if what is None:
            return False
        fail("%s (%s)" % (what, os.strerror(ctypes.get_errno())))
    return True

BIND = 4096
mount("lab", T, "tmpfs", "size=%s,mode=0755" % SIZE, "cannot mount a tmpfs on " + T)
for name in ("upper", "work", "root"):
    os.mkdir(T + "/" + name)
mount("overlay", R, "overlay", "lowerdir=%s,upperdir=%s/upper,workdir=%s/work" % (LOWER, T, T),
      "overlayfs refused in this user namespace")
# The session's own network: loopback and the host name "sample" (a lab has no /etc/hosts).
if not os.path.lexists(R + "/etc/hosts"):
    with open(R + "/etc/hosts", "w") as hosts:
        hosts.write("127.0.0.1 localhost\n127.0.1.1 sample\n::1 localhost ip6-localhost ip6-loopback\n")
mount("dev", R + "/dev", "tmpfs", "mode=0755,size=1m", "cannot mount the lab's /dev")
for node in ("null", "zero", "full", "random", "urandom", "tty"):
    open(R + "/dev/" + node, "w").close()
    mount("/dev/" + node, R + "/dev/" + node, None, None, "cannot bind /dev/" + node, BIND)
os.mkdir(R + "/dev/pts")
os.mkdir(R + "/dev/shm")
if mount("devpts", R + "/dev/pts", "devpts", "newinstance,ptmxmode=0666,mode=0620", None):
    os.symlink("pts/ptmx", R + "/dev/ptmx")
mount("shm", R + "/dev/shm", "tmpfs", "mode=1777", "cannot mount the lab's /dev/shm")
os.symlink("/proc/self/fd", R + "/dev/fd")
for number, name in ((0, "stdin"), (1, "stdout"), (2, "stderr")):
    os.symlink("/proc/self/fd/%d" % number, R + "/dev/" + name)
mount("tmp", R + "/tmp", "tmpfs", "mode=1777", "cannot mount the lab's /tmp")
os.makedirs(R + AT, exist_ok=True)
mount(FOLDER, R + AT, None, None, "cannot bind the session folder", BIND)
os.mkdir(R + "/.host")
os.chdir(R)
# pivot_root(2) has no glibc wrapper: the system call where its number is known, else
# pivot_root(8), which makes it for us (the call moves this process's root with it).
NUMBER = int(os.environ["LAB_PIVOT_CALL"])
if NUMBER >= 0:
    if libc.syscall(NUMBER, b".", b".host") != 0:
        fail("pivot_root refused (%s)" % os.strerror(ctypes.get_errno()))
elif os.spawnv(os.P_WAIT, os.environ["LAB_PIVOT"], ["pivot_root", ".", ".host"]) != 0:
    fail("pivot_root refused")
os.chdir("/")
# Killed with the build: the signal the kernel sends when the launcher's thread ends
# (prctl(2) PR_SET_PDEATHSIG, kept across the exec), unless it ended already.
if libc.prctl(1, 9, 0, 0, 0) != 0 or os.getppid() != PARENT:
    fail("the build that started this session is gone")
os.execve("/usr/bin/unshare", ["unshare", "--pid", "--net", "--ipc", "--uts", "--fork",
          "--kill-child=KILL", "--mount-proc", "--", *sys.argv[6:]],
          {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
"""
# pivot_root(2)'s number where this module knows it (x86-64 and the generic table).
PIVOT_ROOT_CALL = {"x86_64": 155, "aarch64": 41, "riscv64": 41}


def stage_environment() -> dict[str, str]:
    """What stage one runs with: its code, pivot_root(2)'s number (-1: use pivot_root(8))."""
    return {"PATH": SYSTEM_PATH, "LANG": "C.UTF-8",
            "LAB_PIVOT_CALL": str(PIVOT_ROOT_CALL.get(os.uname().machine, -1)),
            "LAB_PIVOT": tool("pivot_root")}


def stage_argv() -> list[str]:
    """Stage one: this interpreter (stdlib only, ``-I -S``) running ``STAGE``."""
    return [sys.executable or "/usr/bin/python3", "-I", "-S", "-c", STAGE]


RunOutput = tuple[bytes, int, bool, Optional[threading.Thread], int]


class Jail:
    """A running sandbox over a built lab; ``run`` executes commands in it in order."""

    def __init__(self, built: BuiltLab, folder: Path, *, mount_at: str = "/tmp/sample",
                 layer_size: str = "4g", cgroups: Sequence[Path] = ()) -> None:
        self.built, self.folder, self.mount_at = built, Path(folder).absolute(), mount_at
        self.layer_size, self.cgroups = layer_size, list(cgroups)
        self.process: subprocess.Popen | None = None
        self.control: socket.socket | None = None
        self._errors = None
        self._next = 0
        self.pid_namespace = ""

    def start(self) -> Jail:
        require_tools("pivot_root", *mapping_tools())
        rootfs = self.built.rootfs
        if not (rootfs / "usr/bin/python3").exists():
            raise LabError(f"{self.built.folder} is not a built lab (it has no python3)",
                           "remove it and build it again (invoke labs --remove)")
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.control = parent
        layer = str(self.built.folder / "mnt")
        code_fd = _pipe_holding(AGENT.encode())
        self._errors = tempfile.TemporaryFile()
        try:
            self.process = spawn_mapped(
                [*stage_argv(), layer, str(rootfs), self.layer_size, str(self.folder),
                 self.mount_at, "/usr/bin/python3", "-I", "-S", "-", str(child.fileno())],
                own_namespaces=True, pass_fds=(child.fileno(),), stdin=code_fd,
                env=stage_environment(),
                stdout=subprocess.DEVNULL, stderr=self._errors, cgroups=self.cgroups)
        except BaseException:
            child.close()
            self.close(0)
            raise
        finally:
            os.close(code_fd)
        child.close()
        message = self._receive(timeout=30)
        if message is None or message.get("op") != "ready":
            status = self.process.poll()
            text = read_back(self._errors).strip()
            self.close(0)
            raise LabError(f"the lab's sandbox did not start (status {status}): {text}",
                           _hint(text))
        self.pid_namespace = _pid_namespace(self.process.pid)
        return self

    def _receive(self, timeout: float | None) -> dict | None:
        assert self.control is not None
        ready, _, _ = select.select([self.control], [], [], timeout)
        if not ready:
            return None
        data = self.control.recv(1 << 16)
        return marshal.loads(data) if data else None

    def run(self, argv: list[str], env: dict[str, str], cwd: str, deadline: float, cap: int,
            drain_grace: float) -> RunOutput:
        """Run ``argv``; (bytes kept, bytes printed, timed out, the thread still draining the
        pipe for background writers, exit status: 128+N when killed by signal N)."""
        if self.control is None:
            raise LabError("the lab's sandbox is not running")
        self._next += 1
        ident = self._next
        read_end, write_end = os.pipe()
        null = os.open(os.devnull, os.O_RDONLY)
        request = {"op": "run", "id": ident, "argv": argv, "cwd": cwd, "env": env}
        try:
            socket.send_fds(self.control, [_pack(request)], [null, write_end, write_end])
        finally:
            os.close(null)
            os.close(write_end)
        chunks: list[bytes] = []
        size, status, exited_at, eof, timed_out = 0, None, None, False, False
        while True:
            now = time.monotonic()
            if status is not None and (eof or now - exited_at > drain_grace):
                break
            if status is None and now > deadline and not timed_out:
                timed_out = True
                self.control.send(_pack({"op": "kill", "id": ident}))
            watch = [self.control] + ([] if eof else [read_end])
            readable, _, _ = select.select(watch, [], [], 0.05)
            if read_end in readable:
                data = os.read(read_end, 65536)
                if not data:
                    eof = True
                else:
                    if size <= cap:
                        chunks.append(data)
                    size += len(data)
            if self.control in readable:
                message = self._receive(0)
                if message is None:
                    os.close(read_end)
                    raise LabError("the lab's sandbox stopped: " + read_back(self._errors).strip())
                if message.get("op") == "exit" and message.get("id") == ident:
                    status, exited_at = int(message["status"]), time.monotonic()
        drain = None
        if eof:
            os.close(read_end)
        else:  # background processes hold the pipe: keep reading so that they never block
            drain = keep_draining(read_end)
        return b"".join(chunks), size, timed_out, drain, status

    def members(self) -> list[int]:
        """Host PIDs of the processes in the jail's PID namespace (those this user may see)."""
        if not self.pid_namespace:
            return []
        found = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    if os.readlink(f"/proc/{entry}/ns/pid") == self.pid_namespace:
                        found.append(int(entry))
                except OSError:
                    continue
        return found

    def close(self, grace: float) -> None:
        """Stop every process (SIGTERM, ``grace`` seconds, SIGKILL); the jail is gone after."""
        if self.control is not None:
            try:
                self.control.send(_pack({"op": "close", "grace": grace}))
            except OSError:
                pass
        if self.process is not None:
            try:
                _wait(self.process, grace + 3)
            except subprocess.TimeoutExpired:
                self.process.kill()  # unshare --kill-child and the PID namespace do the rest
                self.process.wait()
            self.process = None
        if self.control is not None:
            self.control.close()
            self.control = None
        if self._errors is not None:
            self._errors.close()
            self._errors = None


def _pack(message: dict) -> bytes:
    """A control message: marshal (format 4, read by every Python 3), which the agent
    loads without importing anything (json would cost it the import of re, 8 ms)."""
    return marshal.dumps(message, 4)


def _wait(process: subprocess.Popen, timeout: float) -> int:
    """``process.wait(timeout)`` without its polling sleeps: a pidfd wakes us when it exits."""
    try:
        pidfd = os.pidfd_open(process.pid)
    except (AttributeError, OSError):  # no pidfd (Linux < 5.3), or already reaped
        return process.wait(timeout=timeout)
    try:
        ready, _, _ = select.select([pidfd], [], [], timeout)
    finally:
        os.close(pidfd)
    if not ready:
        raise subprocess.TimeoutExpired(process.args, timeout)
    return process.wait()


def _pid_namespace(launcher: int) -> str:
    """The PID namespace of the launcher's child (the agent), as /proc names it."""
    try:
        children = Path(f"/proc/{launcher}/task/{launcher}/children").read_text().split()
        return os.readlink(f"/proc/{children[0]}/ns/pid") if children else ""
    except OSError:
        return ""


def _pipe_holding(data: bytes) -> int:
    """The read end of a pipe that holds ``data`` (under 64 KiB) and is closed for writing."""
    read_end, write_end = os.pipe()
    os.write(write_end, data)
    os.close(write_end)
    return read_end


def _hint(text: str) -> str:
    if "overlayfs refused" in text:
        return "the kernel needs overlayfs in user namespaces (Linux 5.11 or later)"
    return "run the build again; if it repeats, remove the lab (invoke labs --remove) and rebuild it"
