"""A Webex stand-in on 127.0.0.1: only the API parts that Zpark uses.

Published API:  GET /v1/people/me, POST /v1/messages, GET /v1/messages/{id},
                POST and GET /v1/webhooks, PUT /v1/webhooks/{id}, and
                "messages created" webhook deliveries signed with
                X-Spark-Signature (HMAC-SHA1 of the body, keyed by the
                webhook's secret). As for a real bot, a delivery
                happens for every message in a direct room, but in a group
                room only for messages that mention the bot (and the bot's own).
Lab controls:   /lab/... lets a run play a person typing and read what the
                bot posted.

    python webex_standin.py serve PORT         # started by zpark-up.sh
    python webex_standin.py say EMAIL TEXT      # in the group room "Ops";
                                                # a leading @Zpark is a mention
    python webex_standin.py lobby EMAIL TEXT    # in the group room "Lobby"
    python webex_standin.py direct EMAIL TEXT   # in EMAIL's 1:1 room with the bot
    python webex_standin.py forge EMAIL TEXT    # like say, wrongly signed
    python webex_standin.py replay NUMBER       # message NUMBER's delivery, sent again
    python webex_standin.py message EMAIL       # EMAIL's last message, as the API has it
    python webex_standin.py wait TEXT           # until the bot posts TEXT
    python webex_standin.py deliveries          # every webhook delivery so far
"""
import base64
import hashlib
import hmac
import html
import json
import re
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import requests
from flask import Flask, abort, jsonify, request
from lab import lab_env, wait_until

BOT_TOKEN = "zpark-bot-token"
BOT_EMAIL = "zpark@webex.bot"
BOT_NAME = "Zpark"


def webex_id(kind, name):
    """Webex ids are base64 of a URI naming a UUID; ours name readable things."""
    return base64.urlsafe_b64encode(f"ciscospark://us/{kind}/{name}".encode()).decode().rstrip("=")


def message_number(message_id):
    padded = message_id + "=" * (-len(message_id) % 4)
    return int(base64.urlsafe_b64decode(padded).decode().rsplit("/", 1)[1])


BOT_ID = webex_id("PEOPLE", "zpark")
OPS_ROOM = webex_id("ROOM", "ops")
LOBBY_ROOM = webex_id("ROOM", "lobby")  # a group room with guests, not in ZPARK_ROOMS
GROUP_ROOMS = {"ops": OPS_ROOM, "lobby": LOBBY_ROOM}


def is_room_id(value):
    try:
        uri = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except ValueError:
        return False
    return uri.startswith(b"ciscospark://us/ROOM/")


def direct_room(email):
    return webex_id("ROOM", f"direct-{email}")


