"""Small helpers shared by the lab's scripts: settings file and polling."""
import time
from pathlib import Path


def lab_env(path="zabbix.env"):
    """The KEY=value lines that zabbix-up.sh and zpark-up.sh wrote."""
    lines = Path(path).read_text().splitlines()
    pairs = (line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))
    return {key: value for key, value in pairs}


def wait_until(check, timeout, what):
    """Call check() five times a second until it returns something true."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up after {timeout} s waiting for {what}")
        time.sleep(0.2)
