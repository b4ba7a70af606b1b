#!/bin/sh
# start-snmpd.sh [WRAPPER ...]: run snmpd in the foreground, in the background
# of this shell, with this folder's snmpd.conf only, on udp:127.0.0.1:1161, and
# wait until it answers.  A wrapper (valgrind ...) goes first.  snmpd.conf
# loads /opt/queuemon/queuemon.so: that must be this folder's.  Its saved state
# goes to ./state, not /var/lib/snmp.
set -eu
[ /opt/queuemon/queuemon.so -ef queuemon.so ] ||
    { echo "/opt/queuemon/queuemon.so is not $PWD/queuemon.so" >&2; exit 1; }
rm -f snmpd.pid
SNMP_PERSISTENT_DIR="$PWD/state" "$@" snmpd -f -C -c snmpd.conf -I -smux,lmsensorsMib -Lf snmpd.log -p snmpd.pid \
    udp:127.0.0.1:1161 &
for _ in $(seq 300); do
	if snmpget -v2c -c public -t 0.2 -r 0 127.0.0.1:1161 1.3.6.1.2.1.1.3.0 >/dev/null 2>&1; then
		version=$(snmpd -v | sed -n 's/^NET-SNMP version: *//p')
		echo "snmpd $version, pid $(cat snmpd.pid), answers on udp:127.0.0.1:1161"
		exit 0
	fi
	kill -0 $! 2>/dev/null || break
	sleep 0.1
done
echo "snmpd did not answer on udp:127.0.0.1:1161; its log:" >&2
cat snmpd.log >&2
exit 1
