#!/usr/bin/env python3
"""acme_client.py CONFIG.json: ACME (RFC 8555) over HTTP-01, renewing when the CA says so."""
import base64, fcntl, hashlib, json, os, pathlib, random, re, shutil, ssl, subprocess, sys, time
import urllib.error, urllib.request
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

USAGE, CONFIG, REFUSED, PROTOCOL, NETWORK, CERT, RELOAD, LOCAL = range(2, 10)  # exit statuses
DNS_NAME = r"([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]([a-z0-9-]*[a-z0-9])?"  # no "*", no IP
TYPES = {"directory": str, "domains": list, "webroot": str, "state": str, "ca_bundle": str,
         "reload": list, "run_every_hours": (int, float)}

class Failure(Exception):
    """Failure(exit status, message[, HTTP status]): an expected failure, one line on stderr."""
def b64(data: bytes) -> str:  # base64url without padding, as JOSE wants it
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
class Acme:
    """One account on one ACME server: signed requests, nonces, polling."""
    def __init__(self, directory_url: str, key, ca_bundle=None):
        try:
            self.tls = ssl.create_default_context(cafile=ca_bundle)
        except (OSError, ssl.SSLError) as error:
            raise Failure(CONFIG, f"ca_bundle {ca_bundle}: {error}") from None
        self.key, self.kid, self.nonce = key, None, None
        n = key.public_key().public_numbers()
        self.jwk = {"crv": "P-256", "kty": "EC",
                    "x": b64(n.x.to_bytes(32, "big")), "y": b64(n.y.to_bytes(32, "big"))}
        self.directory = self.json(self.http("GET", directory_url)[2], directory_url)
    def http(self, method, url, body=None, accept="application/json"):
        if not isinstance(url, str) or not url.startswith("https://"):
            raise Failure(PROTOCOL, f"the CA sent {url!r} where an https URL belongs")
        headers = {"Accept": accept, "Content-Type": "application/jose+json"}
        request = urllib.request.Request(url, body, headers, method=method)
        try:
            with urllib.request.urlopen(request, context=self.tls, timeout=30) as r:
                status, headers, data = r.status, r.headers, r.read()
        except urllib.error.HTTPError as error:
            status, headers, data = error.code, error.headers, error.read()
        except (urllib.error.URLError, OSError) as error:  # DNS, TCP, TLS, timeout
            raise Failure(NETWORK, f"{method} {url}: {getattr(error, 'reason', error)}") from None
        self.nonce = headers.get("Replay-Nonce", self.nonce)  # error answers carry one too
        return status, headers, data
    @staticmethod
    def json(data: bytes, url: str) -> dict:
        try:
            if isinstance(obj := json.loads(data), dict):
                return obj
        except ValueError:
            pass
        raise Failure(PROTOCOL, f"{url} answered something that is not a JSON object")
    def post(self, url, payload, accept="application/json"):
        """Signed POST; payload None is a POST-as-GET (RFC 8555, 6.3)."""
        for _ in range(10):
            if self.nonce is None:
                self.http("HEAD", self.directory["newNonce"])
            header = {"alg": "ES256", "nonce": self.nonce, "url": url}
            header.update({"kid": self.kid} if self.kid else {"jwk": self.jwk})
            self.nonce = None  # a nonce is good for one request only
            protected = b64(json.dumps(header).encode())
            body = "" if payload is None else b64(json.dumps(payload).encode())
            der = self.key.sign(f"{protected}.{body}".encode(), ec.ECDSA(hashes.SHA256()))
            r, s = decode_dss_signature(der)  # JWS wants r || s, not DER
            jws = {"protected": protected, "payload": body,
                   "signature": b64(r.to_bytes(32, "big") + s.to_bytes(32, "big"))}
            status, headers, data = self.http("POST", url, json.dumps(jws).encode(), accept)
            if status < 400:
                return headers, data
            try:
                kind, detail = (problem := json.loads(data))["type"], problem.get("detail")
            except (ValueError, TypeError, KeyError, AttributeError):  # a proxy's HTML page
                raise Failure(REFUSED, f"{url}: {status}, not a problem document", status) from None
            if kind != "urn:ietf:params:acme:error:badNonce":
                raise Failure(REFUSED, f"{status} {kind}: {detail}", status)
            print(f"acme: badNonce from {url}, retrying with the nonce of the refusal")
        raise Failure(REFUSED, "the CA rejected ten nonces in a row")
    def poll(self, url, target, seconds=60):
        deadline = time.monotonic() + seconds
        while True:
            headers, data = self.post(url, None)
            obj = self.json(data, url)
            if obj["status"] == target:
                return obj
            if obj["status"] == "invalid":  # the error is in the object or one of its challenges
                errors = [obj.get("error")] + [c.get("error") for c in obj.get("challenges", [])]
                error = next((e for e in errors if e), {})
                raise Failure(REFUSED, f"{url} is invalid: {error.get('type')}: {error.get('detail')}")
            after = headers.get("Retry-After", "1")  # seconds, or an HTTP date (pebble: either)
            wait = max(1, int(after) if after.isdigit() else
                       (parsedate_to_datetime(after) - datetime.now(UTC)).total_seconds())
            if time.monotonic() + wait > deadline:
                raise Failure(REFUSED, f"{url} still {obj['status']} at the {seconds} s deadline")
            time.sleep(wait)
