"""Zpark: a bot between Zabbix and Webex (formerly Cisco Spark).

POST /alerts  Zabbix's webhook media type delivers alerts here; Zpark posts
              them to the Webex room (or person) named in the alert.
POST /webex   Webex delivers "messages created" events here; Zpark answers
              commands from trusted people with data from the Zabbix API.

Configuration comes from the environment; see Settings.
"""
import hashlib
import hmac
import os
import sys
from dataclasses import dataclass
from datetime import UTC, datetime

import requests
from flask import Flask, jsonify, request
from zabbix_api import ZabbixAPI

SEVERITIES = ["Not classified", "Information", "Warning", "Average", "High", "Disaster"]


@dataclass
class Settings:
    alert_token: str          # shared secret of the Zabbix media type
    webex_url: str            # https://webexapis.com/v1 in real life
    webex_token: str          # the bot's access token
    webhook_secret: str       # secret given when the webhook was registered
    bot_email: str            # the bot's own address, to ignore its messages
    allowed: frozenset        # who may give commands
    zabbix_url: str
    zabbix_user: str
    zabbix_password: str

    @classmethod
    def from_environment(cls, env=os.environ):
        return cls(
            alert_token=env["ZPARK_ALERT_TOKEN"],
            webex_url=env.get("WEBEX_API_URL", "https://webexapis.com/v1"),
            webex_token=env["WEBEX_BOT_TOKEN"],
            webhook_secret=env["WEBEX_WEBHOOK_SECRET"],
            bot_email=env["ZPARK_BOT_EMAIL"],
            allowed=frozenset(env["ZPARK_ALLOWED"].split(",")),
            zabbix_url=env["ZABBIX_API_URL"],
            zabbix_user=env["ZABBIX_USER"],
            zabbix_password=env["ZABBIX_PASSWORD"],
        )


# ANCHOR: webex
class Webex:
    """The two calls of the Webex messages API that Zpark needs."""

    def __init__(self, url, token):
        self.url = url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def get_message(self, message_id):
        reply = self.session.get(f"{self.url}/messages/{message_id}", timeout=10)
        reply.raise_for_status()
        return reply.json()

    def post_message(self, markdown, room_id=None, to_email=None):
        target = {"roomId": room_id} if room_id else {"toPersonEmail": to_email}
        reply = self.session.post(
            f"{self.url}/messages", json={**target, "markdown": markdown}, timeout=10
        )
        reply.raise_for_status()
        return reply.json()
# ANCHOR_END: webex


# ANCHOR: format_alert
def format_alert(alert):
    """Markdown for one alert sent by the Zabbix media type."""
    host, problem = alert["host"], alert["problem"]
    if alert["event_value"] == "1":
        return (
            f"**PROBLEM** ({alert['severity']}) on **{host}**: {problem}\n\n"
            f"Started {alert['started']}, last value {alert['last_value']}"
        )
    return (
        f"**RESOLVED** on **{host}**: {problem}\n\n"
        f"Recovered {alert['recovered']}, last value {alert['last_value']}"
    )
# ANCHOR_END: format_alert


# ANCHOR: signature
def signature_is_valid(secret, body, signature):
    """Webex signs each delivery: X-Spark-Signature is HMAC-SHA1(secret, body)."""
    expected = hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()
    return hmac.compare_digest(expected, signature or "")
# ANCHOR_END: signature


class Commands:
    """What trusted people may ask, answered from the Zabbix API."""

    HELP = (
        "I relay Zabbix alerts to this room and answer two commands:\n\n"
        "- `show issues`: the active problems\n"
        "- `show status`: how many hosts, items and triggers Zabbix watches"
    )

    def __init__(self, zabbix):
        self.zabbix = zabbix

    def answer(self, text):
        command = " ".join(text.lower().split())
        if command == "show issues":
            return self.show_issues()
        if command == "show status":
            return self.show_status()
        return self.HELP

    # ANCHOR: show_issues
    def show_issues(self):
        problems = self.zabbix.call(
            "problem.get", output=["objectid", "name", "severity", "clock"],
            sortfield=["eventid"], sortorder="DESC",
        )
        if not problems:
            return "No active problems."
        # problem.get has no host names; the triggers behind the problems do.
        triggers = self.zabbix.call(
            "trigger.get", triggerids=[p["objectid"] for p in problems],
            output=["triggerid"], selectHosts=["name"],
        )
        hosts = {t["triggerid"]: ", ".join(h["name"] for h in t["hosts"]) for t in triggers}
        lines = [f"{len(problems)} active problem(s):", ""]
        for problem in problems:
            since = datetime.fromtimestamp(int(problem["clock"]), UTC)
            lines.append(
                f"- **{SEVERITIES[int(problem['severity'])]}** "
                f"{hosts.get(problem['objectid'], '?')}: {problem['name']} "
                f"(since {since:%Y-%m-%d %H:%M:%S} UTC)"
            )
        return "\n".join(lines)
    # ANCHOR_END: show_issues

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


def create_app(settings):
    app = Flask(__name__)
    webex = Webex(settings.webex_url, settings.webex_token)
    commands = Commands(
        ZabbixAPI(settings.zabbix_url, settings.zabbix_user, settings.zabbix_password)
    )

    # ANCHOR: alerts
    @app.post("/alerts")
    def alerts():
        token = request.headers.get("X-Zpark-Token", "")
        if not hmac.compare_digest(token, settings.alert_token):
            return jsonify(error="wrong token"), 403
        alert = request.get_json()
        sendto = alert["sendto"]
        if "@" in sendto:
            message = webex.post_message(format_alert(alert), to_email=sendto)
        else:
            message = webex.post_message(format_alert(alert), room_id=sendto)
        return jsonify(posted=message["id"])
    # ANCHOR_END: alerts

    # ANCHOR: webhook
    @app.post("/webex")
    def webhook():
        body = request.get_data()  # the raw bytes: the signature covers them
        if not signature_is_valid(
            settings.webhook_secret, body, request.headers.get("X-Spark-Signature")
        ):
            return jsonify(error="bad signature"), 403
        event = request.get_json()["data"]
        sender = event["personEmail"]
        if sender == settings.bot_email:
            return jsonify(ignored="own message")
        if sender not in settings.allowed:
            app.logger.warning("ignored a command from %s", sender)
            return jsonify(ignored=f"{sender} is not allowed")
        # Webhook events carry no text: fetch the message itself.
        text = webex.get_message(event["id"])["text"]
        webex.post_message(commands.answer(text), room_id=event["roomId"])
        return jsonify(answered=text)
    # ANCHOR_END: webhook

    return app


def serve(app, port_file):
    """Serve on a free port of 127.0.0.1 and write that port to port_file."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    with open(port_file + ".tmp", "w") as out:
        out.write(f"{server.server_port}\n")
    os.replace(port_file + ".tmp", port_file)  # readers never see half a file
    server.serve_forever()


if __name__ == "__main__":
    serve(create_app(Settings.from_environment()), sys.argv[1])
