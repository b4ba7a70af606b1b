#!/usr/bin/env python3
"""acme_client.py CONFIG.json: ACME (RFC 8555) over HTTP-01, renewing when the CA says so."""

import base64
import fcntl
import hashlib
import http.client
import json
import os
import pathlib
import random
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from cryptography import __version__ as crypto_version, x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

USAGE, CONFIG, REFUSED, PROTOCOL, NETWORK, CERT, RELOAD, LOCAL = range(2, 10)  # exit statuses
RUN_EVERY = timedelta(hours=12)  # how often acme-renew.timer starts the client
DNS_NAME = r"([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]([a-z0-9-]*[a-z0-9])?"  # no "*", no IP
TYPES = {"directory": str, "domains": list, "webroot": str, "state": str, "reload": list}


class Failure(Exception):  # an expected failure: one line on stderr, then exit with its status
    def __init__(self, status: int, message: str, http: int = 0, kind: str = ""):
        self.status, self.message, self.http, self.kind = status, message, http, kind


def b64(data: bytes) -> str:  # base64url without padding, as JOSE wants it
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class NoRedirects(urllib.request.HTTPRedirectHandler):  # a 3xx comes back as an HTTPError
    def redirect_request(self, *args):
        return None


class Acme:  # one account on one ACME server: signed requests, nonces, polling
    def __init__(self, directory_url: str, key):
        self.key, self.kid, self.nonce, self.url = key, None, None, directory_url
        n = key.public_key().public_numbers()
        self.jwk = {"crv": "P-256", "kty": "EC"} | {k: b64(getattr(n, k).to_bytes(32, "big")) for k in "xy"}
        status, _, data = self.http("GET", directory_url)
        if status != 200:
            raise Failure(REFUSED, f"{directory_url}: HTTP {status}", status)
        self.directory = json.loads(data)

    def http(self, method, url, body=None, accept="application/json"):
        if not isinstance(url, str) or not url.startswith("https://"):
            raise Failure(PROTOCOL, f"the CA sent {url!r} where an https URL belongs")
        self.url = url  # named by an error about the answer
        headers = {"Accept": accept, "Content-Type": "application/jose+json", "User-Agent": "acme_client.py"}
        request = urllib.request.Request(url, body, headers, method=method)
        try:
            try:
                with urllib.request.build_opener(NoRedirects).open(request, timeout=30) as r:
                    status, headers, data = r.status, r.headers, r.read()
            except urllib.error.HTTPError as error:  # an error status: its body can be cut off too
                status, headers, data = error.code, error.headers, error.read()
        except (OSError, http.client.HTTPException) as error:  # DNS, TCP, TLS, timeout, cut answer
            raise Failure(NETWORK, f"{method} {url}: {getattr(error, 'reason', error)!s}") from None
        if re.fullmatch(r"[A-Za-z0-9_-]+", nonce := headers.get("Replay-Nonce", "")):  # errors carry one too
            self.nonce = nonce
        return status, headers, data

    def post(self, url, payload, accept="application/json"):  # payload None: POST-as-GET
        for _ in range(10):
            if self.nonce is None and (status := self.http("HEAD", self.directory["newNonce"])[0]) > 204:
                raise Failure(REFUSED, f"newNonce: HTTP {status}", status)
            header = {"alg": "ES256", "nonce": self.nonce, "url": url}
            header.update({"kid": self.kid} if self.kid else {"jwk": self.jwk})
            self.nonce = None  # a nonce is good for one request only
            protected = b64(json.dumps(header).encode())
            body = "" if payload is None else b64(json.dumps(payload).encode())
            der = self.key.sign(f"{protected}.{body}".encode(), ec.ECDSA(hashes.SHA256()))
            signature = b64(b"".join(v.to_bytes(32, "big") for v in decode_dss_signature(der)))  # r || s
            jws = {"protected": protected, "payload": body, "signature": signature}
            status, headers, data = self.http("POST", url, json.dumps(jws).encode(), accept)
            if status < 300:  # a redirect is refused, never followed
                return headers, data
            try:
                kind, detail = (problem := json.loads(data))["type"], problem.get("detail")
            except (ValueError, TypeError, KeyError, AttributeError):  # a proxy's HTML page
                raise Failure(REFUSED, f"{url}: {status}, not a problem document", status, "") from None
            if kind != "urn:ietf:params:acme:error:badNonce":
                raise Failure(REFUSED, f"{status} {kind}: {detail}", status, kind)
            print(f"acme: badNonce from {url}, retrying with the nonce of the refusal")
        raise Failure(REFUSED, "the CA rejected ten nonces in a row")

    def poll(self, url, target, seconds=180):
        deadline = time.monotonic() + seconds
        while True:
            headers, data = self.post(url, None)
            if (obj := json.loads(data))["status"] == target:
                return obj
            if obj["status"] == "invalid":  # the error is in the object or one of its challenges
                errors = [obj.get("error")] + [c.get("error") for c in obj.get("challenges", [])]
                error = next((e for e in errors if e), {})
                raise Failure(REFUSED, f"{url} is invalid: {error.get('type')}: {error.get('detail')}")
            after = headers.get("Retry-After", "1")  # seconds, or an HTTP date (pebble: either)
            wait = int(after) if after.isdigit() else parsedate_to_datetime(after).timestamp() - time.time()
            if time.monotonic() + wait > deadline:
                raise Failure(REFUSED, f"{url} still {obj['status']} at the {seconds} s deadline")
            time.sleep(max(1, wait))


