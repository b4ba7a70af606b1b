#!/bin/sh
# load.sh [-w] GETS WALKS: send the lab's snmpd GETS snmpget requests for
# one cell of queueTable and WALKS snmpwalks of the table, then one get of
# sysUpTime.0, which marks the end of the load.  With -w, first wait until
# the daemon answers.
set -eu
wait_first=no
if [ "${1-}" = -w ]; then
	wait_first=yes
	shift
fi
usage() {
	echo "usage: load.sh [-w] GETS WALKS (two counts)" >&2
	exit 2
}
[ $# -eq 2 ] || usage
case "$1" in '' | *[!0-9]*) usage ;; esac
case "$2" in '' | *[!0-9]*) usage ;; esac
. ./lab.env
addr=127.0.0.1:1161
table=1.3.6.1.4.1.32473.1.1
tries=0
while [ "$wait_first" = yes ] &&
    ! snmpget -v2c -c public -t 0.2 -r 0 "$addr" 1.3.6.1.2.1.1.3.0 >/dev/null 2>&1; do
	[ "$tries" -lt 300 ] || { echo "no answer from $addr" >&2; exit 1; }
	tries=$((tries + 1))
	sleep 0.2
done
# A debugger may hold the daemon while requests wait in its socket: allow
# for that, and send no retries, so that each request is exactly one packet.
opts="-v2c -c public -t 60 -r 0"
for _ in $(seq "$1"); do snmpget $opts "$addr" "$table.1.2.1" >/dev/null; done
for _ in $(seq "$2"); do snmpwalk $opts "$addr" "$table" >/dev/null; done
snmpget $opts "$addr" 1.3.6.1.2.1.1.3.0 >/dev/null
