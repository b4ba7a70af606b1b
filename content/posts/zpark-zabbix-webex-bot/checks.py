"""Property checks of zpark.py against the running Webex stand-in and the lab's Zabbix.

    python checks.py    # prints "all checks passed" or fails on the first that does not
"""
import hashlib
import hmac
import json
import logging
import os
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import requests
import zpark
from lab import lab_env
from zabbix_api import ZabbixAPI
from zpark import Commands, Settings, Webex, create_app, format_alert


class ManyProblems:
    """A Zabbix API stand-in in the middle of an incident storm."""

    largest = 0  # the longest list of problems asked for

    def call(self, method, **params):
        if method == "problem.get":
            problems = [{"objectid": str(n), "name": "Disk full on /var/lib/" + "x" * 200,
                         "severity": str(n % 6), "clock": str(1_700_000_000 + n)}
                        for n in reversed(range(500)) if n % 6 in params["severities"]]
            if params.get("countOutput"):
                return str(len(problems))
            ManyProblems.largest = max(ManyProblems.largest, params["limit"])
            return problems[:params["limit"]]
        return [{"triggerid": t, "hosts": [{"name": "db" + t}]} for t in params["triggerids"]]


env = {**lab_env("zpark.env"), **lab_env(), **os.environ, "WEBEX_API_URL": lab_env()["WEBEX_URL"] + "/v1",
       "ZPARK_ALLOWED": " Alice@Example.com , bob@example.com"}
settings = Settings.from_environment(env)
assert settings.allowed == {"alice@example.com", "bob@example.com"}, settings.allowed

# zabbix_setup.py gave ops-room one medium, sending to the first room of ZPARK_ROOMS alone.
admin = ZabbixAPI.login(env["ZABBIX_API_URL"], env["ZABBIX_ADMIN"], env["ZABBIX_ADMIN_PASSWORD"])
room_user = admin.call("user.get", filter={"username": "ops-room"}, selectMedias=["sendto"])[0]
first_room = Settings.entries(env["ZPARK_ROOMS"])[0]
assert len(settings.rooms) > 1 and [m["sendto"] for m in room_user["medias"]] == [first_room], room_user

answer = Commands(ManyProblems()).show_issues()
lines = answer.splitlines()
assert len(answer.encode()) <= 7439, len(answer.encode())
assert lines[2].startswith("- **Disaster**") and lines[-1].endswith(" more"), lines[-1]
assert lines[0] == "249 active problem(s):" and ManyProblems.largest == 20, (lines[0], ManyProblems.largest)

alert = {"update": "0", "event_value": "1", "severity": "High", "host": "~" * 5000,
         "problem": "&" * 5000, "started": "x", "last_value": "<" * 5000}
kind, text = format_alert(alert)
assert len(text.encode()) <= 7439 and text.count(r"\[cut\]") == 3, len(text.encode())

# A webhook that Webex set inactive is active again once Zpark has started.
webex = {"Authorization": f"Bearer {settings.webex_token}"}
hook = requests.get(f"{settings.webex_url}/webhooks", headers=webex, timeout=10).json()["items"][0]
requests.put(f"{settings.webex_url}/webhooks/{hook['id']}", headers=webex, timeout=10,
             json={"name": hook["name"], "targetUrl": hook["targetUrl"], "secret": "stale",
                   "status": "inactive"}).raise_for_status()
client = create_app(settings).test_client()
hook = requests.get(f"{settings.webex_url}/webhooks", headers=webex, timeout=10).json()["items"][0]
assert hook["status"] == "active" and hook["secret"] == settings.webhook_secret, hook
reply = client.post("/alerts", headers={"X-Zpark-Token": "zabbix-to-zpark-secr\xe9t"}, json={})
assert reply.status_code == 403, reply.status_code
reply = client.post("/webex", headers={"X-Spark-Signature": "\xe9" * 40}, data=b"{}")
assert reply.status_code == 403, reply.status_code

# /health fails while no webhook is active, and passes again once one is.
for status, expected in (("inactive", 503), ("active", 200)):
    requests.put(f"{settings.webex_url}/webhooks/{hook['id']}", headers=webex, timeout=10,
                 json={"name": hook["name"], "targetUrl": hook["targetUrl"],
                       "status": status}).raise_for_status()
    reply = client.get("/health")
    assert reply.status_code == expected, (status, reply.status_code, reply.get_json())

# A due re-check of the webhooks runs beside the alert, not inside Zabbix's 30 s.
def stalled_reactivation(webex):
    time.sleep(5)


Webex.reactivate_webhooks, Webex.recheck_webhooks.__defaults__ = stalled_reactivation, (0,)
started = time.monotonic()
reply = client.post("/alerts", headers={"X-Zpark-Token": settings.alert_token}, json={})
assert reply.status_code == 403 and time.monotonic() - started < 3, time.monotonic() - started  # not the 5 s stall
# Webex gets its 200 at once; beyond MAX_COMMANDS slow commands, a third gets "busy".
posted = []
Webex.get_message = lambda webex, message_id: {"text": "show issues"}
Webex.post_message = lambda webex, markdown, room_id: posted.append(markdown) or {"id": "m"}
Commands.answer = lambda commands, text: time.sleep(3) or "slow answer"


