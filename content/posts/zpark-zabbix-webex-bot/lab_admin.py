"""Lab steps done as Admin through the API.

    python lab_admin.py token on|off       # enable or disable the bot's API token
    python lab_admin.py acknowledge TEXT   # acknowledge the open problem, with a message
"""
import sys

from lab import lab_env
from zabbix_api import ZabbixAPI

env = lab_env()
admin = ZabbixAPI.login(env["ZABBIX_API_URL"], env["ZABBIX_ADMIN"], env["ZABBIX_ADMIN_PASSWORD"])
if sys.argv[1:2] == ["token"] and sys.argv[2:] in (["on"], ["off"]):
    token = admin.call("token.get", filter={"name": "Zpark"}, output=["tokenid"])[0]
    admin.call("token.update", tokenid=token["tokenid"], status=0 if sys.argv[2] == "on" else 1)
elif sys.argv[1:2] == ["acknowledge"] and len(sys.argv) == 3:
    problem = admin.call("problem.get", output=["eventid"])[0]
    admin.call("event.acknowledge", eventids=[problem["eventid"]], action=2 | 4,  # ack, message
               message=sys.argv[2])
else:
    raise SystemExit(__doc__)
