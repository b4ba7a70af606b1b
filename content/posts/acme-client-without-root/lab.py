"""A loopback ACME lab: pebble, a DNS stand-in and a webroot HTTP server.

python lab.py start   writes the configs, starts the three servers, waits
python lab.py stop    stops what start started (pids in lab/pids.json)
Nothing listens on anything but 127.0.0.1; ports are picked free each time.
"""
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.request

LAB = "lab"
DOMAINS = ["example.test", "www.example.test"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit(f"lab: nothing listens on port {port}")
            time.sleep(0.1)


def spawn(name: str, argv, env=None) -> int:
    with open(os.path.join(LAB, f"{name}.log"), "wb") as log:
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True,
                                env=dict(os.environ, **(env or {})))
    return proc.pid


def start() -> None:
    os.makedirs(LAB, exist_ok=True)
    os.makedirs("webroot", exist_ok=True)
    acme, mgmt, http, tls, dns, dns_mgmt = (free_port() for _ in range(6))
    with open(os.path.join(LAB, "pebble-config.json"), "w") as f:
        json.dump({"pebble": {
            "listenAddress": f"127.0.0.1:{acme}",
            "managementListenAddress": f"127.0.0.1:{mgmt}",
            "certificate": "pebble-tls/cert.pem",
            "privateKey": "pebble-tls/key.pem",
            "httpPort": http, "tlsPort": tls,
            "ocspResponderURL": "", "externalAccountBindingRequired": False,
            "certificateValidityPeriod": 600}}, f, indent=2)
    # ANCHOR: servers
    pids = {
        # DNS only: every name resolves to 127.0.0.1, no AAAA answers.
        "dns": spawn("dns", [
            "pebble-challtestsrv", "-dns01", f"127.0.0.1:{dns}",
            "-http01", "", "-https01", "", "-tlsalpn01", "",
            "-management", f"127.0.0.1:{dns_mgmt}", "-defaultIPv6", ""]),
        "pebble": spawn("pebble", [
            "pebble", "-config", os.path.join(LAB, "pebble-config.json"),
            "-dnsserver", f"127.0.0.1:{dns}", "-strict=false"], env={
            "PEBBLE_VA_NOSLEEP": "1",        # no random 0-15 s pauses
            "PEBBLE_AUTHZREUSE": "100",      # always reuse valid authzs
            "PEBBLE_WFE_NONCEREJECT": "20"}),  # reject one nonce in five
        "webroot": spawn("webroot", [
            sys.executable, "-m", "http.server", str(http),
            "--bind", "127.0.0.1", "--directory", "webroot"]),
    }
    # ANCHOR_END: servers
    with open(os.path.join(LAB, "pids.json"), "w") as f:
        json.dump(pids, f)
    for port in (dns_mgmt, acme, mgmt, http):
        wait_for(port)
    # Pebble makes a new root at every start; keep it to verify chains.
    tls_ctx = ssl.create_default_context(cafile="pebble-tls/ca.pem")
    url = f"https://127.0.0.1:{mgmt}/roots/0"
    with urllib.request.urlopen(url, context=tls_ctx) as r:
        root = r.read()
    with open("pebble-root.pem", "wb") as f:
        f.write(root)
    for name, state in (("client.json", "state"), ("service.json", "srv")):
        with open(name, "w") as f:
            json.dump({"directory": f"https://localhost:{acme}/dir",
                       "ca_bundle": "pebble-tls/ca.pem", "domains": DOMAINS,
                       "webroot": "webroot", "state": state,
                       "renew_days": 30,
                       "reload": ["echo", "(lab) sudo systemctl reload nginx"]},
                      f, indent=2)
            f.write("\n")
    print(f"lab: pebble ACME directory https://localhost:{acme}/dir")
    print(f"lab: pebble management https://127.0.0.1:{mgmt}, root saved"
          " to pebble-root.pem")
    print(f"lab: DNS stand-in 127.0.0.1:{dns} answers 127.0.0.1 for any name")
    print(f"lab: webroot server http://127.0.0.1:{http}/ serves ./webroot")
    print("lab: wrote client.json and service.json")


def stop() -> None:
    with open(os.path.join(LAB, "pids.json")) as f:
        pids = json.load(f)
    for name, pid in pids.items():
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            print(f"lab: {name} was not running")
            continue
        for _ in range(100):  # wait up to 10 s for it to exit
            try:
                os.kill(pid, 0)
                time.sleep(0.1)
            except ProcessLookupError:
                print(f"lab: stopped {name}")
                break
        else:
            os.kill(pid, signal.SIGKILL)
            print(f"lab: killed {name}, it ignored SIGTERM")
    os.remove(os.path.join(LAB, "pids.json"))


if __name__ == "__main__":
    {"start": start, "stop": stop}[sys.argv[1]]()
