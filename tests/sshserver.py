"""A throwaway OpenSSH server on 127.0.0.1 for the publishing tests.

Debian's /usr/sbin/sshd runs in the foreground (-D) with its own sshd_config,
host key, authorized key and pid file in a temporary folder; the client side
gets a private key and a known_hosts file that pins the host key, so the tests
connect with strict host key checking as an author would.
"""

from __future__ import annotations

import getpass
import os
import shlex
import socket
import subprocess
import time
from pathlib import Path

SSH = "/usr/bin/ssh"
SSHD = "/usr/sbin/sshd"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SshServer:
    """One sshd process; ``start()`` waits until it accepts logins, ``stop()`` ends it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.user = getpass.getuser()
        self.identity_file = folder / "client_key"
        self.known_hosts = folder / "known_hosts"
        self.log = folder / "sshd.log"
        self.process: subprocess.Popen | None = None

    def _keygen(self, path: Path) -> str:
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "publish-tests",
                        "-f", str(path)], check=True)
        return path.with_suffix(".pub").read_text().strip()

    def write_config(self) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        host_public = self._keygen(self.folder / "host_key")
        (self.folder / "authorized_keys").write_text(self._keygen(self.identity_file) + "\n")
        key_type, key = host_public.split()[:2]
        self.known_hosts.write_text(f"[127.0.0.1]:{self.port} {key_type} {key}\n")
        config = self.folder / "sshd_config"
        config.write_text(f"""\
Port {self.port}
ListenAddress 127.0.0.1
HostKey {self.folder / "host_key"}
PidFile {self.folder / "sshd.pid"}
AuthorizedKeysFile {self.folder / "authorized_keys"}
AllowUsers {self.user}
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PrintMotd no
LogLevel VERBOSE
""")
        return config

    def ssh_options(self) -> list[str]:
        """What a client needs besides port and key: the pinned host key."""
        return ["-o", f"UserKnownHostsFile={self.known_hosts}", "-o", "StrictHostKeyChecking=yes",
                "-o", "ConnectTimeout=10"]

    def start(self) -> SshServer:
        config = self.write_config()
        # sshd's privilege separation needs this folder (the package's service would make it).
        Path("/run/sshd").mkdir(mode=0o755, parents=True, exist_ok=True)
        with self.log.open("wb") as log:
            self.process = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)],
                                            stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"sshd exited with {self.process.returncode}:\n"
                                   + self.log.read_text())
            # the real client, whatever a case put first on PATH (an offline wrapper)
            probe = subprocess.run([SSH, "-p", str(self.port), "-i", str(self.identity_file),
                                    "-o", "BatchMode=yes", *self.ssh_options(),
                                    f"{self.user}@127.0.0.1", "true"],
                                   capture_output=True, text=True)
            if probe.returncode == 0:
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"sshd did not accept a login: {probe.stderr}\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def environment(self, path: Path) -> dict[str, str]:
        """The BLOG_SSH_* variables that point ``invoke publish`` at this server and ``path``."""
        return {
            "BLOG_SSH_HOST": "127.0.0.1",
            "BLOG_SSH_PORT": str(self.port),
            "BLOG_SSH_USER": self.user,
            "BLOG_SSH_PATH": str(path),
            "BLOG_SSH_IDENTITY_FILE": str(self.identity_file),
            "BLOG_SSH_OPTIONS": shlex.join(self.ssh_options()),
        }


def available() -> str:
    """Why the server cannot run here, or "" when it can."""
    if not os.access(SSHD, os.X_OK):
        return f"{SSHD} is missing (Debian package openssh-server; `invoke system-deps` installs it)"
    if os.geteuid() != 0:
        return "sshd with privilege separation must be started as root (CI runs as root)"
    return ""
