"""Teach the lab's Zabbix to alert Zpark, through the API only.

Creates a host with a trapper item and a trigger, a Webhook media type that
POSTs to Zpark, gives the Admin user that media (sending to the Ops room) and
an action that notifies Admin of problems and recoveries on the demo hosts.
"""
import sys

from lab import lab_env
from webex_standin import OPS_ROOM
from zabbix_api import ZabbixAPI

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


def configure(zabbix, alerts_url, alert_token):
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

    macros = {
        "url": alerts_url, "token": alert_token, "sendto": "{ALERT.SENDTO}",
        "event_value": "{EVENT.VALUE}", "severity": "{EVENT.SEVERITY}",
        "host": "{HOST.NAME}", "problem": "{EVENT.NAME}",
        "event_id": "{EVENT.ID}", "recovery_event_id": "{EVENT.RECOVERY.ID}",
        "last_value": "{ITEM.LASTVALUE}",
    }
    media_type = zabbix.call(
        "mediatype.create", name="Zpark", type=4, status=0,  # a Webhook, enabled
        script=WEBHOOK_SCRIPT, timeout="10s", maxattempts=3, attempt_interval="10s",
        parameters=[{"name": name, "value": value} for name, value in macros.items()],
        # Templates give {ALERT.SUBJECT} and {ALERT.MESSAGE} their text.
        message_templates=[
            {"eventsource": 0, "recovery": 0, "subject": "Problem: {EVENT.NAME}",
             "message": "{EVENT.NAME} on {HOST.NAME}"},
            {"eventsource": 0, "recovery": 1, "subject": "Resolved: {EVENT.NAME}",
             "message": "{EVENT.NAME} on {HOST.NAME}"},
        ],
    )["mediatypeids"][0]
    print(f"media type Zpark (id {media_type}) posting to {alerts_url}")

    zabbix.call(
        "user.update", userid="1",  # Admin
        medias=[{"mediatypeid": media_type, "sendto": OPS_ROOM, "active": 0,
                 "severity": 63, "period": "1-7,00:00-24:00"}],
    )
    action = zabbix.call(
        "action.create", name="Relay to Zpark", eventsource=0, esc_period="1h",
        filter={"evaltype": 0, "conditions": [
            {"conditiontype": 0, "operator": 0, "value": group}]},  # host group
        operations=[{"operationtype": 0, "opmessage_usr": [{"userid": "1"}],
                     "opmessage": {"default_msg": 1, "mediatypeid": media_type}}],
        recovery_operations=[{"operationtype": 11,  # notify all involved
                              "opmessage": {"default_msg": 1}}],
    )["actionids"][0]
    print(f"user Admin sends to the Ops room; action 'Relay to Zpark' (id {action})")
    enable(zabbix, host)


def enable(zabbix, host):
    """Start monitoring web01 now that its item, trigger and action exist.

    The server takes no values for a disabled host, so the first value it
    accepts meets a configuration that already has all four.
    """
    zabbix.call("host.update", hostid=host, status=0)
    print("web01 enabled")


if __name__ == "__main__":
    if len(sys.argv) != 2 or not sys.argv[1].startswith(("http://", "https://")):
        raise SystemExit("usage: python configure_zabbix.py ZPARK_ALERTS_URL")
    env = {**lab_env("zpark.env"), **lab_env()}
    zabbix = ZabbixAPI.login(env["ZABBIX_API_URL"], env["ZABBIX_ADMIN"],
                             env["ZABBIX_ADMIN_PASSWORD"])
    configure(zabbix, sys.argv[1], env["ZPARK_ALERT_TOKEN"])
