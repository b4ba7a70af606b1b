#!/bin/sh
# Stop Zpark and the Webex stand-in that zpark-up.sh started.
set -u
# Gone: no /proc entry, or a zombie that its new parent has not reaped yet.
gone() { state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1); [ "${state:-Z}" = Z ]; }
for name in zpark webex; do
    [ -f "lab/$name.pid" ] || continue
    pid=$(cat "lab/$name.pid")
    kill -TERM "-$pid" 2>/dev/null
    limit=$(( $(date +%s) + 30 ))
    until gone "$pid"; do
        [ "$(date +%s)" -lt "$limit" ] || { echo "$name (pid $pid) is still running" >&2; exit 1; }
        sleep 0.2
    done
    rm -f "lab/$name.pid"
    echo "stopped $name"
done
