"""Zpark: a bot between Zabbix and Webex (formerly Cisco Spark).

POST /alerts  Zabbix's webhook media type delivers alerts here; Zpark posts
              them to the Webex room named in the alert, one of ZPARK_ROOMS.
POST /webex   Webex delivers "messages created" events here; Zpark answers
              commands from trusted people with data from the Zabbix API.
GET /health   200 if Webex and Zabbix take the tokens and a webhook is active.

Configuration comes from the environment; see Settings.
"""
import base64
import binascii
import hashlib
import hmac
import json
import logging
import os
import re
import sys
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import requests
from flask import Flask, jsonify, request
from zabbix_api import ZabbixAPI, ZabbixError

log = logging.getLogger("zpark")
SEVERITIES = ["Not classified", "Information", "Warning", "Average", "High", "Disaster"]


@dataclass
class Settings:
    alert_token: str          # shared secret of the Zabbix media type
    webex_url: str            # https://webexapis.com/v1 in real life
    webex_token: str          # the bot's access token
    webhook_secret: str       # secret given when the webhook was registered
    allowed: frozenset        # who may give commands
    rooms: frozenset          # rooms that get alerts; group rooms that get answers
    zabbix_url: str           # https://zabbix.example.org/api_jsonrpc.php
    zabbix_token: str         # API token of the bot's own Zabbix user

    VARIABLES = ("ZPARK_ALERT_TOKEN", "WEBEX_BOT_TOKEN", "WEBEX_WEBHOOK_SECRET",
                 "ZPARK_ALLOWED", "ZPARK_ROOMS", "ZABBIX_API_URL", "ZABBIX_API_TOKEN")

    @staticmethod
    def entries(value):
        """The comma-separated entries of value, without empty ones: "a, b," gives a and b."""
        return [entry.strip() for entry in value.split(",") if entry.strip()]

    @classmethod
    def from_environment(cls, env=os.environ):
        missing = [name for name in cls.VARIABLES if not env.get(name)]
        if missing:
            raise ValueError(f"set {', '.join(missing)} in the environment")
        return cls(
            alert_token=env["ZPARK_ALERT_TOKEN"],
            webex_url=env.get("WEBEX_API_URL", "https://webexapis.com/v1"),
            webex_token=env["WEBEX_BOT_TOKEN"],
            webhook_secret=env["WEBEX_WEBHOOK_SECRET"],
            allowed=frozenset(a.lower() for a in cls.entries(env["ZPARK_ALLOWED"])),
            rooms=frozenset(cls.entries(env["ZPARK_ROOMS"])),
            zabbix_url=env["ZABBIX_API_URL"],
            zabbix_token=env["ZABBIX_API_TOKEN"],
        )


class Webex:
    """The calls of the Webex API that Zpark needs, each given up after 10 s of silence."""

    def __init__(self, url, token, webhook_secret):
        self.url, self.token, self.webhook_secret = url, token, webhook_secret
        self.local = threading.local()  # requests does not promise a Session is thread-safe
        self.lock, self.checked = threading.Lock(), time.monotonic()

    def _call(self, method, path, **body):
        if not hasattr(self.local, "session"):
            self.local.session = requests.Session()
            self.local.session.headers["Authorization"] = f"Bearer {self.token}"
        log.debug("webex: %s /%s", method, path)
        reply = self.local.session.request(method, f"{self.url}/{path}", timeout=10, **body)
        reply.raise_for_status()
        return reply.json()

    def me(self):
        """The bot's own person record: its id, e-mail addresses, display name."""
        return self._call("GET", "people/me")

    def get_message(self, message_id):
        return self._call("GET", f"messages/{message_id}")

    def post_message(self, markdown, room_id):
        return self._call("POST", "messages", json={"roomId": room_id, "markdown": markdown})

    def webhooks(self):
        return self._call("GET", "webhooks")["items"]

    def reactivate_webhooks(self):
        """Webex may set a webhook inactive after failed deliveries; set it active again."""
        self.checked = time.monotonic()
        for hook in self.webhooks():
            if hook["status"] != "active":
                log.warning("webhook %s was %s: reactivating it", hook["name"], hook["status"])
                # Zpark's own secret: without one, Webex would sign nothing Zpark accepts.
                self._call("PUT", f"webhooks/{hook['id']}", json={
                    "name": hook["name"], "targetUrl": hook["targetUrl"],
                    "secret": self.webhook_secret, "status": "active"})

    def recheck_webhooks(self, interval=600):
        """reactivate_webhooks() in the background if not done for interval seconds.

        An inactive hook is silent. A thread of its own keeps the caller's request
        from waiting for these calls: Zabbix gives an alert 30 s.
        """
        with self.lock:
            if time.monotonic() - self.checked < interval:
                return None
            self.checked = time.monotonic()  # one re-check at a time
        thread = threading.Thread(target=self._recheck, daemon=True)
        thread.start()
        return thread

    def _recheck(self):
        try:
            self.reactivate_webhooks()
        except requests.RequestException as error:
            log.error("Webex: %s", error)


MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]])")
ENTITIES = {"&": "&amp;", "<": "&lt;", "~": "&#126;"}  # ~~text~~ is strikethrough
FIELD_LIMIT = 300  # characters: {ITEM.LASTVALUE} can be a whole log file


def literal(text, limit=FIELD_LIMIT):
    """Text that Markdown shows as written (no emphasis, code, links or HTML), cut to limit."""
    one_line = " ".join(str(text).split())  # a newline could start a list or heading
    if len(one_line) > limit:
        one_line = one_line[:limit] + " [cut]"
    escaped = MARKDOWN_INLINE.sub(r"\\\1", one_line)
    return re.sub("[&<~]", lambda match: ENTITIES[match[0]], escaped)


def utc(clock):
    """A Unix time as ISO 8601 in UTC, the one format Zpark prints."""
    return datetime.fromtimestamp(int(clock), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def macro_time(text):
    """{EVENT.DATE} {EVENT.TIME} as ISO 8601, for a Zabbix user whose time zone is UTC."""
    try:
        return datetime.strptime(text, "%Y.%m.%d %H:%M:%S").strftime("%Y-%m-%dT%H:%M:%SZ")
    except ValueError:  # a macro left unexpanded
        return "an unknown time"


ALERT_FIELDS = {"sendto", "action_id", "created", "event_id", "event_value", "update",
                "update_action", "severity", "host", "problem", "started", "recovered",
                "last_value"}


def format_alert(alert):
    """(kind, Markdown) for one alert: kind is PROBLEM, RESOLVED or UPDATE."""
    host, problem = literal(alert["host"]), literal(alert["problem"])
    last_value = literal(alert["last_value"])
    if alert["update"] == "1":  # an update operation: acknowledged, commented...
        return "UPDATE", (f"**UPDATE** on **{host}**: {problem}\n\n"
                          f"{literal(alert['update_action'].removesuffix(': '))}")
    if alert["event_value"] == "1":
        return "PROBLEM", (
            f"**PROBLEM** ({literal(alert['severity'])}) on **{host}**: {problem}\n\n"
            f"Started {macro_time(alert['started'])}, last value {last_value}"
        )
    return "RESOLVED", (
        f"**RESOLVED** on **{host}**: {problem}\n\n"
        f"Started {macro_time(alert['started'])}, recovered {macro_time(alert['recovered'])}, "
        f"last value {last_value}"
    )


class Recent:
    """The last keys this process has seen, each with a state: to drop a retry or a replay."""

    def __init__(self, size=10_000):
        self.keys, self.size, self.lock = OrderedDict(), size, threading.Lock()

    def claim(self, key, state="seen"):
        """None if key is new (it is then kept with state), else the state it has."""
        with self.lock:
            if key in self.keys:
                return self.keys[key]
            self.keys[key] = state
            if len(self.keys) > self.size:
                self.keys.popitem(last=False)
            return None

    def set(self, key, state):
        with self.lock:
            self.keys[key] = state

    def discard(self, key):
        with self.lock:
            self.keys.pop(key, None)


def signature_is_valid(secret, body, signature):
    """Webex signs each delivery: X-Spark-Signature is HMAC-SHA1(secret, body)."""
    expected = hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode())


