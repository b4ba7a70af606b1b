"""authorize() refuses a token that is not base64url and removes its challenge file
whatever the CA answers (lab only). Run in a scratch directory as the acme user."""
import os
import sys

import acme_client
from acme_client import Failure, authorize


class RefusingCA:  # answers every request with a refusal
    jwk = {"crv": "P-256", "kty": "EC", "x": "x", "y": "y"}

    def post(self, url, payload):
        raise Failure(acme_client.REFUSED, "403 unauthorized: no")


webroot = sys.argv[1]
challenges = os.path.join(webroot, ".well-known", "acme-challenge")
os.makedirs(challenges, exist_ok=True)


def authz(token):
    return {"identifier": {"value": "example.test"}, "status": "pending",
            "challenges": [{"type": "http-01", "token": token, "url": "https://ca/chall"}]}


for token in ("../../etc/cron.d/x", "short", "a" * 21 + "/"):
    try:
        authorize(RefusingCA(), "https://ca/authz", authz(token), webroot)
        sys.exit(f"accepted {token!r}")
    except Failure as error:
        assert error.status == acme_client.PROTOCOL, error.message
try:
    authorize(RefusingCA(), "https://ca/authz", authz("A" * 43), webroot)
    sys.exit("a refusal was not raised")
except Failure as error:
    assert error.status == acme_client.REFUSED, error.message
assert os.listdir(challenges) == [], os.listdir(challenges)
assert not os.path.exists(os.path.join(webroot, "etc")) and not os.path.exists("etc/cron.d/x")
print("authorize: bad tokens refused, challenge file removed after a refusal")
