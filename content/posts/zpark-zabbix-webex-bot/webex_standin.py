"""A Webex stand-in on 127.0.0.1: only the API parts that Zpark uses.

Published API:  POST /v1/messages, GET /v1/messages/{id}, POST /v1/webhooks,
                and "messages created" webhook deliveries signed with
                X-Spark-Signature (HMAC-SHA1 of the body, keyed by the secret).
Lab controls:   /lab/... lets a run play a person typing in the room and
                read what the bot posted.

    python webex_standin.py serve PORT_FILE   # started by zpark-up.sh
    python webex_standin.py say EMAIL TEXT     # a person writes in the room
    python webex_standin.py forge EMAIL TEXT   # same, with a wrong signature
    python webex_standin.py wait TEXT          # until the bot posts TEXT
    python webex_standin.py deliveries         # every webhook delivery so far
"""
import base64
import hashlib
import hmac
import json
import sys
import threading
from datetime import UTC, datetime

import requests
from flask import Flask, abort, jsonify, request
from lab import lab_env, wait_until

BOT_TOKEN = "zpark-bot-token"
BOT_EMAIL = "zpark@webex.bot"
OPS_ROOM = base64.b64encode(b"ciscospark://us/ROOM/ops").decode()


def webex_id(kind, number):
    """Webex ids are base64 of a URI; ours count up, so runs are repeatable."""
    return base64.b64encode(f"ciscospark://us/{kind}/{number}".encode()).decode()


def message_number(message_id):
    return int(base64.b64decode(message_id).decode().rsplit("/", 1)[1])


def create_app():
    app = Flask(__name__)
    lock = threading.Lock()
    messages, webhooks, deliveries = [], [], []
    in_flight = []  # one entry per delivery that has not finished yet

    def check_token():
        if request.headers.get("Authorization") != f"Bearer {BOT_TOKEN}":
            abort(401)

    def add_message(person_email, room_id, text, markdown=None):
        with lock:
            number = len(messages) + 1
            message = {
                "id": webex_id("MESSAGE", number), "roomId": room_id,
                "roomType": "group", "text": text, "personEmail": person_email,
                "personId": webex_id("PEOPLE", person_email),
                "created": datetime.now(UTC).isoformat(timespec="milliseconds"),
            }
            if markdown is not None:
                message["markdown"] = markdown
            messages.append(message)
        return message

    # ANCHOR: deliver
    def deliver(message, secret_override=None):
        """POST a "messages created" event to every registered webhook."""
        results = []
        for hook in list(webhooks):
            body = json.dumps({
                "id": hook["id"], "name": hook["name"], "targetUrl": hook["targetUrl"],
                "resource": "messages", "event": "created", "actorId": message["personId"],
                "data": {key: message[key] for key in
                         ("id", "roomId", "roomType", "personId", "personEmail", "created")},
            }).encode()
            secret = secret_override or hook["secret"]
            signature = hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()
            reply = requests.post(hook["targetUrl"], data=body, timeout=30, headers={
                "Content-Type": "application/json", "X-Spark-Signature": signature})
            result = {"number": message_number(message["id"]), "from": message["personEmail"],
                      "status": reply.status_code, "answer": reply.text.strip()}
            with lock:
                deliveries.append(result)
            results.append(result)
        return results
    # ANCHOR_END: deliver

    def deliver_in_background(message):
        in_flight.append(message["id"])

        def run():
            try:
                deliver(message)
            finally:
                in_flight.remove(message["id"])
        threading.Thread(target=run, daemon=True).start()

    @app.post("/v1/messages")
    def post_message():
        check_token()
        data = request.get_json()
        room_id = data.get("roomId") or "direct:" + data["toPersonEmail"]
        text = data.get("text") or data["markdown"]
        message = add_message(BOT_EMAIL, room_id, text, data.get("markdown"))
        # Webex notifies the bot of its own messages too; it has to ignore them.
        deliver_in_background(message)
        return jsonify(message)

    @app.get("/v1/messages/<message_id>")
    def get_message(message_id):
        check_token()
        for message in messages:
            if message["id"] == message_id:
                return jsonify(message)
        abort(404)

    @app.post("/v1/webhooks")
    def create_webhook():
        check_token()
        hook = {**request.get_json(), "id": webex_id("WEBHOOK", len(webhooks) + 1)}
        webhooks.append(hook)
        return jsonify({key: value for key, value in hook.items() if key != "secret"})

    @app.post("/lab/say")
    def say():
        data = request.get_json()
        message = add_message(data["personEmail"], OPS_ROOM, data["text"])
        return jsonify(deliver(message, data.get("wrongSecret")))

    @app.get("/lab/messages")
    def list_messages():
        return jsonify(messages=messages, pending=len(in_flight))

    @app.get("/lab/deliveries")
    def list_deliveries():
        return jsonify(deliveries=deliveries, pending=len(in_flight))

    return app


def show(message):
    print(f"--- {message['personEmail']} in room {message['roomId'][:12]}...")
    print(message.get("markdown", message["text"]))


def person_writes(url, email, text, wrong_secret=None):
    print(f"--- {email} writes: {text}")
    before = len(requests.get(f"{url}/lab/messages", timeout=10).json()["messages"])
    answer = requests.post(f"{url}/lab/say", timeout=60, json={
        "personEmail": email, "text": text, "wrongSecret": wrong_secret}).json()
    for result in answer:
        print(f"webhook delivery -> HTTP {result['status']} {result['answer']}")
    # Zpark answers inside the webhook request, so its reply is already there.
    for message in requests.get(f"{url}/lab/messages", timeout=10).json()["messages"][before + 1:]:
        show(message)


def wait_for_post(url, text, timeout=150):
    def find():
        posts = requests.get(f"{url}/lab/messages", timeout=10).json()["messages"]
        return [m for m in posts if m["personEmail"] == BOT_EMAIL and text in m["text"]]
    show(wait_until(find, timeout, f"a message containing {text!r}")[-1])


def list_deliveries(url):
    def settled():
        answer = requests.get(f"{url}/lab/deliveries", timeout=10).json()
        return answer if answer["pending"] == 0 else None
    answer = wait_until(settled, 30, "webhook deliveries to finish")
    # Sorted by message: deliveries of the bot's own messages finish in any order.
    for result in sorted(answer["deliveries"], key=lambda result: result["number"]):
        print(f"message {result['number']:>2} from {result['from']:<20} "
              f"HTTP {result['status']}  {result['answer']}")


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "serve":
        from zpark import serve
        serve(create_app(), args[0])
    else:
        url = lab_env()["WEBEX_URL"]
        if command == "say":
            person_writes(url, args[0], args[1])
        elif command == "forge":
            person_writes(url, args[0], args[1], wrong_secret="guessed-secret")
        elif command == "wait":
            wait_for_post(url, args[0])
        elif command == "deliveries":
            list_deliveries(url)
        else:
            raise SystemExit(__doc__)