def location(headers, what: str) -> str:
    if not (url := headers.get("Location")):
        raise Failure(PROTOCOL, f"the CA's {what} answer has no Location header")
    return url


def write_new(path: str, data: bytes, mode: int, how=os.O_EXCL) -> None:  # a key is never 0644 for a moment
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | how, mode), "wb") as f:
        f.write(data)
        os.fsync(f.fileno())


def pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def dns_names(cert) -> list:
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)  # or raises
    return sorted(san.value.get_values_for_type(x509.DNSName))


def live_certificate(live: str, domains, directory: str):  # None if absent, other names or CA
    path = os.path.join(live, "fullchain.pem")
    try:
        cert = x509.load_pem_x509_certificate(pathlib.Path(path).read_bytes())
        same_ca = pathlib.Path(live, "directory").read_text() == directory  # staging, then not
        return cert if same_ca and dns_names(cert) == sorted(domains) else None
    except FileNotFoundError:
        return None
    except (ValueError, x509.ExtensionNotFound):
        raise Failure(CERT, f"{path} is not a certificate for DNS names; not touching it") from None


def cert_id(cert) -> str:  # RFC 9773, 4.1: the issuer's key identifier, a dot, the serial
    aki = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    serial = cert.serial_number.to_bytes(cert.serial_number.bit_length() // 8 + 1, "big")
    return f"{b64(aki.key_identifier)}.{b64(serial)}"  # serial as in DER, sign byte kept


def renewal_window(acme: Acme, cert):  # the CA's suggested window, or when a third is left
    if (url := acme.directory.get("renewalInfo")) and datetime.now(UTC) < cert.not_valid_after_utc:
        try:
            status, _, data = acme.http("GET", f"{url.rstrip('/')}/{cert_id(cert)}")
            window = json.loads(data)["suggestedWindow"]
            start, end = (datetime.fromisoformat(window[k]) for k in ("start", "end"))
            if status == 200 and start.tzinfo and end.tzinfo and start < end < cert.not_valid_after_utc:
                return start, end, "the CA"
        except (Failure, x509.ExtensionNotFound, KeyError, TypeError, ValueError) as error:  # ARI is advice
            print(f"acme: no window from renewalInfo: {getattr(error, 'message', None) or repr(error)}")
    third_left = cert.not_valid_after_utc - (cert.not_valid_after_utc - cert.not_valid_before_utc) / 3
    return third_left, third_left, "a third left"


def authorize(acme: Acme, authz_url: str, authz: dict, webroot: str) -> None:
    name = authz["identifier"]["value"]
    if authz["status"] == "valid":  # a reused authorization: answering it again is an error
        print(f"acme: {name}: authorization already valid")
        return
    challenge = next((c for c in authz["challenges"] if c["type"] == "http-01"), None)
    if challenge is None:
        raise Failure(REFUSED, f"{name}: the CA offers no http-01 challenge")
    token = challenge["token"]  # names a file: RFC 8555, 8.3 says base64url, >= 128 bits
    if not isinstance(token, str) or len(token) < 22 or not re.fullmatch(r"[A-Za-z0-9_-]+", token):
        raise Failure(PROTOCOL, f"refusing challenge token {token!r}: not base64url")
    token_file = os.path.join(webroot, ".well-known", "acme-challenge", token)
    thumbprint = hashlib.sha256(json.dumps(acme.jwk, sort_keys=True, separators=(",", ":")).encode()).digest()
    write_new(token_file, f"{token}.{b64(thumbprint)}".encode(), 0o644, os.O_TRUNC)  # a killed run may have left it
    try:
        acme.post(challenge["url"], {})
        acme.poll(authz_url, "valid")
    finally:
        os.remove(token_file)
    print(f"acme: {name}: answered http-01, authorization valid")


def issue(acme: Acme, domains, webroot: str, replaces=None):  # -> (new private key, PEM chain)
    request = {"identifiers": [{"type": "dns", "value": d} for d in domains]}
    if replaces:
        request["replaces"] = replaces  # RFC 9773, 5: the certificate this renews
        print(f"acme: the order replaces {replaces}")
    try:
        headers, data = acme.post(acme.directory["newOrder"], request)
    except Failure as error:  # 409 already replaced, 403 another account, 404 unknown serial...
        if not replaces or not 400 <= error.http < 500 or error.kind.endswith(":rateLimited"):
            raise
        print(f"acme: ordering without replaces, which the CA refused: {error.message}")
        del request["replaces"]
        headers, data = acme.post(acme.directory["newOrder"], request)
    order, order_url = json.loads(data), location(headers, "newOrder")
    print(f"acme: order {order['status']} for {len(domains)} names")
    authzs = [(json.loads(acme.post(u, None)[1]), u) for u in order["authorizations"]]
    for authz, url in sorted(authzs, key=lambda a: a[0]["identifier"]["value"]):  # stable logs
        authorize(acme, url, authz, webroot)
    order = acme.poll(order_url, "ready")
    key = ec.generate_private_key(ec.SECP256R1())  # a fresh key every time
    san = x509.SubjectAlternativeName([x509.DNSName(d) for d in domains])
    csr = x509.CertificateSigningRequestBuilder(x509.Name([])).add_extension(san, critical=True)
    der = csr.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
    acme.post(order["finalize"], {"csr": b64(der)})
    order = acme.poll(order_url, "valid")
    chain = acme.post(order["certificate"], None, "application/pem-certificate-chain")[1]
    try:
        certs = x509.load_pem_x509_certificates(chain)
        for cert, issuer in zip(certs, certs[1:]):
            cert.verify_directly_issued_by(issuer)  # issuer name, then signature
    except (ValueError, TypeError, InvalidSignature) as error:
        raise Failure(CERT, f"the CA's chain does not hold together: {error!r}") from None
    if certs[0].public_key() != key.public_key() or dns_names(certs[0]) != sorted(domains):
        raise Failure(CERT, f"the CA's certificate does not match the order: {dns_names(certs[0])}")
    return key, chain


def fsync_dir(path: str) -> None:  # its new entries (files, a renamed link) survive a crash
    os.fsync(fd := os.open(path, os.O_RDONLY | os.O_DIRECTORY))
    os.close(fd)


def install(state: str, key, chain: bytes, directory: str) -> str:  # a new release, then live -> it
    releases, live = os.path.join(state, "releases"), os.path.join(state, "live")
    os.makedirs(releases, exist_ok=True)
    number = 1 + max((int(n) for n in os.listdir(releases) if n.isdigit()), default=0)
    os.mkdir(release := os.path.join(releases, str(number)), 0o755)
    write_new(os.path.join(release, "privkey.pem"), pem(key), 0o600)
    write_new(os.path.join(release, "fullchain.pem"), chain, 0o644)
    write_new(os.path.join(release, "directory"), directory.encode(), 0o644)
    fsync_dir(release)
    fsync_dir(releases)  # the release's own entry, before a link names it
    open(os.path.join(state, "reload-pending"), "w").close()  # removed after a good reload
    previous = os.path.basename(os.readlink(live)) if os.path.islink(live) else None
    os.symlink(os.path.join("releases", str(number)), f"{live}.{number}")
    os.replace(f"{live}.{number}", live)  # atomic: old link or new
    fsync_dir(state)
    for old in set(os.listdir(releases)) - {str(number), previous}:
        shutil.rmtree(os.path.join(releases, old), ignore_errors=True)  # old keys go; a stray file stays
    return release


def reload(command, state: str) -> None:
    try:
        subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)
    except (OSError, subprocess.SubprocessError) as error:
        said = getattr(error, "stderr", None)  # bytes after a timeout, whatever text= says
        said = said.strip().splitlines()[-1] if isinstance(said, str) and said.strip() else error
        raise Failure(RELOAD, f"the reload failed, the next run retries it: {said}") from None
    print(f"acme: reloaded: {' '.join(command)}")
    os.remove(os.path.join(state, "reload-pending"))


