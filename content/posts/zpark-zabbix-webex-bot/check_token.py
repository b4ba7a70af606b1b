"""Show what the Zabbix API lets the bot's token do, next to what Admin sees.

    python check_token.py

From the environment: ZABBIX_API_URL and ZABBIX_API_TOKEN (the bot's, as in
zpark.env), ZABBIX_ADMIN and ZABBIX_ADMIN_PASSWORD (a Super admin's login).
"""
import os
import sys

import requests
from zabbix_api import ZabbixAPI, ZabbixError

NAMES = ["ZABBIX_API_URL", "ZABBIX_API_TOKEN", "ZABBIX_ADMIN", "ZABBIX_ADMIN_PASSWORD"]
if len(sys.argv) != 1 or not all(os.environ.get(name) for name in NAMES):
    raise SystemExit(__doc__)
env = os.environ
try:
    admin = ZabbixAPI.login(env["ZABBIX_API_URL"], env["ZABBIX_ADMIN"], env["ZABBIX_ADMIN_PASSWORD"])
except (ZabbixError, requests.RequestException) as error:
    raise SystemExit(f"check_token: {error}")
zabbix = ZabbixAPI(env["ZABBIX_API_URL"], env["ZABBIX_API_TOKEN"])
monitored = {"output": ["host"], "monitored_hosts": True}


def found(result):
    """A count as it is; hosts by name."""
    if isinstance(result, list):
        return ", ".join(sorted(host["host"] for host in result))
    return f"{result} found"


hosts = admin.call("host.get", monitored)
print(f"Admin: host.get      monitored hosts: {len(hosts)} ({found(hosts)})")
checks = [("host.get", monitored), ("problem.get", {"countOutput": True}),
          ("user.get", {"countOutput": True}), ("history.push", [])]
for method, params in checks:
    try:
        print(f"bot:   {method:<13} allowed ({found(zabbix.call(method, params))})")
    except ZabbixError as error:
        print(f"bot:   {method:<13} refused: {str(error).split(': ', 1)[1]}")
# The client leaves the header out for apiinfo.version; here it is sent anyway.
version = requests.post(
    zabbix.url, timeout=10, headers={"Authorization": f"Bearer {zabbix.token}"},
    json={"jsonrpc": "2.0", "method": "apiinfo.version", "params": {}, "id": 1})
print(f"bot:   apiinfo.version with the token: {version.json()['error']['data']}")
