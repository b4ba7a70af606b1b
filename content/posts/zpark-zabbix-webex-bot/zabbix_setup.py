"""Teach Zabbix to alert Zpark, through the API only.

Run once by a Super admin. Creates a Webhook media type that POSTs to Zpark,
a user "ops-room" with that media (sending to the first room of ZPARK_ROOMS)
and an action that notifies it of problems, updates and recoveries on
HOST_GROUP's hosts. Not idempotent: a second run stops at the first object
that exists, and a run that fails halfway leaves what it created.

    python zabbix_setup.py ZPARK_ENV SUPER_ADMIN ZPARK_ALERTS_URL HOST_GROUP

ZPARK_ENV is Zpark's settings file (KEY=value lines): it gives ZABBIX_API_URL,
ZPARK_ALERT_TOKEN and ZPARK_ROOMS. SUPER_ADMIN's password comes from
ZABBIX_ADMIN_PASSWORD, else from a prompt, else from standard input.
"""
import base64
import binascii
import getpass
import os
import secrets
import sys

import requests
from zabbix_api import ZabbixAPI, ZabbixError

# Runs inside zabbix_server (Duktape JavaScript): one POST per alert.
WEBHOOK_SCRIPT = """
var alert = JSON.parse(value);
var request = new HttpRequest();
request.addHeader('Content-Type: application/json');
request.addHeader('X-Zpark-Token: ' + alert.token);
delete alert.token;
var answer = request.post(alert.url, JSON.stringify(alert));
if (request.getStatus() !== 200) {
    throw 'Zpark answered ' + request.getStatus() + ': ' + answer;
}
return 'OK';
"""


def configure(zabbix, alerts_url, alert_token, room, host_group):
    groups = zabbix.call("hostgroup.get", filter={"name": host_group}, output=["groupid"])
    if not groups:
        raise SystemExit(f"zabbix_setup: no host group named {host_group!r}")
    group = groups[0]["groupid"]
    # The token as a plain parameter: since Zabbix 7.0.4 (ZBX-25385), only Super
    # admins may read a media type's parameters. A secret global macro would be
    # worse: any Admin who may edit a host could reveal it through an item.
    fields = {
        "url": alerts_url, "token": alert_token, "sendto": "{ALERT.SENDTO}",
        "action_id": "{ACTION.ID}", "created": "{DATE} {TIME}",  # the alert's creation
        "event_id": "{EVENT.ID}", "event_value": "{EVENT.VALUE}",
        "update": "{EVENT.UPDATE.STATUS}",
        "update_action": "{EVENT.UPDATE.ACTION}: {EVENT.UPDATE.MESSAGE}",
        "severity": "{EVENT.SEVERITY}", "host": "{HOST.NAME}", "problem": "{EVENT.NAME}",
        "started": "{EVENT.DATE} {EVENT.TIME}",
        "recovered": "{EVENT.RECOVERY.DATE} {EVENT.RECOVERY.TIME}",
        "last_value": "{ITEM.LASTVALUE}",
    }
    media_type = zabbix.call(
        "mediatype.create", name="Zpark", type=4, status=0,  # a Webhook, enabled
        script=WEBHOOK_SCRIPT, timeout="30s", maxattempts=10, attempt_interval="60s",
        maxsessions=2,  # alerts sent at once (default 1): fewer than StartAlerters
        parameters=[{"name": name, "value": value} for name, value in fields.items()],
        # Zabbix sends nothing for a kind of event without a template.
        message_templates=[{"eventsource": 0, "recovery": kind, "subject": "{EVENT.NAME}",
                            "message": "{EVENT.NAME} on {HOST.NAME}"} for kind in (0, 1, 2)],
    )["mediatypeids"][0]
    settings = zabbix.call("mediatype.get", mediatypeids=[media_type],
                           output=["timeout", "maxattempts", "attempt_interval",
                                   "maxsessions"])[0]
    print(f"media type Zpark posting to {alerts_url}: gives up on an attempt after "
          f"{settings['timeout']}, {settings['maxattempts']} attempts "
          f"{settings['attempt_interval']} apart, {settings['maxsessions']} at a time")

    # Zabbix notifies a user only of hosts it may read: the room gets a user of its own.
    readers = zabbix.call("usergroup.create", name="Ops room readers", gui_access=3,
                          hostgroup_rights=[{"id": group, "permission": 2}])["usrgrpids"][0]
    role = zabbix.call("role.create", name="Notified only", type=1,  # a User, without API
                       rules={"api.access": 0})["roleids"][0]
    room_user = zabbix.call(
        "user.create", username="ops-room", roleid=role, timezone="UTC",
        usrgrps=[{"usrgrpid": readers}], passwd=secrets.token_urlsafe(24),  # never used
        medias=[{"mediatypeid": media_type, "sendto": room, "active": 0,
                 "severity": 56, "period": "1-7,00:00-24:00"}],  # Average and up: ROOM_SEVERITIES
    )["userids"][0]
    media = zabbix.call("user.get", userids=[room_user], selectMedias=["sendto"])[0]["medias"][0]
    notify_involved = {"operationtype": 11, "opmessage": {"default_msg": 1}}
    action = zabbix.call(
        "action.create", name="Relay to Zpark", eventsource=0, esc_period="1h",
        notify_if_canceled=0,
        filter={"evaltype": 0, "conditions": [
            {"conditiontype": 0, "operator": 0, "value": group}]},  # host group
        operations=[{"operationtype": 0, "opmessage_usr": [{"userid": room_user}],
                     "opmessage": {"default_msg": 1, "mediatypeid": media_type}}],
        recovery_operations=[notify_involved],
        update_operations=[{**notify_involved, "operationtype": 12}],
    )["actionids"][0]
    print(f"user ops-room sends to {media['sendto']}; action 'Relay to Zpark' (id {action})")


