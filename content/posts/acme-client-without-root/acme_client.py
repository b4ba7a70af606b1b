#!/usr/bin/env python3
"""A small ACME (RFC 8555) client: HTTP-01 through a webroot, no root needed.

Usage: acme_client.py CONFIG.json [--renew-days DAYS]
Dependencies: the Python standard library and `cryptography`.

Exit status: 0 certificate fine or renewed, 2 usage, 3 configuration,
4 another run holds the lock, 5 the CA refused, 6 unexpected answer from
the CA, 7 network, 8 certificate, 9 reload failed, 10 local files.
"""
import argparse
import base64
import email.utils
import fcntl
import hashlib
import json
import os
import re
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


class Failure(Exception):
    """An expected failure: one line on stderr and its own exit status."""
    status = 1


class ConfigError(Failure):
    status = 3


class Locked(Failure):
    status = 4


class AcmeError(Failure):
    """The CA answered with a problem document."""
    status = 5


class ProtocolError(Failure):
    """The CA answered something RFC 8555 does not allow."""
    status = 6


class NetworkError(Failure):
    status = 7


class CertificateError(Failure):
    status = 8


class ReloadError(Failure):
    status = 9


class StateError(Failure):
    """The state directory, the webroot or the account key."""
    status = 10


def b64(data: bytes) -> str:
    """base64url without padding, the encoding of every JOSE field."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def log(message: str) -> None:
    print(f"acme: {message}", flush=True)


def retry_after(headers, default: float = 1.0) -> float:
    """Seconds to wait before polling again, from Retry-After if the CA sent one."""
    value = headers.get("Retry-After")
    if value is None:
        return default
    if value.strip().isdigit():
        return max(float(value), default)
    try:
        when = email.utils.parsedate_to_datetime(value)  # the HTTP-date form
    except (TypeError, ValueError):
        return default
    return max((when - datetime.now(UTC)).total_seconds(), default)


class Acme:
    """One account on one ACME server: signed requests, nonces, polling."""

    def __init__(self, directory_url: str, key, ca_bundle: str | None = None):
        self.tls = ssl.create_default_context(cafile=ca_bundle)
        self.key, self.kid, self.nonce = key, None, None
        numbers = key.public_key().public_numbers()
        self.jwk = {"crv": "P-256", "kty": "EC",
                    "x": b64(numbers.x.to_bytes(32, "big")),
                    "y": b64(numbers.y.to_bytes(32, "big"))}
        self.directory = self.json(self._http("GET", directory_url)[2], directory_url)

    def _http(self, method, url, body=None, accept="application/json"):
        headers = {"Accept": accept, "User-Agent": "acme_client.py"}
        if body is not None:
            headers["Content-Type"] = "application/jose+json"
        try:
            request = urllib.request.Request(url, body, headers, method=method)
        except ValueError:
            raise ProtocolError(f"the CA sent {url!r} where a URL belongs") from None
        try:
            with urllib.request.urlopen(request, context=self.tls, timeout=30) as r:
                status, headers, data = r.status, r.headers, r.read()
        except urllib.error.HTTPError as error:
            status, headers, data = error.code, error.headers, error.read()
        except (urllib.error.URLError, OSError) as error:  # DNS, TCP, TLS, timeout
            reason = getattr(error, "reason", error)
            raise NetworkError(f"{method} {url}: {reason}") from None
        # Every response may carry a fresh nonce, error responses included.
        self.nonce = headers.get("Replay-Nonce", self.nonce)
        return status, headers, data

    @staticmethod
    def json(data: bytes, url: str) -> dict:
        try:
            obj = json.loads(data)
        except ValueError:
            raise ProtocolError(f"{url} answered something that is not JSON") from None
        if not isinstance(obj, dict):
            raise ProtocolError(f"{url} answered JSON that is not an object")
        return obj

    @staticmethod
    def location(headers, url: str) -> str:
        if not headers.get("Location"):
            raise ProtocolError(f"{url} answered without a Location header")
        return headers["Location"]

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
            problem = self.json(data or b"{}", url)
            if problem.get("type") != "urn:ietf:params:acme:error:badNonce":
                raise AcmeError(f"{status} {problem.get('type')}: "
                                f"{problem.get('detail')}")
            log(f"badNonce from {url}, retrying with the nonce of the refusal")
        raise AcmeError("the server rejected ten nonces in a row")

    def get(self, url):
        """POST-as-GET url; return the JSON object and the response headers."""
        headers, data = self.post(url, None)
        return self.json(data, url), headers

    def poll(self, url, target, seconds=60):
        """POST-as-GET url until its status is target; fail on invalid."""
        deadline = time.monotonic() + seconds
        while True:
            obj, headers = self.get(url)
            if obj["status"] == target:
                return obj
            if obj["status"] == "invalid":
                problems = [c["error"] for c in obj.get("challenges", [])
                            if "error" in c]
                raise AcmeError(f"{url} invalid: {obj.get('error') or problems}")
            wait = retry_after(headers)  # the CA may ask us to come back later
            if time.monotonic() + wait > deadline:
                raise AcmeError(f"{url} still {obj['status']}, and the deadline of "
                                f"{seconds} s comes before the next poll")
            if "Retry-After" in headers:
                log(f"{obj['status']}, the CA asks to poll again in {wait:g} s")
            time.sleep(wait)


def write_private(path: str, key) -> None:
    """Create the file with mode 0600 from the start: no window of 0644."""
    pem = key.private_bytes(serialization.Encoding.PEM,
                            serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
        os.fsync(f.fileno())


def dns_names(cert) -> list:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return []
    return sorted(san.value.get_values_for_type(x509.DNSName))


def days_left(live: str, domains):
    """Days until the live certificate expires; None if missing or wrong names."""
    path = os.path.join(live, "fullchain.pem")
    try:
        with open(path, "rb") as f:
            cert = x509.load_pem_x509_certificate(f.read())
    except FileNotFoundError:
        return None
    except ValueError as error:
        raise CertificateError(f"{path} is not a PEM certificate ({error})") from None
    if dns_names(cert) != sorted(domains):
        return None
    # cryptography >= 42 has the aware property; older releases the naive one.
    expires = getattr(cert, "not_valid_after_utc", None)
    if expires is None:
        expires = cert.not_valid_after.replace(tzinfo=UTC)
    return (expires - datetime.now(UTC)).total_seconds() / 86400


# RFC 8555, 8.3: base64url characters only, and at least 128 bits of entropy.
TOKEN = re.compile(r"[A-Za-z0-9_-]{22,}")


def token_path(webroot: str, token) -> str:
    """Where the challenge file goes; the token comes from the network."""
    if not isinstance(token, str) or not TOKEN.fullmatch(token):
        raise ProtocolError(f"refusing challenge token {token!r}: not base64url")
    return os.path.join(webroot, ".well-known", "acme-challenge", token)


def authorize(acme: Acme, authz_url: str, authz: dict, webroot: str) -> None:
    name = authz["identifier"]["value"]
    if authz["status"] == "valid":
        # A reused authorization: answering its challenge again is an error.
        log(f"{name}: authorization already valid")
        return
    challenge = next((c for c in authz["challenges"] if c["type"] == "http-01"), None)
    if challenge is None:
        raise AcmeError(f"{name}: the CA offers no http-01 challenge")
    token_file = token_path(webroot, challenge["token"])
    thumbprint = hashlib.sha256(json.dumps(
        acme.jwk, sort_keys=True, separators=(",", ":")).encode()).digest()
    # 0644 whatever the umask: the web server's workers must read it.
    fd = os.open(token_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.fchmod(fd, 0o644)
    with os.fdopen(fd, "w") as f:
        f.write(f"{challenge['token']}.{b64(thumbprint)}")
    try:
        acme.post(challenge["url"], {})
        acme.poll(authz_url, "valid")
    finally:
        os.remove(token_file)
    log(f"{name}: answered http-01, authorization valid")


def check_chain(chain: str, key, domains) -> None:
    """The CA's chain must start with a certificate for our key and names."""
    try:
        leaf = x509.load_pem_x509_certificate(chain.encode())
    except ValueError as error:
        raise CertificateError(f"the CA sent an unreadable chain ({error})") from None
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if leaf.public_key().public_bytes(*spki) != key.public_key().public_bytes(*spki):
        raise CertificateError("the CA's certificate is not for the key we sent")
    if dns_names(leaf) != sorted(domains):
        raise CertificateError(f"the CA's certificate names {dns_names(leaf)}")


