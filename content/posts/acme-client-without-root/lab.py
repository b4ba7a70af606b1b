"""A loopback ACME lab: pebble, a DNS stand-in and nginx, on 127.0.0.1 only.

python lab.py start   writes the configs, starts the three servers, waits
python lab.py https   adds nginx's HTTPS server, once a certificate exists
python lab.py stop    stops what start started, removes the acme user, its
                      sudoers file and the trusted Pebble CA, restores nginx.conf
Run as root. Ports are picked free each time.
"""
import json
import os
import pwd
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.request

LAB = os.path.abspath("lab")
NGINX = os.path.join(LAB, "nginx")
SUDOERS = "/etc/sudoers.d/acme"  # the post's acme.sudoers, installed by a run of the post
NGINX_CONF = "/etc/nginx/nginx.conf"  # the default path, so that "nginx -s reload" finds it
SAVED_CONF = "/etc/nginx/nginx.conf.lab-saved"
TRUSTED = "/etc/ssl/certs/pebble-lab.pem"  # plus a hash-named link, which OpenSSL looks up


def hashed_link() -> str:
    out = subprocess.run(["openssl", "x509", "-hash", "-noout", "-in", "pebble-tls/ca.pem"],
                         capture_output=True, text=True, check=True).stdout.strip()
    return f"/etc/ssl/certs/{out}.0"
USER_COMMENT = "ACME client"  # what the post's useradd writes; marks the lab's user
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
                raise SystemExit(f"lab: nothing listens on port {port}") from None
            time.sleep(0.1)


def spawn(name: str, argv, env=None) -> int:
    with open(os.path.join(LAB, f"{name}.log"), "wb") as log:
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True,
                                env=dict(os.environ, **(env or {})))
    return proc.pid


def remove_user_and_sudoers() -> list:
    """Undo what the post's runs add to the system; say what was removed."""
    removed = []
    for path in (SUDOERS, TRUSTED, hashed_link()):
        if os.path.lexists(path):
            os.remove(path)
            removed.append(path)
    try:
        user = pwd.getpwnam("acme")
    except KeyError:
        return removed
    if user.pw_gecos != USER_COMMENT:
        raise SystemExit("lab: a user acme exists that this lab did not create")
    subprocess.run(["userdel", "acme"], check=True)
    removed.append("user acme")
    return removed


