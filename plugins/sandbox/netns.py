"""A network namespace per session: only loopback, no route anywhere else.

A sample that quietly depends on the internet then fails at once ("Network is
unreachable") instead of passing while the network is up.  Creating a namespace
needs root (as CI runs); as another user runs are not network-isolated, and the
engine says so once per process instead of pretending.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass

_WARNED: list[bool] = []


@dataclass(frozen=True)
class NetworkNamespace:
    name: str

    @property
    def path(self) -> str:
        return f"/run/netns/{self.name}"

    def enter(self) -> list[str]:
        """argv prefix that runs a command inside the namespace (nothing else changes)."""
        return ["nsenter", f"--net={self.path}", "--"]

    def problems(self) -> list[str]:
        """What is reachable besides loopback, read from the namespace (interfaces and
        every routing table); empty when only ``lo`` is there.  Sends nothing."""
        links = _ip(["-n", self.name, "-o", "link", "show"])
        names = [line.split(":")[1].strip().split("@")[0] for line in links if ":" in line]
        routes = [line for line in _ip(["-n", self.name, "route", "show", "table", "all"]) +
                  _ip(["-n", self.name, "-6", "route", "show", "table", "all"])
                  if " dev lo " not in f"{line} "]
        found = [f"interface {name}" for name in names if name != "lo"]
        if "lo" not in names:
            found.append("no loopback interface")
        return found + [f"route {route}" for route in routes]

    def delete(self) -> None:
        subprocess.run(["ip", "netns", "delete", self.name], capture_output=True,
                       stdin=subprocess.DEVNULL, check=False)


def create_namespace(token: str) -> NetworkNamespace | None:
    """A fresh namespace with ``lo`` up, or None (with one warning) where impossible."""
    if os.geteuid() == 0 and shutil.which("ip") and shutil.which("nsenter"):
        namespace = NetworkNamespace(f"sample-{os.getpid()}-{token[:8]}")  # whose it is, for cleanup
        created = subprocess.run(["ip", "netns", "add", namespace.name], capture_output=True,
                                 text=True, stdin=subprocess.DEVNULL, check=False)
        if created.returncode == 0:
            up = subprocess.run(["ip", "-n", namespace.name, "link", "set", "lo", "up"],
                                capture_output=True, stdin=subprocess.DEVNULL, check=False)
            if up.returncode == 0:
                return namespace
            namespace.delete()
        reason = created.stderr.strip() or "ip netns add failed"
    else:
        reason = "creating a network namespace needs root and iproute2's ip (CI runs as root)"
    if not _WARNED:
        _WARNED.append(True)
        print(f"note: runs are not network-isolated: {reason}", file=sys.stderr)
    return None


def _ip(arguments: list[str]) -> list[str]:
    done = subprocess.run(["ip", *arguments], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, check=False)
    return [line for line in done.stdout.splitlines() if line.strip()] if done.returncode == 0 \
        else [f"(ip {' '.join(arguments)} failed: {done.stderr.strip()})"]