def read_config(path: str) -> dict:
    try:
        cfg = json.loads(pathlib.Path(path).read_text())
        wrong = sorted(k for k in {*cfg, *TYPES} if not isinstance(cfg.get(k), TYPES.get(k, ())))
    except (OSError, ValueError, AttributeError, TypeError) as error:
        raise Failure(CONFIG, f"cannot read {path}: {error}") from None
    if wrong:
        raise Failure(CONFIG, f"{path}: missing, unknown or mistyped: {', '.join(wrong)}")
    if not cfg["directory"].startswith("https://"):
        raise Failure(CONFIG, f"{path}: the directory must be an https URL")
    names = [d.lower().rstrip(".") if isinstance(d, str) else "" for d in cfg["domains"]]
    if not names or not all(re.fullmatch(DNS_NAME, n) for n in names):
        raise Failure(CONFIG, f"{path}: domains must be DNS names, no wildcards or addresses")
    if not cfg["reload"] or not all(isinstance(a, str) for a in cfg["reload"]):
        raise Failure(CONFIG, f"{path}: reload must be a command line, a list of strings")
    return dict(cfg, domains=list(dict.fromkeys(names)))  # duplicates dropped, order kept


def account_key(path: str):
    if not os.path.exists(path):
        write_new(path, pem(ec.generate_private_key(ec.SECP256R1())), 0o600)
    try:
        key = serialization.load_pem_private_key(pathlib.Path(path).read_bytes(), None)
        if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
            raise TypeError(f"it holds a {type(key).__name__}")
    except (ValueError, TypeError) as error:  # TypeError: encrypted, or another kind of key
        raise Failure(LOCAL, f"{path}: ES256 needs an unencrypted EC P-256 key ({error})") from None
    return key