def issue(acme: Acme, domains, webroot: str):
    """Run one order to the end; return (new private key, PEM chain)."""
    headers, data = acme.post(acme.directory["newOrder"], {
        "identifiers": [{"type": "dns", "value": d} for d in domains]})
    order_url = acme.location(headers, acme.directory["newOrder"])
    order = acme.json(data, order_url)
    log(f"order {order['status']} for {len(domains)} names")
    # Sorted by name only so that the log reads the same on every run.
    authzs = [(acme.get(url)[0], url) for url in order["authorizations"]]
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
    check_chain(chain, key, domains)
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


def reload(command, release: str) -> None:
    log(f"reload: {' '.join(command)}")
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise ReloadError(f"installed {release}, but the reload failed: {error}") from None
    print(done.stdout, end="")
    if done.returncode != 0:
        said = done.stderr.strip().splitlines()[-1:] or ["no message"]
        raise ReloadError(f"installed {release}, but the reload exited with "
                          f"status {done.returncode}: {said[0]}")


def read_config(path: str) -> dict:
    try:
        with open(path) as f:
            cfg = json.load(f)
        missing = {"directory", "domains", "webroot", "state", "renew_days"} - cfg.keys()
    except (OSError, ValueError, AttributeError) as error:
        raise ConfigError(f"cannot read {path}: {error}") from None
    if missing:
        raise ConfigError(f"{path} lacks {', '.join(sorted(missing))}")
    return cfg


