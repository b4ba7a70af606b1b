"""Sign one request with a nonce the CA never issued, to show the badNonce retry.

Usage: stale_nonce.py CONFIG.json   (as the account's user)
"""
import json
import sys

from acme_client import Acme, log
from cryptography.hazmat.primitives import serialization

with open(sys.argv[1]) as f:
    cfg = json.load(f)
with open(f"{cfg['state']}/account.pem", "rb") as f:
    key = serialization.load_pem_private_key(f.read(), None)
acme = Acme(cfg["directory"], key, cfg.get("ca_bundle"))
acme.nonce = "bm90LWEtbm9uY2UtZnJvbS10aGUtQ0E"  # base64url, but never handed out
headers, _ = acme.post(acme.directory["newAccount"], {"onlyReturnExisting": True})
log(f"account {headers['Location']}")