def create_app():
    app = Flask(__name__)
    lock = threading.Lock()
    messages, webhooks, deliveries = [], [], []
    sent = {}  # message number -> (url, body, signature) of its last delivery
    rooms = {OPS_ROOM: "group", LOBBY_ROOM: "group"}
    in_flight = []  # one entry per delivery that has not finished yet

    def check_token():
        if request.headers.get("Authorization") != f"Bearer {BOT_TOKEN}":
            abort(401)

    def add_message(person_email, room_id, text, **fields):
        with lock:
            number = len(messages) + 1
            message = {
                "id": webex_id("MESSAGE", number), "roomId": room_id,
                "roomType": rooms[room_id], "text": text, "personEmail": person_email,
                "personId": BOT_ID if person_email == BOT_EMAIL
                else webex_id("PEOPLE", person_email),
                "created": datetime.now(UTC).isoformat(timespec="milliseconds")
                .replace("+00:00", "Z"),
                **fields,
            }
            messages.append(message)
        return message

    def bot_hears(message):
        """Which messages Webex tells a bot about."""
        return (message["roomType"] == "direct" or message["personId"] == BOT_ID
                or BOT_ID in message.get("mentionedPeople", []))

    def deliver(message, secret_override=None):
        """POST a "messages created" event to every registered webhook."""
        results = []
        for hook in list(webhooks):
            data = {key: message[key] for key in ("id", "roomId", "roomType", "personId",
                                                 "personEmail", "mentionedPeople", "created")
                    if key in message}
            body = json.dumps({
                "id": hook["id"], "name": hook["name"], "targetUrl": hook["targetUrl"],
                "resource": "messages", "event": "created", "actorId": message["personId"],
                "data": data,
            }).encode()
            secret = secret_override or hook["secret"]
            signature = hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()
            with lock:
                sent[message_number(message["id"])] = (hook["targetUrl"], body, signature)
            reply = post_delivery(hook["targetUrl"], body, signature)
            result = {"number": message_number(message["id"]), "from": message["personEmail"],
                      "status": reply.status_code, "answer": reply.text.strip()}
            with lock:
                deliveries.append(result)
            results.append(result)
        return results

    def deliver_in_background(message):
        in_flight.append(message["id"])

        def run():
            try:
                deliver(message)
            finally:
                in_flight.remove(message["id"])
        threading.Thread(target=run, daemon=True).start()

    @app.get("/v1/people/me")
    def people_me():
        check_token()
        return jsonify(id=BOT_ID, emails=[BOT_EMAIL], displayName=BOT_NAME, type="bot")

    @app.post("/v1/messages")
    def post_message():
        check_token()
        data = request.get_json()
        room_id = data.get("roomId")
        if room_id is None:
            room_id = direct_room(data["toPersonEmail"])
            rooms.setdefault(room_id, "direct")
        if not is_room_id(room_id):
            abort(400)
        if room_id not in rooms:
            abort(404)
        # Webex derives plain text from the Markdown; roughly, without marks and escapes.
        text = data.get("text") or html.unescape(
            re.sub(r"\\(.)|\*\*", lambda match: match[1] or "", data["markdown"]))
        message = add_message(BOT_EMAIL, room_id, text, markdown=data.get("markdown"))
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
        hook = {**request.get_json(), "id": webex_id("WEBHOOK", len(webhooks) + 1),
                "status": "active"}
        webhooks.append(hook)
        return jsonify(hook)

    @app.get("/v1/webhooks")
    def list_webhooks():
        check_token()
        return jsonify(items=webhooks)

    @app.put("/v1/webhooks/<webhook_id>")
    def update_webhook(webhook_id):
        check_token()
        for hook in webhooks:
            if hook["id"] == webhook_id:
                hook.update({key: value for key, value in request.get_json().items()
                             if key in ("name", "targetUrl", "secret", "status")})
                return jsonify(hook)
        abort(404)

    @app.post("/lab/say")
    def say():
        data = request.get_json()
        email, text = data["personEmail"], data["text"]
        if data["room"] == "direct":
            room_id = direct_room(email)
            rooms.setdefault(room_id, "direct")
            message = add_message(email, room_id, text)
        elif text.startswith(f"@{BOT_NAME} "):
            room_id = GROUP_ROOMS[data["room"]]
            # What a Webex client sends when someone picks the bot from the
            # mention list: the label in the text, the person id in the HTML.
            rest = text[len(BOT_NAME) + 2:]
            mention = (f'<spark-mention data-object-type="person" '
                       f'data-object-id="{BOT_ID}">{BOT_NAME}</spark-mention>')
            message = add_message(email, room_id, f"{BOT_NAME} {rest}",
                                  html=f"<p>{mention} {html.escape(rest)}</p>",
                                  mentionedPeople=[BOT_ID])
        else:
            message = add_message(email, GROUP_ROOMS[data["room"]], text)
        if not bot_hears(message):
            return jsonify([])
        return jsonify(deliver(message, data.get("wrongSecret")))

    @app.post("/lab/replay/<int:number>")
    def replay(number):
        """Send message number's last delivery again, byte for byte, as an eavesdropper could."""
        reply = post_delivery(*sent[number])
        result = {"number": number, "from": messages[number - 1]["personEmail"],
                  "status": reply.status_code, "answer": reply.text.strip()}
        with lock:
            deliveries.append(result)
        return jsonify([result])

    @app.get("/lab/messages")
    def list_messages():
        return jsonify(messages=messages, pending=len(in_flight))

    @app.get("/lab/deliveries")
    def list_deliveries():
        return jsonify(deliveries=deliveries, pending=len(in_flight))

    return app


def post_delivery(url, body, signature):
    return requests.post(url, data=body, timeout=30, headers={
        "Content-Type": "application/json", "X-Spark-Signature": signature})


