#!/bin/sh
# Stop what zabbix-up.sh started, newest first, and wait until each is gone.
set -u
LAB=$PWD/lab
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)

# A process is gone once it has no /proc entry or is a zombie (exited, but
# its new parent has not collected its exit status yet).
gone() { state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1); [ "${state:-Z}" = Z ]; }
wait_gone() {  # pid name
    limit=$(( $(date +%s) + 30 ))
    until gone "$1"; do
        [ "$(date +%s)" -lt "$limit" ] || { echo "$2 (pid $1) is still running" >&2; exit 1; }
        sleep 0.2
    done
    echo "stopped $2"
}

if [ -f "$LAB/php.pid" ]; then
    pid=$(cat "$LAB/php.pid")
    kill -TERM "-$pid" 2>/dev/null       # the whole process group
    wait_gone "$pid" "the PHP built-in server"
    rm -f "$LAB/php.pid"
fi
if [ -f "$LAB/zabbix/zabbix_server.pid" ]; then
    pid=$(cat "$LAB/zabbix/zabbix_server.pid")
    kill -TERM "$pid"                   # it stops its own children first
    wait_gone "$pid" "zabbix_server"
fi
if [ -f "$LAB/pg/data/postmaster.pid" ]; then
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$LAB/pg/data" -m fast -w stop >/dev/null
    echo "stopped PostgreSQL"
fi