def main(argv) -> int:
    if len(argv) != 2:
        raise Failure(USAGE, "usage: acme_client.py CONFIG.json")
    if int(crypto_version.split(".")[0]) < 42:  # before any request: older ones fail after issuance
        raise Failure(CONFIG, f"cryptography {crypto_version} is too old: 42 or later needed")
    sys.stdout.reconfigure(line_buffering=True)  # under systemd, a pipe
    os.umask(0o022)  # the web server must read challenge files and the chain
    cfg = read_config(argv[1])
    os.makedirs(state := cfg["state"], mode=0o700, exist_ok=True)
    lock = os.open(os.path.join(state, "lock"), os.O_RDWR | os.O_CREAT, 0o600)  # held until exit
    fcntl.flock(lock, fcntl.LOCK_EX)  # a second run waits here, then sees the new certificate
    if os.path.exists(os.path.join(state, "reload-pending")):
        print("acme: the live certificate was installed but never reloaded; reloading")
        reload(cfg["reload"], state)
    cert = live_certificate(os.path.join(state, "live"), cfg["domains"], cfg["directory"])
    key, acme, replaces = account_key(os.path.join(state, "account.pem")), None, None
    try:
        acme = Acme(cfg["directory"], key)
        if cert is None:
            print(f"acme: {', '.join(cfg['domains'])}: no certificate from this CA, issuing")
        else:
            start, end, source = renewal_window(acme, cert)
            now, when = datetime.now(UTC), start + (end - start) * random.random()  # RFC 9773, 4.2
            due = start <= now and when <= now + RUN_EVERY  # exempt from limits only before end
            window = f"{start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC, picked {when:%Y-%m-%d %H:%M}"
            print(f"acme: window from {source}: {window}: {'due' if due else 'not due'}")
            if not due:
                return 0
            replaces = cert_id(cert) if source == "the CA" else None
        headers = acme.post(acme.directory["newAccount"], {"termsOfServiceAgreed": True})[0]
        acme.kid = location(headers, "newAccount")  # names the account from now on
        cert_key, chain = issue(acme, cfg["domains"], cfg["webroot"], replaces)
    except (KeyError, TypeError, IndexError, ValueError, AttributeError, x509.ExtensionNotFound) as error:
        url = acme.url if acme else cfg["directory"]
        raise Failure(PROTOCOL, f"after {url}: unexpected answer, or a bug: {error!r}") from None
    try:
        release = install(state, cert_key, chain, cfg["directory"])
    except OSError as error:
        raise Failure(LOCAL, f"a certificate was issued, but installing it failed: {error}") from None
    print(f"acme: installed {release}, live -> {os.readlink(os.path.join(state, 'live'))}")
    reload(cfg["reload"], state)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except (Failure, OSError) as error:  # OSError: the state directory, the webroot
        failure = error if isinstance(error, Failure) else Failure(LOCAL, str(error))
        print(f"acme: error: {failure.message}", file=sys.stderr)
        sys.exit(failure.status)