def room_name(message):
    names = {OPS_ROOM: "Ops", LOBBY_ROOM: "Lobby"}
    return names.get(message["roomId"], "a direct room")


def show(message):
    print(f"--- {message['personEmail']} in {room_name(message)}:")
    print(message.get("markdown") or message["text"])


def person_writes(url, email, text, room="ops", wrong_secret=None):
    where = {"ops": "Ops", "lobby": "Lobby"}.get(room, "a direct room")
    print(f"--- {email} in {where}: {text}")
    before = len(requests.get(f"{url}/lab/messages", timeout=10).json()["messages"])
    answer = requests.post(f"{url}/lab/say", timeout=60, json={
        "personEmail": email, "text": text, "room": room, "wrongSecret": wrong_secret}).json()
    if not answer:
        print(f"no webhook delivery: {BOT_NAME} was not mentioned")
    for result in answer:
        print(f"webhook delivery -> HTTP {result['status']} {result['answer']}")
    def answers():
        posts = requests.get(f"{url}/lab/messages", timeout=10).json()["messages"][before + 1:]
        return [m for m in posts if m["personEmail"] == BOT_EMAIL]
    # Zpark takes the delivery at once and answers from a pool thread: wait for the answer.
    if any("accepted" in result["answer"] for result in answer):
        wait_until(answers, 30, "Zpark's answer")
    for message in answers():
        show(message)


def wait_for_post(url, text, timeout=150):
    def find():
        posts = requests.get(f"{url}/lab/messages", timeout=10).json()["messages"]
        return [m for m in posts if m["personEmail"] == BOT_EMAIL and text in m["text"]]
    try:
        found = wait_until(find, timeout, f"a message containing {text!r}")
    except SystemExit:
        # The lab goes away with the failed run: say here where the alert stopped.
        for log in ("lab/log/zpark.log", "lab/zabbix/zabbix_server.log"):
            lines = Path(log).read_text(errors="replace").splitlines()[-20:] if Path(log).exists() else []
            print(f"--- last lines of {log}:", *lines, sep="\n", file=sys.stderr)
        raise
    show(found[-1])


def last_message(url, email):
    """What GET /v1/messages/{id} returns for EMAIL's last message: what Zpark reads."""
    posts = requests.get(f"{url}/lab/messages", timeout=10).json()["messages"]
    message_id = [m for m in posts if m["personEmail"] == email][-1]["id"]
    reply = requests.get(f"{url}/v1/messages/{message_id}", timeout=10,
                         headers={"Authorization": f"Bearer {BOT_TOKEN}"})
    reply.raise_for_status()
    fields = ("roomType", "text", "html", "mentionedPeople")
    print(json.dumps({key: reply.json()[key] for key in fields if key in reply.json()},
                     indent=2))


def list_deliveries(url):
    def settled():
        answer = requests.get(f"{url}/lab/deliveries", timeout=10).json()
        return answer if answer["pending"] == 0 else None
    answer = wait_until(settled, 30, "webhook deliveries to finish")
    # Sorted by message: deliveries of the bot's own messages finish in any order.
    print(f"{'msg':>3}  {'from':<20} HTTP  answer")
    for result in sorted(answer["deliveries"], key=lambda result: result["number"]):
        print(f"{result['number']:>3}  {result['from']:<20} {result['status']:>4}  "
              f"{result['answer']}")


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "serve":
        from zpark import serve
        serve(create_app(), args[0])
    else:
        url = lab_env()["WEBEX_URL"]
        if command == "say":
            person_writes(url, args[0], args[1])
        elif command == "lobby":
            person_writes(url, args[0], args[1], room="lobby")
        elif command == "direct":
            person_writes(url, args[0], args[1], room="direct")
        elif command == "forge":
            person_writes(url, args[0], args[1], wrong_secret="guessed-secret")
        elif command == "replay":
            for result in requests.post(f"{url}/lab/replay/{int(args[0])}", timeout=60).json():
                print(f"webhook delivery -> HTTP {result['status']} {result['answer']}")
        elif command == "message":
            last_message(url, args[0])
        elif command == "wait":
            wait_for_post(url, args[0])
        elif command == "deliveries":
            list_deliveries(url)
        else:
            raise SystemExit(__doc__)
