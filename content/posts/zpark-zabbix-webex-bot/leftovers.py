"""List processes still running from this lab, and fail if there are any.

A process belongs to the lab when it works in this directory (PostgreSQL's
processes, zabbix_server's, PHP, the Python servers), names it on its command
line, or has it as PWD in its environment. The environment alone would not do:
PostgreSQL and Zabbix children write their process titles over it.
"""
import os
import sys
from pathlib import Path

here = os.getcwd()


def ancestors():
    pid, seen = os.getpid(), set()
    while pid > 1:
        seen.add(pid)
        pid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    return seen


def belongs_to_lab(proc):
    cwd = os.readlink(proc / "cwd")
    return (
        cwd == here or cwd.startswith(here + "/")
        or here.encode() in (proc / "cmdline").read_bytes()
        or f"PWD={here}".encode() in (proc / "environ").read_bytes().split(b"\0")
    )


def leftovers():
    mine = ancestors()
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) in mine | {1}:  # 1: the namespace's init
            continue
        try:
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
            if state != "Z" and belongs_to_lab(proc):
                found.append(f"{proc.name} {(proc / 'cmdline').read_bytes()[:80]!r}")
        except (FileNotFoundError, ProcessLookupError):
            continue  # it ended while we looked
        except PermissionError:
            continue  # not ours to inspect (some init processes hide even from root)
    return found


if __name__ == "__main__":
    found = leftovers()
    print("\n".join(found) or "no process left from the lab")
    sys.exit(1 if found else 0)
