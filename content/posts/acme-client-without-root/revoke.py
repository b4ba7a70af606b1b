"""Revoke the live certificate, as a CA does after a mis-issuance (lab only).

Usage: revoke.py CONFIG.json   (as the account's user)
"""
import json
import sys

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from acme_client import Acme, b64

with open(sys.argv[1]) as f:
    cfg = json.load(f)
with open(f"{cfg['state']}/account.pem", "rb") as f:
    key = serialization.load_pem_private_key(f.read(), None)
with open(f"{cfg['state']}/live/fullchain.pem", "rb") as f:
    cert = x509.load_pem_x509_certificate(f.read())
acme = Acme(cfg["directory"], key)
headers, _ = acme.post(acme.directory["newAccount"], {"onlyReturnExisting": True})
acme.kid = headers["Location"]
acme.post(acme.directory["revokeCert"],
          {"certificate": b64(cert.public_bytes(serialization.Encoding.DER))})
print(f"revoked serial {cert.serial_number:x}")
