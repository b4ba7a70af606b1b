"""List the webhook media types that a fresh Zabbix ships, from its API.

    python shipped_media.py ENV_FILE   # ZABBIX_API_URL, ZABBIX_ADMIN, ZABBIX_ADMIN_PASSWORD
"""
import sys

from lab import lab_env
from zabbix_api import ZabbixAPI

if len(sys.argv) != 2:
    raise SystemExit(__doc__)
env = lab_env(sys.argv[1])
zabbix = ZabbixAPI.login(env["ZABBIX_API_URL"], env["ZABBIX_ADMIN"],
                         env["ZABBIX_ADMIN_PASSWORD"])
media_types = zabbix.call("mediatype.get", output=["name"], filter={"type": 4})  # Webhook
names = sorted((m["name"] for m in media_types), key=str.lower)
print(f"Zabbix {zabbix.call('apiinfo.version')}: {len(names)} webhook media types")
print(", ".join(names))
chat = [name for name in names if any(word in name.lower() for word in ("webex", "spark"))]
print(f"for Webex: {', '.join(chat) or 'none'}")
