#!/bin/sh
# start-snmpd.sh [WRAPPER ...]: run snmpd in the foreground, in the background
# of this shell, with this folder's configuration only, on a free UDP port of
# 127.0.0.1, and wait until it answers.  A wrapper (valgrind ...) goes first.
set -eu
. ./lab.env
mkdir -p "$SNMP_PERSISTENT_DIR"
port=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > snmpd.conf <<CONF
[snmp] mibs :
rocommunity lab 127.0.0.1
dontLogTCPWrappersConnects yes
dlmod queuemon $PWD/queuemon.so
queuemonFile $PWD/queues.txt
CONF
echo "127.0.0.1:$port" > agent.addr
rm -f snmpd.pid
"$@" snmpd -f -C -c snmpd.conf -I -smux,lmsensorsMib -Lf snmpd.log -p snmpd.pid \
    "udp:127.0.0.1:$port" &
for _ in $(seq 300); do
	if snmpget -v2c -c lab -t 0.2 -r 0 "127.0.0.1:$port" 1.3.6.1.2.1.1.3.0 >/dev/null 2>&1; then
		version=$(snmpd -v | sed -n 's/^NET-SNMP version: *//p')
		echo "snmpd $version, pid $(cat snmpd.pid), answers on udp:127.0.0.1:$port"
		exit 0
	fi
	kill -0 $! 2>/dev/null || break
	sleep 0.1
done
echo "snmpd did not answer on udp:127.0.0.1:$port; its log:" >&2
cat snmpd.log >&2
exit 1
