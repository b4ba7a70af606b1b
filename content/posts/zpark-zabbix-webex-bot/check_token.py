"""Show what the Zabbix API lets a token do: the calls Zpark makes, and one it must not.

    python check_token.py ENV_FILE    # a file with ZABBIX_API_URL and ZABBIX_API_TOKEN
"""
import sys

import requests
from lab import lab_env
from zabbix_api import ZabbixAPI, ZabbixError

if len(sys.argv) != 2:
    raise SystemExit(__doc__)
env = lab_env(sys.argv[1])
zabbix = ZabbixAPI(env["ZABBIX_API_URL"], env["ZABBIX_API_TOKEN"])
checks = [("host.get", {"countOutput": True}), ("problem.get", {"countOutput": True}),
          ("user.get", {"countOutput": True}), ("history.push", [])]
for method, params in checks:
    try:
        print(f"{method:<13} allowed: {zabbix.call(method, params)}")
    except ZabbixError as error:
        print(f"{method:<13} refused: {str(error).split(': ', 1)[1]}")
# The client leaves the header out for apiinfo.version; here it is sent anyway.
version = requests.post(
    zabbix.url, timeout=10, headers={"Authorization": f"Bearer {zabbix.token}"},
    json={"jsonrpc": "2.0", "method": "apiinfo.version", "params": {}, "id": 1})
print(f"apiinfo.version with the token: {version.json()['error']['data']}")
plain = requests.post(zabbix.url, data="{}", timeout=10, headers={"Content-Type": "text/plain"})
print(f"a body sent as text/plain: HTTP {plain.status_code} {plain.reason}")
