"""Show what the Zabbix API lets the bot's token do, next to what Admin sees.

    python check_token.py ENV_FILE    # ZABBIX_API_URL, ZABBIX_API_TOKEN, Admin's login
"""
import sys

import requests
from lab import lab_env
from zabbix_api import ZabbixAPI, ZabbixError

if len(sys.argv) != 2:
    raise SystemExit(__doc__)
env = lab_env(sys.argv[1])
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