def nginx_config(http: int, https: int) -> str:
    temp = " ".join(f"{kind}_temp_path {NGINX}/tmp/{kind};"
                    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""# The lab's nginx: its own pid file, logs and temporary files.
daemon off;
worker_processes 1;
pid {NGINX}/nginx.pid;
error_log {NGINX}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log {NGINX}/access.log;
    {temp}
    include {NGINX}/sites/*.conf;
    include /etc/nginx/conf.d/*.conf;  # empty, but for the post's broken-file example
}}
""", f"""server {{
    listen 127.0.0.1:{http};
    server_name {' '.join(DOMAINS)};
    # The CA fetches http://NAME/.well-known/acme-challenge/TOKEN from here.
    location /.well-known/acme-challenge/ {{
        root {os.path.abspath('webroot')};
        types {{ }}
        default_type text/plain;
        disable_symlinks on;
    }}
    location / {{
        return 301 https://$host:{https}$request_uri;
    }}
}}
"""


def https_site(https: int) -> str:
    live = os.path.abspath("state/live")
    return f"""server {{
    listen 127.0.0.1:{https} ssl;
    server_name {' '.join(DOMAINS)};
    ssl_protocols TLSv1.2 TLSv1.3;
    # Read by nginx's master process (root) at start and at every reload.
    ssl_certificate     {live}/fullchain.pem;
    ssl_certificate_key {live}/privkey.pem;
    location / {{
        default_type text/plain;
        return 200 "hello from $host over $ssl_protocol\\n";
    }}
}}
"""


def start() -> None:
    # sudo looks up the host name; the lab's /etc/hosts does not know it.
    with open("/etc/hosts", "r+") as f:
        if socket.gethostname() not in f.read().split():
            f.write(f"127.0.1.1 {socket.gethostname()}\n")
    os.chmod(".", 0o755)  # as /var/lib/acme on a server: root's; acme only passes through
    os.makedirs(os.path.join(NGINX, "sites"), exist_ok=True)
    os.makedirs(os.path.join(NGINX, "tmp"), exist_ok=True)
    os.makedirs("webroot/.well-known/acme-challenge", exist_ok=True)
    acme, mgmt, http, tls, https, dns, dns_mgmt = (free_port() for _ in range(7))
    with open(os.path.join(LAB, "pebble-config.json"), "w") as f:
        json.dump({"pebble": {
            "listenAddress": f"127.0.0.1:{acme}",
            "managementListenAddress": f"127.0.0.1:{mgmt}",
            "certificate": "pebble-tls/cert.pem",
            "privateKey": "pebble-tls/key.pem",
            "httpPort": http, "tlsPort": tls,
            "ocspResponderURL": "", "externalAccountBindingRequired": False,
            "certificateValidityPeriod": 90 * 86400}}, f, indent=2)
    main_conf, http_site = nginx_config(http, https)
    conf = NGINX_CONF
    if not os.path.exists(SAVED_CONF):
        os.rename(NGINX_CONF, SAVED_CONF)
    with open(conf, "w") as f:
        f.write(main_conf)
    with open(os.path.join(NGINX, "sites", "http.conf"), "w") as f:
        f.write(http_site)
    pids = {
        # DNS only: every name resolves to 127.0.0.1, no AAAA answers.
        "dns": spawn("dns", [
            "pebble-challtestsrv", "-dns01", f"127.0.0.1:{dns}",
            "-http01", "", "-https01", "", "-tlsalpn01", "", "-doh", "",
            "-management", f"127.0.0.1:{dns_mgmt}", "-defaultIPv6", ""]),
        "pebble": spawn("pebble", [
            "pebble", "-config", os.path.join(LAB, "pebble-config.json"),
            "-dnsserver", f"127.0.0.1:{dns}", "-strict=false"], env={
            "PEBBLE_VA_NOSLEEP": "1",        # no random 0-15 s pauses
            "PEBBLE_AUTHZREUSE": "100",      # always reuse valid authzs
            "PEBBLE_WFE_NONCEREJECT": "0"}),  # no random badNonce (default 5 %)
        "nginx": spawn("nginx", ["nginx", "-c", conf]),  # daemon off: pid known
    }
    with open(os.path.join(LAB, "pids.json"), "w") as f:
        json.dump(pids, f)
    with open(os.path.join(LAB, "ports.json"), "w") as f:
        json.dump({"http": http, "https": https, "acme": acme}, f)
    with open(os.path.join(LAB, "ports.sh"), "w") as f:  # for the shell's "."
        f.write(f"HTTP_PORT={http}\nHTTPS_PORT={https}\nACME_PORT={acme}\n")
    for port in (dns_mgmt, acme, mgmt, http):
        wait_for(port)
    # Pebble makes a new root at every start; keep it to verify chains.
    tls_ctx = ssl.create_default_context(cafile="pebble-tls/ca.pem")
    with urllib.request.urlopen(f"https://127.0.0.1:{mgmt}/roots/0", context=tls_ctx) as r:
        root = r.read()
    with open("pebble-root.pem", "wb") as f:
        f.write(root)
    # The client trusts the system's CAs: add Pebble's HTTPS CA there, as for an internal CA.
    os.makedirs(os.path.dirname(TRUSTED), exist_ok=True)
    subprocess.run(["cp", "pebble-tls/ca.pem", TRUSTED], check=True)
    if not os.path.lexists(hashed_link()):
        os.symlink(TRUSTED, hashed_link())
    with open("client.json", "w") as f:
        json.dump({"directory": f"https://localhost:{acme}/dir",
                   "domains": DOMAINS,
                   "webroot": "webroot", "state": "state",
                   "reload": ["sudo", "-n", "/usr/sbin/nginx", "-s", "reload"]},
                  f, indent=2)
        f.write("\n")
    print(f"lab: pebble ACME directory https://localhost:{acme}/dir")
    print(f"lab: pebble management https://127.0.0.1:{mgmt}, root saved to pebble-root.pem")
    print(f"lab: DNS stand-in 127.0.0.1:{dns} answers 127.0.0.1 for any name")
    print(f"lab: nginx http://127.0.0.1:{http}/ serves the challenges from ./webroot")
    print("lab: wrote client.json")


def https() -> None:
    with open(os.path.join(LAB, "ports.json")) as f:
        ports = json.load(f)
    with open(os.path.join(NGINX, "sites", "https.conf"), "w") as f:
        f.write(https_site(ports["https"]))
    conf = NGINX_CONF
    subprocess.run(["nginx", "-q", "-t", "-c", conf], check=True)
    # Quietly: nginx -s reload reports "signal process started" on stderr.
    subprocess.run(["nginx", "-c", conf, "-s", "reload"], check=True,
                   stderr=subprocess.DEVNULL)
    wait_for(ports["https"])


def stop() -> None:
    with open(os.path.join(LAB, "pids.json")) as f:
        pids = json.load(f)
    for name, pid in pids.items():
        try:
            os.killpg(pid, signal.SIGTERM)  # nginx's workers are in its group
        except ProcessLookupError:
            print(f"lab: {name} was not running")
            continue
        for _ in range(100):  # wait up to 10 s for the whole group to exit
            try:
                os.killpg(pid, 0)
                time.sleep(0.1)
            except ProcessLookupError:
                print(f"lab: stopped {name}")
                break
        else:
            os.killpg(pid, signal.SIGKILL)
            print(f"lab: killed {name}, it ignored SIGTERM")
    os.remove(os.path.join(LAB, "pids.json"))
    for what in remove_user_and_sudoers():
        print(f"lab: removed {what}")
    if os.path.exists(SAVED_CONF):
        os.replace(SAVED_CONF, NGINX_CONF)
        print(f"lab: restored {NGINX_CONF}")


if __name__ == "__main__":
    {"start": start, "https": https, "stop": stop}[sys.argv[1]]()