def room_ids(value):
    """ZPARK_ROOMS split as Zpark splits it; each entry must be a Webex room id."""
    rooms = [entry.strip() for entry in value.split(",") if entry.strip()]
    for room in rooms:
        try:
            uri = base64.urlsafe_b64decode(room + "=" * (-len(room) % 4)).decode()
        except (binascii.Error, UnicodeDecodeError):
            uri = ""
        if not (uri.startswith("ciscospark://") and "/ROOM/" in uri):
            raise ValueError(f"ZPARK_ROOMS: {room!r} is not a Webex room id")
    if not rooms:
        raise ValueError("ZPARK_ROOMS names no room")
    return rooms


def read_settings(path):
    lines = open(path, encoding="utf-8").read().splitlines()
    pairs = (line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))
    settings = {key.strip(): value.strip() for key, value in pairs}
    missing = [name for name in ("ZABBIX_API_URL", "ZPARK_ALERT_TOKEN", "ZPARK_ROOMS")
               if not settings.get(name)]
    if missing:
        raise ValueError(f"{path} lacks {', '.join(missing)}")
    return settings["ZABBIX_API_URL"], settings["ZPARK_ALERT_TOKEN"], room_ids(settings["ZPARK_ROOMS"])


if __name__ == "__main__":
    if len(sys.argv) != 5 or not sys.argv[3].startswith(("http://", "https://")):
        raise SystemExit(__doc__)
    env_file, admin, alerts_url, host_group = sys.argv[1:]
    try:
        url, alert_token, rooms = read_settings(env_file)
    except (OSError, ValueError) as error:
        raise SystemExit(f"zabbix_setup: {error}") from None
    password = os.environ.get("ZABBIX_ADMIN_PASSWORD")
    if not password:  # a prompt on a terminal, else a line of standard input
        password = (getpass.getpass(f"{admin}'s password: ") if sys.stdin.isatty()
                    else sys.stdin.readline().rstrip("\n"))
    try:
        zabbix = ZabbixAPI.login(url, admin, password)
        configure(zabbix, alerts_url, alert_token, rooms[0], host_group)
    except (ZabbixError, requests.RequestException, ValueError) as error:
        raise SystemExit(f"zabbix_setup: {error}") from None