def write_new(path: str, data: bytes, mode: int) -> None:  # a key is never 0644 for a moment
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        os.fsync(f.fileno())
def pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())
def dns_names(cert) -> list:
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)  # or raises
    return sorted(san.value.get_values_for_type(x509.DNSName))
def live_certificate(live: str, domains, directory: str):
    """The installed certificate; None if there is none, or it has other names or CA."""
    path = os.path.join(live, "fullchain.pem")
    try:
        cert = x509.load_pem_x509_certificate(pathlib.Path(path).read_bytes())
        same_ca = pathlib.Path(live, "directory").read_text() == directory  # staging, then not
        return cert if same_ca and dns_names(cert) == sorted(domains) else None
    except FileNotFoundError:
        return None
    except (ValueError, x509.ExtensionNotFound):
        raise Failure(CERT, f"{path} is not a certificate for DNS names; not touching it") from None
def cert_id(cert) -> str:
    """RFC 9773, 4.1: the issuer's key identifier, a dot, the serial number."""
    aki = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    serial = cert.serial_number.to_bytes(cert.serial_number.bit_length() // 8 + 1, "big")
    return f"{b64(aki.key_identifier)}.{b64(serial)}"  # serial as in DER, sign byte kept
def renewal_window(acme: Acme, cert):
    """The CA's suggested window (RFC 9773), never later than when a third is left."""
    end = cert.not_valid_after_utc
    third_left = end - (end - cert.not_valid_before_utc) / 3
    if url := acme.directory.get("renewalInfo"):
        try:
            status, _, data = acme.http("GET", f"{url.rstrip('/')}/{cert_id(cert)}")
            window = (info := acme.json(data, url))["suggestedWindow"]
            start, end = (datetime.fromisoformat(window[k]) for k in ("start", "end"))
            if status == 200 and start.tzinfo and end.tzinfo and start < end:
                if info.get("explanationURL"):  # RFC 9773, 4.2: show it to the operator
                    print(f"acme: the CA explains its window: {info['explanationURL']}")
                return min(start, third_left), min(end, third_left), "the CA"
        except (Failure, x509.ExtensionNotFound, KeyError, TypeError, ValueError):
            pass  # ARI is advice: without it, fall back to the fixed rule
    return third_left, third_left, "a third left"
def authorize(acme: Acme, authz_url: str, authz: dict, webroot: str) -> None:
    name = authz["identifier"]["value"]
    if authz["status"] == "valid":
        # A reused authorization: answering its challenge again is an error.
        print(f"acme: {name}: authorization already valid")
        return
    challenge = next((c for c in authz["challenges"] if c["type"] == "http-01"), None)
    if challenge is None:
        raise Failure(REFUSED, f"{name}: the CA offers no http-01 challenge")
    token = challenge["token"]  # names a file: RFC 8555, 8.3 says base64url, >= 128 bits
    if not isinstance(token, str) or not re.fullmatch(r"[A-Za-z0-9_-]{22,}", token):
        raise Failure(PROTOCOL, f"refusing challenge token {token!r}: not base64url")
    token_file = os.path.join(webroot, ".well-known", "acme-challenge", token)
    thumbprint = hashlib.sha256(json.dumps(
        acme.jwk, sort_keys=True, separators=(",", ":")).encode()).digest()
    write_new(token_file, f"{token}.{b64(thumbprint)}".encode(), 0o644)
    try:
        acme.post(challenge["url"], {})
        acme.poll(authz_url, "valid")
    finally:
        os.remove(token_file)
    print(f"acme: {name}: answered http-01, authorization valid")
def issue(acme: Acme, domains, webroot: str, replaces=None):
    """Run one order to the end; return (new private key, PEM chain)."""
    request = {"identifiers": [{"type": "dns", "value": d} for d in domains]}
    if replaces:
        request["replaces"] = replaces  # RFC 9773, 5: the certificate this renews
        print(f"acme: the order replaces {replaces}")
    try:
        headers, data = acme.post(acme.directory["newOrder"], request)
    except Failure as error:  # RFC 9773: 409 if that certificate has a replacement already
        if not replaces or error.args[2:] != (409,):
            raise
        print(f"acme: CA refused replaces: {error.args[1]}")
        del request["replaces"]
        headers, data = acme.post(acme.directory["newOrder"], request)
    order_url = headers["Location"]  # None, if missing: http() refuses it
    order = acme.json(data, order_url)
    print(f"acme: order {order['status']} for {len(domains)} names")
    authzs = [(acme.json(acme.post(u, None)[1], u), u) for u in order["authorizations"]]
    for authz, url in sorted(authzs, key=lambda a: a[0]["identifier"]["value"]):  # stable logs
        authorize(acme, url, authz, webroot)
    order = acme.poll(order_url, "ready")
    key = ec.generate_private_key(ec.SECP256R1())  # a fresh key every time
    csr = (x509.CertificateSigningRequestBuilder().subject_name(x509.Name([]))
           .add_extension(x509.SubjectAlternativeName([x509.DNSName(d) for d in domains]),
                          critical=True).sign(key, hashes.SHA256()))
    acme.post(order["finalize"], {"csr": b64(csr.public_bytes(serialization.Encoding.DER))})
    order = acme.poll(order_url, "valid")
    chain = acme.post(order["certificate"], None, "application/pem-certificate-chain")[1]
    leaf = x509.load_pem_x509_certificate(chain)
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if leaf.public_key().public_bytes(*spki) != key.public_key().public_bytes(*spki):
        raise Failure(CERT, "the CA's certificate is not for the key we sent")
    if dns_names(leaf) != sorted(domains):
        raise Failure(CERT, f"the CA's certificate names {dns_names(leaf)}")
    print(f"acme: order valid, chain of {chain.count(b'BEGIN CERTIFICATE')} certificates")
    return key, chain
def fsync_dir(path: str) -> None:  # its new entries (files, a renamed link) survive a crash
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    os.fsync(fd)
    os.close(fd)
def install(state: str, key, chain: bytes, directory: str) -> str:
    """Write a new release directory, switch the live symlink to it, keep one previous."""
    releases, live = os.path.join(state, "releases"), os.path.join(state, "live")
    os.makedirs(releases, exist_ok=True)
    number = 1 + max((int(n) for n in os.listdir(releases) if n.isdigit()), default=0)
    release = os.path.join(releases, str(number))
    os.mkdir(release, 0o755)
    write_new(os.path.join(release, "privkey.pem"), pem(key), 0o600)
    write_new(os.path.join(release, "fullchain.pem"), chain, 0o644)
    write_new(os.path.join(release, "directory"), directory.encode(), 0o644)
    fsync_dir(release)
    fsync_dir(releases)  # the release's own entry, before a link names it
    previous = os.path.basename(os.readlink(live)) if os.path.islink(live) else None
    os.symlink(os.path.join("releases", str(number)), f"{live}.{number}")
    os.replace(f"{live}.{number}", live)  # atomic: old link or new
    fsync_dir(state)
    for old in set(os.listdir(releases)) - {str(number), previous}:
        shutil.rmtree(os.path.join(releases, old))  # old private keys need not linger
    return release
def read_config(path: str) -> dict:
    try:
        with open(path) as f:
            cfg = json.load(f)
        missing = {"directory", "domains", "webroot", "state"} - cfg.keys()
    except (OSError, ValueError, AttributeError) as error:
        raise Failure(CONFIG, f"cannot read {path}: {error}") from None
    if missing:
        raise Failure(CONFIG, f"{path} lacks {', '.join(sorted(missing))}")
    if wrong := [k for k, v in cfg.items() if not isinstance(v, TYPES.get(k, ()))]:
        raise Failure(CONFIG, f"{path}: unknown key or wrong type: {', '.join(wrong)}")
    names = [d.lower().rstrip(".") if isinstance(d, str) else "" for d in cfg["domains"]]
    if not names or not all(re.fullmatch(DNS_NAME, n) for n in names):
        raise Failure(CONFIG, f"{path}: domains must be DNS names, no wildcards or addresses")
    if not all(isinstance(a, str) for a in cfg.get("reload", [])):
        raise Failure(CONFIG, f"{path}: reload must be a list of strings")
    return dict(cfg, domains=list(dict.fromkeys(names)))  # duplicates dropped, order kept
def account_key(path: str):
    if not os.path.exists(path):
        write_new(path, pem(ec.generate_private_key(ec.SECP256R1())), 0o600)
    with open(path, "rb") as f:
        try:
            key = serialization.load_pem_private_key(f.read(), None)
        except (ValueError, TypeError) as error:  # TypeError: it wants a password
            raise Failure(LOCAL, f"{path} is not an unencrypted private key ({error})") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise Failure(LOCAL, f"{path} is not an EC P-256 key, which ES256 needs")
    return key
def main(argv) -> int:
    if len(argv) != 2:
        raise Failure(USAGE, "usage: acme_client.py CONFIG.json")
    sys.stdout.reconfigure(line_buffering=True)  # under systemd, a pipe
    os.umask(0o022)  # the web server must read challenge files and the chain
    cfg = read_config(argv[1])
    domains, state = cfg["domains"], cfg["state"]
    os.makedirs(state, mode=0o700, exist_ok=True)
    lock = os.open(os.path.join(state, "lock"), os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(lock, fcntl.LOCK_EX)  # a second run waits here, then sees the new certificate
    cert = live_certificate(os.path.join(state, "live"), domains, cfg["directory"])
    key = account_key(os.path.join(state, "account.pem"))
    try:
        acme = Acme(cfg["directory"], key, cfg.get("ca_bundle"))
        replaces = None
        if cert is None:
            print(f"acme: {', '.join(domains)}: no certificate from this CA, issuing")
        else:
            start, end, source = renewal_window(acme, cert)
            when = start + (end - start) * random.random()  # RFC 9773, 4.2
            due = when <= datetime.now(UTC) + timedelta(hours=cfg.get("run_every_hours", 12))
            print(f"acme: window from {source}: {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M}"
                  f" UTC, picked {when:%Y-%m-%d %H:%M}: {'due' if due else 'not due'}")
            if not due:
                return 0
            replaces = cert_id(cert) if source == "the CA" else None
        headers = acme.post(acme.directory["newAccount"], {"termsOfServiceAgreed": True})[0]
        acme.kid = headers["Location"]  # names the account from now on; http() refuses None
        cert_key, chain = issue(acme, domains, cfg["webroot"], replaces)
    except (KeyError, TypeError, IndexError, ValueError, x509.ExtensionNotFound) as error:
        raise Failure(PROTOCOL, f"unexpected answer from the CA: {error!r}") from None
    try:
        release = install(state, cert_key, chain, cfg["directory"])
    except OSError as error:
        raise Failure(LOCAL, f"a certificate was issued, but installing it failed: {error}") from None
    print(f"acme: installed {release}, live -> {os.readlink(os.path.join(state, 'live'))}")
    if cfg.get("reload"):  # e.g. sudo -n /usr/sbin/nginx -s reload
        try:
            subprocess.run(cfg["reload"], capture_output=True, text=True, timeout=60, check=True)
        except (OSError, subprocess.SubprocessError) as error:
            said = (getattr(error, "stderr", None) or str(error)).strip().splitlines()[-1]
            raise Failure(RELOAD, f"installed {release}, but the reload failed: {said}") from None
        print(f"acme: reloaded: {' '.join(cfg['reload'])}")
    return 0
if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except (Failure, OSError) as error:  # OSError: the state directory, the webroot
        failure = error if isinstance(error, Failure) else Failure(LOCAL, str(error))
        print(f"acme: error: {failure.args[1]}", file=sys.stderr)
        sys.exit(failure.args[0])