def command(number):
    body = json.dumps({"data": {"id": f"slow{number}", "personId": "p", "roomId": "r",
                                "roomType": "direct", "personEmail": "alice@example.com",
                                "created": datetime.now(UTC).isoformat()}}).encode()
    signature = hmac.new(settings.webhook_secret.encode(), body, hashlib.sha1).hexdigest()
    return client.post("/webex", data=body, content_type="application/json",
                       headers={"X-Spark-Signature": signature})


slow = [command(n).get_json() for n in range(zpark.MAX_COMMANDS)]
assert slow == [{"accepted": "the answer follows in the room"}] * zpark.MAX_COMMANDS, slow
started = time.monotonic()
assert command("extra").get_json() == {"ignored": "busy"} and time.monotonic() - started < 1
assert client.post("/alerts", headers={"X-Zpark-Token": settings.alert_token}, json={}).status_code == 403
time.sleep(1)
assert posted == ["Busy with other commands; ask again in a minute."], posted
time.sleep(3)
assert posted.count("slow answer") == zpark.MAX_COMMANDS, posted


# An unexpected error while posting an alert leaves no key "being posted" (a 409).
def broken_reply(webex, markdown, room_id):
    raise KeyError("id")


alert, token = json.loads(Path("alert.json").read_text()), {"X-Zpark-Token": settings.alert_token}
Webex.post_message = broken_reply
logging.disable(logging.ERROR)  # Flask's traceback of the KeyError: expected here
assert client.post("/alerts", headers=token, json=alert).status_code == 500
logging.disable(logging.NOTSET)
Webex.post_message = lambda webex, markdown, room_id: {"id": "m"}
assert client.post("/alerts", headers=token, json=alert).get_json() == {"posted": "m"}
# A field of the wrong type is a 400, not a traceback.
reply = client.post("/alerts", headers=token, json={**alert, "started": 1})
assert reply.status_code == 400 and reply.get_json() == {"error": "an alert's fields are strings"}
# An update without a comment ends without a colon.
kind, text = format_alert({**alert, "update": "1", "update_action": "acknowledged: "})
assert text.endswith("\n\nacknowledged"), text
# A delivery from five minutes ahead is dropped too, with a warning in the log.
for offset in (-400, 400):
    body = json.dumps({"data": {"id": f"skew{offset}", "personId": "p", "roomId": "r",
                                "roomType": "direct", "personEmail": "alice@example.com",
                                "created": datetime.fromtimestamp(time.time() + offset, UTC).isoformat()}}).encode()
    signature = hmac.new(settings.webhook_secret.encode(), body, hashlib.sha1).hexdigest()
    with_log = logging.getLogger("zpark")
    warnings = []
    handler = logging.Handler()
    handler.emit = lambda record: warnings.append(record.getMessage())
    kept, with_log.handlers, with_log.propagate = with_log.handlers, [handler], False
    reply = client.post("/webex", data=body, content_type="application/json",
                        headers={"X-Spark-Signature": signature})
    with_log.handlers, with_log.propagate = kept, True
    assert reply.get_json() == {"ignored": "created over 5 minutes from now"}, reply.get_json()
    assert any(f"skew{offset}" in warning for warning in warnings), warnings
# A 429 on an answer is waited out once, for the Retry-After it names; a longer one is not.
for retry_after, calls in (("1", 2), ("3600", 1)):
    tries = []

    def throttled_once(webex, markdown, room_id, retry_after=retry_after, tries=tries):
        tries.append(time.monotonic())
        if len(tries) == 1:
            reply = requests.Response()
            reply.status_code, reply.headers["Retry-After"] = 429, retry_after
            raise requests.HTTPError("429 Too Many Requests", response=reply)
        return {"id": "m"}

    Webex.post_message, Commands.answer = throttled_once, lambda commands, text: "answer"
    logging.disable(logging.ERROR)  # the expected "Webex: 429" line
    assert command(f"throttled{retry_after}").get_json() == {"accepted": "the answer follows in the room"}
    time.sleep(2)
    logging.disable(logging.NOTSET)
    assert len(tries) == calls and (calls == 1 or tries[1] - tries[0] >= 1), (retry_after, tries)
# A signed event that lacks a field, or has one of another type, is a 400, not a traceback.
for broken in ({"data": {"id": "x"}}, {"data": "x"}, [1], {"data": dict.fromkeys(zpark.EVENT_FIELDS, 1)},
               {"data": {**dict.fromkeys(zpark.EVENT_FIELDS, "p"), "created": "yesterday"}}):
    body = json.dumps(broken).encode()
    signature = hmac.new(settings.webhook_secret.encode(), body, hashlib.sha1).hexdigest()
    reply = client.post("/webex", data=body, content_type="application/json",
                        headers={"X-Spark-Signature": signature})
    assert reply.status_code == 400 and "error" in reply.get_json(), (broken, reply.status_code)
# requirements.txt pins the versions that run here.
for line in Path("requirements.txt").read_text().splitlines():
    if line and not line.startswith("#"):
        name, pinned = line.split("==")
        assert version(name) == pinned, (name, version(name), pinned)
print("all checks passed")
