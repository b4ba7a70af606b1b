"""Lab steps done as Admin through the API.

    python lab_admin.py token on|off       # enable or disable the bot's API token
    python lab_admin.py acknowledge TEXT   # acknowledge the open problem, with a message
    python lab_admin.py stored             # check "created" as stored with the first alert
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
elif sys.argv[1:] == ["stored"]:  # not in the API: read the database
    import json
    import re
    import subprocess
    row = subprocess.run(["psql", "-X", "-At", "-h", "127.0.0.1", "-U", "zabbix", "zabbix", "-c",
                          "SELECT parameters FROM alerts ORDER BY alertid LIMIT 1"],
                         check=True, capture_output=True, text=True).stdout
    stored = json.loads(row)
    if isinstance(stored, list):
        stored = {p["name"]: p["value"] for p in stored}
    created = stored["created"]  # expanded once, when the alert was created
    assert re.fullmatch(r"\d{4}\.\d\d\.\d\d \d\d:\d\d:\d\d", created), created
    secret = lab_env("zpark.env")["ZPARK_ALERT_TOKEN"]
    clear = any(secret in value for value in stored.values())
    print("the alerts table holds the alert token", "in clear" if clear else "masked")
else:
    raise SystemExit(__doc__)
