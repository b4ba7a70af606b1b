"""When the client would renew the live certificate if the CA had no ARI.

Usage: fallback.py STATE_DIR
"""
import os
import sys

from cryptography import x509

from acme_client import renewal_window


class NoAri:
    """A CA whose directory has no renewalInfo URL."""
    directory: dict = {}


with open(os.path.join(sys.argv[1], "live", "fullchain.pem"), "rb") as f:
    cert = x509.load_pem_x509_certificate(f.read())
start, _, source = renewal_window(NoAri(), cert)
left = (cert.not_valid_after_utc - start).total_seconds() / 86400
lifetime = (cert.not_valid_after_utc - cert.not_valid_before_utc).total_seconds() / 86400
print(f"lifetime {lifetime:.0f} days")
print(f"without ARI: renew at {start:%Y-%m-%d %H:%M} UTC ({source}: {left:.1f} days before expiry)")
