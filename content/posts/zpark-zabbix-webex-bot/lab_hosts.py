"""The lab's demo hosts: web01 in "Zpark demo", db01 outside it."""
from lab import lab_env
from zabbix_api import ZabbixAPI

env = lab_env()
zabbix = ZabbixAPI.login(env["ZABBIX_API_URL"], env["ZABBIX_ADMIN"], env["ZABBIX_ADMIN_PASSWORD"])
group = zabbix.call("hostgroup.create", name="Zpark demo")["groupids"][0]
host = zabbix.call("host.create", host="web01", groups=[{"groupid": group}])["hostids"][0]
zabbix.call("item.create", hostid=host, name="Application errors per minute",
            key_="app.errors", type=2, value_type=3)  # Zabbix trapper, integer
zabbix.call("trigger.create", description="Too many errors in *checkout*: app.errors > 10",
            expression="last(/web01/app.errors)>10", priority=4)  # High
other = zabbix.call("hostgroup.create", name="Outside Zpark")["groupids"][0]
zabbix.call("host.create", host="db01", groups=[{"groupid": other}])