class MentionLabels(HTMLParser):
    """The visible labels of the <spark-mention> elements naming given people."""

    def __init__(self, person_ids):
        super().__init__()
        self.person_ids, self.labels, self.inside = person_ids, [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if (tag == "spark-mention" and attrs.get("data-object-type") == "person"
                and attrs.get("data-object-id") in self.person_ids):
            self.inside = True
            self.labels.append("")

    def handle_endtag(self, tag):
        if tag == "spark-mention":
            self.inside = False

    def handle_data(self, data):
        if self.inside:
            self.labels[-1] += data


def person_ids(person_id):
    """A person's API id and the UUID that the id encodes: mentions may use either."""
    try:
        uri = base64.urlsafe_b64decode(person_id + "=" * (-len(person_id) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError):
        return {person_id}
    return {person_id, uri.rsplit("/", 1)[-1]}


def command_text(message, bot_id):
    """The message's text without the mention of the bot that starts it.

    The mention's label is whatever the author's client inserted (the display
    name, or a shortened one), so it is read from the message's HTML.
    """
    text = message.get("text", "").strip()
    if bot_id not in message.get("mentionedPeople", []):
        return text
    parser = MentionLabels(person_ids(bot_id))
    parser.feed(message.get("html", ""))
    for label in parser.labels:
        if label and text.startswith(label):
            return text[len(label):].strip()
    return text


class Commands:
    """What trusted people may ask, answered from the Zabbix API."""

    HELP = (
        "I relay Zabbix alerts to this room and answer two commands:\n\n"
        "- `show issues`: the active problems, most severe first\n"
        "- `show status`: how many hosts, items and triggers Zabbix watches"
    )
    MAX_LINES, MAX_BYTES = 20, 7000  # Webex refuses a message over 7,439 bytes
    ROOM_SEVERITIES = [3, 4, 5]  # Average and up: keep in step with ops-room's media

    def __init__(self, zabbix):
        self.zabbix = zabbix

    def answer(self, text):
        command = " ".join(text.lower().split())
        if command == "show issues":
            return self.show_issues()
        if command == "show status":
            return self.show_status()
        return self.HELP

    def show_issues(self):
        # What the room gets alerts for: Average and up (ops-room's media), not
        # suppressed (a host in maintenance, say), causes only, not symptoms.
        wanted = {"suppressed": False, "symptom": False}
        total = int(self.zabbix.call("problem.get", countOutput=True,
                                     severities=self.ROOM_SEVERITIES, **wanted))
        if not total:
            return "No active problems."
        # MAX_LINES at most, Disaster first: a storm's whole list could outlast the timeout.
        shown = []
        for severity in sorted(self.ROOM_SEVERITIES, reverse=True):
            if len(shown) < self.MAX_LINES:
                shown += self.zabbix.call(
                    "problem.get", severities=[severity], **wanted, sortfield=["eventid"],
                    sortorder="DESC", limit=self.MAX_LINES - len(shown),
                    output=["objectid", "name", "severity", "clock"])
        # problem.get has no host names; the triggers behind the problems do.
        triggers = self.zabbix.call(
            "trigger.get", triggerids=[p["objectid"] for p in shown],
            output=["triggerid"], selectHosts=["name"],
        )
        hosts = {t["triggerid"]: ", ".join(h["name"] for h in t["hosts"]) for t in triggers}
        lines = [f"{total} active problem(s):", ""]
        size = len(lines[0]) + 40  # room for the last line, "...and N more"
        for problem in shown:
            line = (f"- **{SEVERITIES[int(problem['severity'])]}** "
                    f"{literal(hosts.get(problem['objectid'], '?'))}: "
                    f"{literal(problem['name'])} (since {utc(problem['clock'])})")
            size += len(line.encode()) + 1
            if size > self.MAX_BYTES:
                break
            lines.append(line)
        if len(lines) - 2 < total:
            lines.append(f"- ...and {total - len(lines) + 2} more")
        return "\n".join(lines)

    def show_status(self):
        count = {"countOutput": True, "monitored": True}
        version = self.zabbix.call("apiinfo.version")
        hosts = self.zabbix.call("host.get", countOutput=True, monitored_hosts=True)
        items = self.zabbix.call("item.get", **count)
        triggers = self.zabbix.call("trigger.get", **count)
        failing = self.zabbix.call("trigger.get", filter={"value": 1}, **count)
        return (
            f"Zabbix {version} monitors {hosts} host(s) with {items} item(s) "
            f"and {triggers} trigger(s); {failing} trigger(s) in problem state."
        )


def retry_after(error, limit=10):
    """The seconds a 429's Retry-After asks for, if 0 to limit; else None (do not wait)."""
    reply = getattr(error, "response", None)
    if reply is None or reply.status_code != 429:
        return None
    try:
        seconds = int(reply.headers.get("Retry-After", ""))
    except ValueError:  # absent, or an HTTP date
        return None
    return seconds if 0 <= seconds <= limit else None


def webex_failed(error):
    """Log why a call to Webex failed; tell the caller in one JSON line, with a 502."""
    log.error("Webex: %s", error)
    status = getattr(error.response, "status_code", None)
    return jsonify(error=f"Webex answered {status}" if status else "Webex did not answer"), 502


EVENT_FIELDS = ("id", "personId", "personEmail", "roomId", "roomType", "created")


def webex_event(body):
    """The data of a webhook delivery, if it has Zpark's fields as strings, else None."""
    event = body.get("data") if isinstance(body, dict) else None
    if not isinstance(event, dict) or not all(isinstance(event.get(f), str) for f in EVENT_FIELDS):
        return None
    try:  # "created" is ISO 8601 with a time zone: it is compared with an aware datetime
        return event if datetime.fromisoformat(event["created"]).tzinfo else None
    except ValueError:
        return None


MAX_AGE = timedelta(minutes=5)  # a webhook delivery older than this is a replay
MAX_COMMANDS = 2  # at once: each holds a Zabbix API connection for up to a minute


def create_app(settings):
    app = Flask(__name__)
    webex = Webex(settings.webex_url, settings.webex_token, settings.webhook_secret)
    bot = webex.me()  # fails at start, not at the first message, if the token is wrong
    webex.reactivate_webhooks()
    # 5 s per call: a storm slows the database, and Webex already has its 200.
    commands = Commands(ZabbixAPI(settings.zabbix_url, settings.zabbix_token, timeout=5))
    recent = Recent()
    running = threading.BoundedSemaphore(MAX_COMMANDS)
    # One more thread than commands, so that "Busy" never waits behind them.
    pool = ThreadPoolExecutor(max_workers=MAX_COMMANDS + 1)

    @app.before_request
    def trace():
        log.debug("received: %s %s", request.method, request.path)

    @app.post("/alerts")
    def alerts():
        token = request.headers.get("X-Zpark-Token", "").encode()
        if not hmac.compare_digest(token, settings.alert_token.encode()):
            return jsonify(error="wrong token"), 403
        webex.recheck_webhooks()
        alert = request.get_json(silent=True)
        if not isinstance(alert, dict):
            return jsonify(error="an alert is a JSON object"), 400
        room = alert.get("sendto")
        if room not in settings.rooms:
            return jsonify(error=f"{room} is not a room of ZPARK_ROOMS"), 403
        if not ALERT_FIELDS <= alert.keys():
            return jsonify(error=f"an alert needs the fields {sorted(ALERT_FIELDS)}"), 400
        if not all(isinstance(alert[field], str) for field in ALERT_FIELDS):
            return jsonify(error="an alert's fields are strings"), 400
        kind, text = format_alert(alert)
        # A retry resends the same parameters; an escalation's next step has a new "created".
        key = hashlib.sha256(json.dumps(alert, sort_keys=True).encode()).hexdigest()
        state = recent.claim(key, "sending")
        if state == "posted":
            return jsonify(ignored=f"{kind} of event {alert['event_id']} posted before")
        if state == "sending":  # an earlier attempt still waits for Webex: try again later
            return jsonify(error=f"{kind} of event {alert['event_id']} is being posted"), 409
        posted = False
        try:
            message = webex.post_message(text, room)
            posted = True
        except requests.RequestException as error:
            return webex_failed(error)
        finally:  # after any failure, Zabbix's next attempt posts it
            if posted:
                recent.set(key, "posted")
            else:
                recent.discard(key)
        return jsonify(posted=message["id"])

    @app.get("/health")
    def health():
        """For a web scenario: 200 if Webex and Zabbix take the tokens and a webhook is active."""
        try:
            webex.me()
            active = [hook["name"] for hook in webex.webhooks() if hook["status"] == "active"]
        except requests.RequestException as error:
            return webex_failed(error)
        if not active:
            return jsonify(error="no active webhook: Zpark hears nothing"), 503
        try:  # the token expires: a year later, every command would fail
            commands.zabbix.call("host.get", countOutput=True)
        except (ZabbixError, requests.RequestException) as error:
            log.error("Zabbix API: %s", error)
            return jsonify(error="Zabbix refused the token or did not answer"), 503
        return jsonify(webex="token accepted", zabbix="token accepted", active_webhooks=active)

    @app.post("/webex")
    def webhook():
        body = request.get_data()  # the raw bytes: the signature covers them
        signature = request.headers.get("X-Spark-Signature", "")
        if not signature_is_valid(settings.webhook_secret, body, signature):
            return jsonify(error="bad signature"), 403
        event = webex_event(request.get_json(silent=True))
        if event is None:
            return jsonify(error="not a Webex event: a field is missing or malformed"), 400
        if event["personId"] == bot["id"]:
            return jsonify(ignored="own message")
        age = datetime.now(UTC) - datetime.fromisoformat(event["created"])
        if abs(age) > MAX_AGE:  # a replay, or a clock that is off
            log.warning("ignored delivery %s, created %s", event["id"], event["created"])
            return jsonify(ignored="created over 5 minutes from now")
        # The e-mail address is the whole identity check, and addresses get reassigned;
        # also comparing the person's orgId (GET /people/{id}) would be stronger.
        sender = event["personEmail"].lower()
        if sender not in settings.allowed:
            log.warning("ignored a command from %s", sender)
            return jsonify(ignored=f"{sender} is not allowed")
        if event["roomType"] != "direct" and event["roomId"] not in settings.rooms:
            log.warning("ignored a command in room %s", event["roomId"])
            return jsonify(ignored="not a room of ZPARK_ROOMS")
        if recent.claim(event["id"]):
            return jsonify(ignored="delivered before")
        # Answer Webex now: a slow answer would count as a failed delivery.
        if not running.acquire(blocking=False):
            log.warning("busy: dropped command %s", event["id"])
            pool.submit(say, "Busy with other commands; ask again in a minute.", event["roomId"])
            return jsonify(ignored="busy")
        log.debug("command queued: %s", event["id"])
        pool.submit(run_command, event)
        return jsonify(accepted="the answer follows in the room")

    def run_command(event):
        log.debug("command started: %s", event["id"])
        try:
            command = command_text(webex.get_message(event["id"]), bot["id"])
            try:
                answer = commands.answer(command)
            except (ZabbixError, requests.RequestException) as error:
                log.error("Zabbix API: %s", error)  # may name internal hosts: not for the room
                answer = "Zabbix refused or did not answer; the reason is in Zpark's log."
            say(answer, event["roomId"])
        except Exception:  # in the pool, an exception would vanish unlogged
            log.exception("command %s failed", event["id"])
        finally:
            running.release()

    def say(text, room_id):
        """Post an answer; after a 429, once more when Retry-After allows (the room waits)."""
        for attempt in (1, 2):
            try:
                webex.post_message(text, room_id=room_id)
                return
            except requests.RequestException as error:
                wait = retry_after(error)
                if attempt == 2 or wait is None:
                    log.error("Webex: %s", error)
                    return
                log.warning("Webex: throttled, answering again in %d s", wait)
                time.sleep(wait)

    return app


def from_environment():
    """The application as gunicorn runs it: gunicorn 'zpark:from_environment()'."""
    logging.basicConfig(  # ZPARK_LOG_LEVEL=DEBUG logs every request and API call
        level=os.environ.get("ZPARK_LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(process)d/%(thread)d %(name)s %(levelname)s %(message)s")
    try:
        return create_app(Settings.from_environment())
    except (requests.RequestException, ValueError) as error:  # a wrong token or setting
        logging.critical("zpark: cannot start: %s", error)
    # Any exception here would also end the worker with 3, gunicorn's "worker failed
    # to boot", and stop gunicorn; the catch makes that one log line, not a traceback.
    sys.exit(3)


def serve(app, port):
    """Serve on 127.0.0.1:port with Werkzeug's development server."""
    from werkzeug.serving import make_server

    make_server("127.0.0.1", int(port), app, threaded=True).serve_forever()


if __name__ == "__main__":
    serve(from_environment(), sys.argv[1])
