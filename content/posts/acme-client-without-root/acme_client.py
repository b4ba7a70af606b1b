#!/usr/bin/env python3
"""A small ACME (RFC 8555) client: HTTP-01 through a webroot, no root needed.

Usage: acme_client.py CONFIG.json [--renew-days DAYS]
Dependencies: the Python standard library and `cryptography`.
"""
import argparse
import base64
import fcntl
import hashlib
import json
import os
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID


class AcmeError(Exception):
    pass


def b64(data: bytes) -> str:
    """base64url without padding, the encoding of every JOSE field."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def log(message: str) -> None:
    print(f"acme: {message}", flush=True)


class Acme:
    """One account on one ACME server: signed requests, nonces, polling."""

    def __init__(self, directory_url: str, key, ca_bundle: str | None = None):
        self.tls = ssl.create_default_context(cafile=ca_bundle)
        self.key, self.kid, self.nonce = key, None, None
        numbers = key.public_key().public_numbers()
        self.jwk = {"crv": "P-256", "kty": "EC",
                    "x": b64(numbers.x.to_bytes(32, "big")),
                    "y": b64(numbers.y.to_bytes(32, "big"))}
        self.directory = json.loads(self._http("GET", directory_url)[2])

    def _http(self, method, url, body=None, accept="application/json"):
        headers = {"Accept": accept, "User-Agent": "acme_client.py"}
        if body is not None:
            headers["Content-Type"] = "application/jose+json"
        request = urllib.request.Request(url, body, headers, method=method)
        try:
            with urllib.request.urlopen(request, context=self.tls, timeout=30) as r:
                status, headers, data = r.status, r.headers, r.read()
        except urllib.error.HTTPError as error:
            status, headers, data = error.code, error.headers, error.read()
        # Every response may carry a fresh nonce, error responses included.
        self.nonce = headers.get("Replay-Nonce", self.nonce)
        return status, headers, data

    def post(self, url, payload, accept="application/json"):
        """Signed POST; payload None is a POST-as-GET (RFC 8555, 6.3)."""
        for _ in range(10):
            if self.nonce is None:
                self._http("HEAD", self.directory["newNonce"])
            header = {"alg": "ES256", "nonce": self.nonce, "url": url}
            header.update({"kid": self.kid} if self.kid else {"jwk": self.jwk})
            self.nonce = None  # a nonce is good for one request only
            protected = b64(json.dumps(header).encode())
            body = "" if payload is None else b64(json.dumps(payload).encode())
            der = self.key.sign(f"{protected}.{body}".encode(),
                                ec.ECDSA(hashes.SHA256()))
            r, s = decode_dss_signature(der)  # JWS wants r || s, not DER
            jws = {"protected": protected, "payload": body,
                   "signature": b64(r.to_bytes(32, "big") + s.to_bytes(32, "big"))}
            status, headers, data = self._http(
                "POST", url, json.dumps(jws).encode(), accept)
            if status < 400:
                return headers, data
            problem = json.loads(data or b"{}")
            if problem.get("type") != "urn:ietf:params:acme:error:badNonce":
                raise AcmeError(f"{status} {problem.get('type')}: "
                                f"{problem.get('detail')}")
        raise AcmeError("the server rejected ten nonces in a row")

    def get(self, url):
        return json.loads(self.post(url, None)[1])

    def poll(self, url, target, seconds=60):
        """POST-as-GET url until its status is target; fail on invalid."""
        deadline = time.monotonic() + seconds
        while True:
            obj = self.get(url)
            if obj["status"] == target:
                return obj
            if obj["status"] == "invalid":
                problems = [c["error"] for c in obj.get("challenges", [])
                            if "error" in c]
                raise AcmeError(f"{url} invalid: {obj.get('error') or problems}")
            if time.monotonic() > deadline:
                raise AcmeError(f"still {obj['status']} after {seconds}s: {url}")
            time.sleep(1)


def write_private(path: str, key) -> None:
    """Create the file with mode 0600 from the start: no window of 0644."""
    pem = key.private_bytes(serialization.Encoding.PEM,
                            serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
        os.fsync(f.fileno())


def days_left(live: str, domains):
    """Days until the live certificate expires; None if missing or wrong names."""
    try:
        with open(os.path.join(live, "fullchain.pem"), "rb") as f:
            cert = x509.load_pem_x509_certificate(f.read())
    except FileNotFoundError:
        return None
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    if sorted(san.value.get_values_for_type(x509.DNSName)) != sorted(domains):
        return None
    # cryptography >= 42 has the aware property; older releases the naive one.
    expires = getattr(cert, "not_valid_after_utc", None)
    if expires is None:
        expires = cert.not_valid_after.replace(tzinfo=UTC)
    return (expires - datetime.now(UTC)).total_seconds() / 86400


def authorize(acme: Acme, authz_url: str, authz: dict, webroot: str) -> None:
    name = authz["identifier"]["value"]
    if authz["status"] == "valid":
        # A reused authorization: answering its challenge again is an error.
        log(f"{name}: authorization already valid")
        return
    challenge = next(c for c in authz["challenges"] if c["type"] == "http-01")
    thumbprint = hashlib.sha256(json.dumps(
        acme.jwk, sort_keys=True, separators=(",", ":")).encode()).digest()
    token_dir = os.path.join(webroot, ".well-known", "acme-challenge")
    os.makedirs(token_dir, exist_ok=True)
    token_file = os.path.join(token_dir, challenge["token"])
    with open(token_file, "w") as f:
        f.write(f"{challenge['token']}.{b64(thumbprint)}")
    try:
        acme.post(challenge["url"], {})
        acme.poll(authz_url, "valid")
    finally:
        os.remove(token_file)
    log(f"{name}: answered http-01, authorization valid")


def issue(acme: Acme, domains, webroot: str):
    """Run one order to the end; return (new private key, PEM chain)."""
    headers, data = acme.post(acme.directory["newOrder"], {
        "identifiers": [{"type": "dns", "value": d} for d in domains]})
    order_url, order = headers["Location"], json.loads(data)
    log(f"order {order['status']} for {len(domains)} names")
    # Sorted by name only so that the log reads the same on every run.
    authzs = [(acme.get(url), url) for url in order["authorizations"]]
    for authz, url in sorted(authzs, key=lambda a: a[0]["identifier"]["value"]):
        authorize(acme, url, authz, webroot)
    order = acme.poll(order_url, "ready")
    key = ec.generate_private_key(ec.SECP256R1())  # a fresh key every time
    cn = x509.NameAttribute(NameOID.COMMON_NAME, domains[0])
    csr = (x509.CertificateSigningRequestBuilder().subject_name(x509.Name([cn]))
           .add_extension(x509.SubjectAlternativeName(
               [x509.DNSName(d) for d in domains]), critical=False)
           .sign(key, hashes.SHA256()))
    log("order ready, finalizing with a new P-256 key")
    acme.post(order["finalize"], {"csr": b64(csr.public_bytes(
        serialization.Encoding.DER))})
    order = acme.poll(order_url, "valid")
    chain = acme.post(order["certificate"], None,
                      "application/pem-certificate-chain")[1].decode()
    log(f"order valid, chain of {chain.count('BEGIN CERTIFICATE')} certificates")
    return key, chain


def install(state: str, key, chain: str) -> str:
    """Write a new release directory, then switch the live symlink to it."""
    releases = os.path.join(state, "releases")
    os.makedirs(releases, exist_ok=True)
    number = 1 + max((int(n) for n in os.listdir(releases) if n.isdigit()),
                     default=0)
    release = os.path.join(releases, str(number))
    os.mkdir(release, 0o755)
    write_private(os.path.join(release, "privkey.pem"), key)
    with open(os.path.join(release, "fullchain.pem"), "w") as f:
        f.write(chain)
        os.fsync(f.fileno())
    # rename() over the old symlink is atomic: readers see old or new pair.
    tmp_link = os.path.join(state, f"live.{number}")  # unique, like the release
    os.symlink(os.path.join("releases", str(number)), tmp_link)
    os.replace(tmp_link, os.path.join(state, "live"))
    return release


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config")
    parser.add_argument("--renew-days", type=float, help="override the config")
    args = parser.parse_args()
    with open(args.config) as f:
        cfg = json.load(f)
    domains, state = cfg["domains"], cfg["state"]
    window = cfg["renew_days"] if args.renew_days is None else args.renew_days
    os.makedirs(state, mode=0o700, exist_ok=True)
    lock = os.open(os.path.join(state, "lock"), os.O_WRONLY | os.O_CREAT, 0o600)
    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # one run at a time
    left = days_left(os.path.join(state, "live"), domains)
    if left is None:
        log(f"{', '.join(domains)}: no matching certificate, issuing")
    elif left > window:
        log(f"{left:.4f} days left, renewal window {window:g} days: not due")
        return 0
    else:
        log(f"{left:.4f} days left, renewal window {window:g} days: renewing")
    key_path = os.path.join(state, "account.pem")
    if not os.path.exists(key_path):
        write_private(key_path, ec.generate_private_key(ec.SECP256R1()))
        log(f"created account key {key_path}")
    with open(key_path, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), None)
    acme = Acme(cfg["directory"], key, cfg.get("ca_bundle"))
    acme.kid = acme.post(acme.directory["newAccount"],
                         {"termsOfServiceAgreed": True})[0]["Location"]
    cert_key, chain = issue(acme, domains, cfg["webroot"])
    release = install(state, cert_key, chain)
    log(f"installed {release}, live -> {os.readlink(os.path.join(state, 'live'))}")
    if cfg.get("reload"):
        log(f"reload: {' '.join(cfg['reload'])}")
        subprocess.run(cfg["reload"], check=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (AcmeError, OSError) as error:
        print(f"acme: error: {error}", file=sys.stderr)
        sys.exit(1)
