#!/bin/sh
# stop-snmpd.sh: stop the lab's snmpd (if not already signalled) and wait
# until it has exited.
set -eu
pid=$(cat snmpd.pid)
kill -TERM "$pid" 2>/dev/null || true
for _ in $(seq 600); do
	# Gone, or a zombie: it has finished (valgrind has written its report).
	if [ ! -e "/proc/$pid" ] || grep -q '^State:[[:space:]]*Z' "/proc/$pid/status" 2>/dev/null; then
		echo "snmpd $pid stopped"
		exit 0
	fi
	sleep 0.1
done
echo "snmpd $pid still running after 60 s" >&2
exit 1
