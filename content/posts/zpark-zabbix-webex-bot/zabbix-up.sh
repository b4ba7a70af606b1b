#!/bin/sh
# Stand up a throwaway Zabbix 7.0 (PostgreSQL, zabbix_server, the PHP
# frontend with its JSON-RPC API) on 127.0.0.1. What it creates lives in
# ./lab (the database cluster, configuration, logs, sockets and pid files),
# except the frontend's /etc/zabbix/zabbix.conf.php. Meant for a machine of
# its own, such as the post's lab: a Debian 13 root filesystem with its own
# /etc and a network of its own, so the standard ports are free. Needs root
# (it switches to the postgres and zabbix users) and Debian's packages: see
# the Lab-Packages lines of index.md. Stop it with zabbix-down.sh.
set -eu
[ "$(id -u)" = 0 ] || { echo "zabbix-up.sh: run me as root" >&2; exit 1; }

started=$(date +%s)
LAB=$PWD/lab
[ ! -e "$LAB" ] || { echo "zabbix-up.sh: ./lab exists: stop it with zabbix-down.sh, then remove it" >&2; exit 1; }
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
ZBXSQL=/usr/share/zabbix-server-pgsql
FRONTEND=/usr/share/zabbix

# Wait until a shell condition holds, checking five times a second.
wait_for() {  # seconds description command...
    limit=$(( $(date +%s) + $1 )); what=$2; shift 2
    until "$@" >/dev/null 2>&1; do
        if [ "$(date +%s)" -ge "$limit" ]; then
            echo "zabbix-up.sh: gave up waiting for $what" >&2; exit 1
        fi
        sleep 0.2
    done
}
port_open() { python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 1)" "$1"; }

mkdir -p "$LAB/etc" "$LAB/log" "$LAB/pg" "$LAB/zabbix"
chown postgres: "$LAB/pg"
chown zabbix: "$LAB/zabbix"
# The lab has a network of its own (loopback only): the ports are free.
PG_PORT=5432      # PostgreSQL's default
ZBX_PORT=10051    # zabbix_server's default trapper port
WEB_PORT=8080     # PHP's built-in server for the frontend

# initdb refuses to run as root: the cluster belongs to the postgres user.
runuser -u postgres -- "$PGBIN/initdb" -D "$LAB/pg/data" -U postgres \
    --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$LAB/log/initdb.log"
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$LAB/pg/data" -l "$LAB/pg/postgres.log" \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -c unix_socket_directories=$LAB/pg" \
    -o "-c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    -w -t 120 start >/dev/null
psql() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" "$@"; }
psql -U postgres -c "CREATE ROLE zabbix LOGIN" -c "CREATE DATABASE zabbix OWNER zabbix"
echo "PostgreSQL $(basename "$(dirname "$PGBIN")") listening on 127.0.0.1:$PG_PORT"

zcat "$ZBXSQL/schema.sql.gz" "$ZBXSQL/images.sql.gz" "$ZBXSQL/data.sql.gz" |
    psql -U zabbix zabbix >"$LAB/log/import.log"
# Host 10084 is the server monitoring itself through an agent we do not run:
# left enabled, it raises "agent is not available" after a minute.
psql -U zabbix zabbix -c "UPDATE hosts SET status = 1 WHERE hostid = 10084"
# A fresh import has no planner statistics: without them, a trigger count
# that the API runs outlasts any sensible timeout instead of returning at once.
psql -U postgres zabbix -c "ANALYZE"
echo "database zabbix: $(psql -U zabbix zabbix -At -c 'SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()') tables imported"

cat >"$LAB/etc/zabbix_server.conf" <<EOF
ListenIP=127.0.0.1
ListenPort=$ZBX_PORT
DBHost=127.0.0.1
DBPort=$PG_PORT
DBName=zabbix
DBUser=zabbix
LogType=file
LogFile=$LAB/zabbix/zabbix_server.log
PidFile=$LAB/zabbix/zabbix_server.pid
SocketDir=$LAB/zabbix
# Re-read the configuration every second, not every 10: new items, triggers
# and actions are then known to the server almost at once.
CacheUpdateFrequency=1
HousekeepingFrequency=0
StartPollers=1
StartPollersUnreachable=1
StartPreprocessors=1
StartHistoryPollers=1
StartDBSyncers=1
StartTrappers=2
StartPingers=0
StartDiscoverers=0
StartHTTPPollers=0
StartReportWriters=0
StartLLDProcessors=1
StartAlerters=3
StartEscalators=1
EOF
# Started as root, zabbix_server drops to the zabbix user. -f keeps it from
# daemonizing: it and its children stay in this script's process group, so
# whoever runs this script can stop them all, even if zabbix-down.sh never runs.
zabbix_server -f -c "$LAB/etc/zabbix_server.conf" >"$LAB/log/zabbix_server.out" 2>&1 &
wait_for 120 "zabbix_server's trapper port" port_open "$ZBX_PORT"
echo "$(zabbix_server -V | head -n 1) listening on 127.0.0.1:$ZBX_PORT"

# Debian's frontend reads its settings from /etc/zabbix/zabbix.conf.php, a
# path fixed in the class CConfigFile.
mkdir -p /etc/zabbix
cat >/etc/zabbix/zabbix.conf.php <<EOF
<?php
\$DB['TYPE'] = 'POSTGRESQL';
\$DB['SERVER'] = '127.0.0.1';
\$DB['PORT'] = '$PG_PORT';
\$DB['DATABASE'] = 'zabbix';
\$DB['USER'] = 'zabbix';
\$DB['PASSWORD'] = '';
\$DB['SCHEMA'] = '';
\$DB['DOUBLE_IEEE754'] = true;
\$ZBX_SERVER = '127.0.0.1';
\$ZBX_SERVER_PORT = '$ZBX_PORT';
\$ZBX_SERVER_NAME = 'zpark lab';
\$IMAGE_FORMAT_DEFAULT = IMAGE_FORMAT_PNG;
EOF
# PHP's built-in server in a session (and process group) of its own, so that
# zabbix-down.sh can stop it and anything it spawned with one signal.
setsid php -S "127.0.0.1:$WEB_PORT" -t "$FRONTEND" >"$LAB/log/php.log" 2>&1 &
echo $! >"$LAB/php.pid"

API_URL="http://127.0.0.1:$WEB_PORT/api_jsonrpc.php"
cat >zabbix.env <<EOF
ZABBIX_API_URL=$API_URL
ZABBIX_SERVER_PORT=$ZBX_PORT
POSTGRES_PORT=$PG_PORT
ZABBIX_ADMIN=Admin
ZABBIX_ADMIN_PASSWORD=zabbix
EOF
api_version() {
    curl -sf -H 'Content-Type: application/json-rpc' "$API_URL" \
        -d '{"jsonrpc": "2.0", "method": "apiinfo.version", "params": {}, "id": 1}' |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["result"])'
}
wait_for 120 "the frontend API" api_version
echo "Zabbix API $(api_version) answering at $API_URL"
echo "ready in $(( $(date +%s) - started )) s; ports written to zabbix.env"
