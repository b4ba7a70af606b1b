"""Give Zpark a Zabbix account of its own: read-only, API only, four methods.

Run once by a Super admin. Prints the bot's API token, which Zabbix shows
only at generation: store it as ZABBIX_API_TOKEN in Zpark's environment.
Not idempotent: a second run stops at role.create, as "Zpark bot" exists, and
a run that fails halfway leaves what it created, to delete by hand.

    python bot_account.py API_URL SUPER_ADMIN HOST_GROUP

It asks for SUPER_ADMIN's password, or reads ZABBIX_ADMIN_PASSWORD.
"""
import getpass
import os
import secrets
import sys
import time

import requests
from zabbix_api import ZabbixAPI, ZabbixError

# The methods Zpark calls with its token (apiinfo.version takes none); the
# role refuses all others.
BOT_METHODS = ["problem.get", "trigger.get", "host.get", "item.get"]


def create_bot_account(zabbix, host_group):
    """A user that may read host_group's hosts through the API, and nothing else."""
    groups = zabbix.call("hostgroup.get", filter={"name": host_group}, output=["groupid"])
    if not groups:
        raise SystemExit(f"bot_account: no host group named {host_group!r}")
    role = zabbix.call("role.create", name="Zpark bot", type=1, rules={  # type 1: User
        "api.access": 1, "api.mode": 1, "api": BOT_METHODS,  # mode 1: allow list
        "ui.default_access": 0, "modules.default_access": 0, "actions.default_access": 0,
    })["roleids"][0]
    group = zabbix.call("usergroup.create", name="Zpark bots", gui_access=3,  # no web UI
                        hostgroup_rights=[{"id": groups[0]["groupid"], "permission": 2}],
                        )["usrgrpids"][0]  # permission 2: read-only
    user = zabbix.call("user.create", username="zpark", roleid=role,
                       usrgrps=[{"usrgrpid": group}],
                       passwd=secrets.token_urlsafe(24))["userids"][0]  # never used
    # Valid a year: before then, create the next token, give it to Zpark, delete this one.
    token = zabbix.call("token.create", name="Zpark", userid=user,
                        expires_at=int(time.time()) + 365 * 86400)["tokenids"][0]
    return zabbix.call("token.generate", [token])[0]["token"]


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    url, admin, host_group = sys.argv[1:]
    password = os.environ.get("ZABBIX_ADMIN_PASSWORD") or getpass.getpass(f"{admin}'s password: ")
    try:
        zabbix = ZabbixAPI.login(url, admin, password)
        print(f"ZABBIX_API_TOKEN={create_bot_account(zabbix, host_group)}")
    except (ZabbixError, requests.RequestException, ValueError) as error:  # wrong password, a rerun...
        raise SystemExit(f"bot_account: {error}")