def lock_state(state: str) -> int:
    """Hold an exclusive lock on the state directory until the process ends."""
    os.makedirs(state, mode=0o700, exist_ok=True)
    path = os.path.join(state, "lock")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise Locked(f"another run holds {path}; not starting a second one") from None
    return fd


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config")
    parser.add_argument("--renew-days", type=float, help="override the config")
    args = parser.parse_args()
    cfg = read_config(args.config)
    domains, state = cfg["domains"], cfg["state"]
    window = cfg["renew_days"] if args.renew_days is None else args.renew_days
    lock_state(state)  # held until the process exits
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
        try:
            key = serialization.load_pem_private_key(f.read(), None)
        except ValueError as error:
            raise StateError(f"{key_path} is not a private key ({error})") from None
    try:
        acme = Acme(cfg["directory"], key, cfg.get("ca_bundle"))
        headers = acme.post(acme.directory["newAccount"], {"termsOfServiceAgreed": True})[0]
        acme.kid = acme.location(headers, acme.directory["newAccount"])
        cert_key, chain = issue(acme, domains, cfg["webroot"])
    except (KeyError, TypeError, IndexError) as error:  # a field RFC 8555 promises
        raise ProtocolError(f"unexpected answer from the CA: {error!r}") from None
    release = install(state, cert_key, chain)
    log(f"installed {release}, live -> {os.readlink(os.path.join(state, 'live'))}")
    if cfg.get("reload"):
        reload(cfg["reload"], release)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Failure as failure:
        print(f"acme: error: {failure}", file=sys.stderr)
        sys.exit(failure.status)
    except OSError as error:  # the state directory, the webroot, the lock
        print(f"acme: error: {error}", file=sys.stderr)
        sys.exit(StateError.status)
