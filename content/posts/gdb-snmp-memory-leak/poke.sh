#!/bin/sh
# poke.sh [-i] GETS WALKS: wait until a debugger is attached to the lab's snmpd,
# then run load.sh GETS WALKS; with -i, then interrupt the debugger as Ctrl-C
# would.  One poke.sh at a time: a second one waits until the first has sent
# its last request.
set -eu
interrupt=no
if [ "${1-}" = -i ]; then
	interrupt=yes
	shift
fi
exec 9>poke.lock
flock 9
pid=$(cat snmpd.pid)
tracer() { sed -n 's/^TracerPid:[[:space:]]*//p' "/proc/$pid/status"; }
attached() { [ "$(tracer)" -gt 0 ] 2>/dev/null; }
tries=0
until attached; do
	[ "$tries" -lt 300 ] || { echo "no debugger attached to $pid" >&2; exit 1; }
	tries=$((tries + 1))
	sleep 0.1
done
./load.sh "$@"
if [ "$interrupt" = yes ]; then
	sleep 0.5 # let the daemon finish the last request
	# Ctrl-C again only if the debugger is still attached 10 s later: on a
	# loaded machine gdb can miss one that lands while its Python runs.
	for attempt in 1 2 3; do
		attached || exit 0
		kill -INT "$(tracer)"
		tries=0
		while [ "$tries" -lt 100 ] && attached; do
			tries=$((tries + 1))
			sleep 0.1
		done
	done
fi
