"""Teach the lab's Zabbix to alert Zpark, through the API only.

Creates a host with a trapper item and a trigger, a Webhook media type that
POSTs to Zpark, a user "ops-room" with that media (sending to the Ops room)
and an action that notifies it of problems, updates and recoveries on the
demo hosts; then a second host outside the demo group. Not idempotent: a
second run stops at the first object that exists, and a run that fails halfway
leaves what it created.
"""
import secrets
import sys

import requests
from lab import lab_env
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


def configure(zabbix, alerts_url, alert_token, room):
    group = zabbix.call("hostgroup.create", name="Zpark demo")["groupids"][0]
    # Created disabled, enabled once everything else exists: see enable().
    host = zabbix.call(
        "host.create", host="web01", groups=[{"groupid": group}], status=1
    )["hostids"][0]
    zabbix.call(
        "item.create", hostid=host, name="Application errors per minute",
        key_="app.errors", type=2, value_type=3,  # Zabbix trapper, integer
    )
    zabbix.call(
        "trigger.create", description="Too many errors in *checkout*: app.errors > 10",
        expression="last(/web01/app.errors)>10", priority=4,  # High
    )
    print(f"host web01 (id {host}) with trapper item app.errors and a trigger at > 10")

    # The shared secret as a secret macro, which the frontend never shows again.
    zabbix.call("usermacro.createglobal", macro="{$ZPARK_TOKEN}", value=alert_token, type=1)
    macros = {
        "url": alerts_url, "token": "{$ZPARK_TOKEN}", "sendto": "{ALERT.SENDTO}",
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
        parameters=[{"name": name, "value": value} for name, value in macros.items()],
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
    print(f"user ops-room sends to the Ops room; action 'Relay to Zpark' (id {action})")
    enable(zabbix, host)


def enable(zabbix, host):
    """Start monitoring web01 now that its item, trigger and action exist.

    The server takes no values for a disabled host, so the first value it
    accepts meets a configuration that already has all four.
    """
    zabbix.call("host.update", hostid=host, status=0)
    print("web01 enabled")


def other_host(zabbix):
    """A monitored host outside the demo group, which Admin sees and the bot must not."""
    group = zabbix.call("hostgroup.create", name="Outside Zpark")["groupids"][0]
    zabbix.call("host.create", host="db01", groups=[{"groupid": group}])
    print("host db01 in the group Outside Zpark")


if __name__ == "__main__":
    if len(sys.argv) != 2 or not sys.argv[1].startswith(("http://", "https://")):
        raise SystemExit("usage: python configure_zabbix.py ZPARK_ALERTS_URL")
    env = {**lab_env("zpark.env"), **lab_env()}
    try:
        zabbix = ZabbixAPI.login(env["ZABBIX_API_URL"], env["ZABBIX_ADMIN"],
                                 env["ZABBIX_ADMIN_PASSWORD"])
        room = env["ZPARK_ROOMS"].split(",")[0].strip()  # the Ops room
        configure(zabbix, sys.argv[1], env["ZPARK_ALERT_TOKEN"], room)
        other_host(zabbix)
    except (ZabbixError, requests.RequestException) as error:
        raise SystemExit(f"configure_zabbix: {error}")
