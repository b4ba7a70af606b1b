#!/bin/sh
# Start the Webex stand-in, then Zpark, each on a free port of 127.0.0.1,
# register Zpark's webhook with the stand-in, and add both URLs to lab.env.
set -eu
set -a; . ./lab.env; . ./zpark.env; set +a

wait_for_file() {  # path: servers write their port there once listening
    limit=$(( $(date +%s) + 30 ))
    until [ -s "$1" ]; do
        [ "$(date +%s)" -lt "$limit" ] || { echo "zpark-up.sh: no $1 after 30 s" >&2; exit 1; }
        sleep 0.2
    done
}
mkdir -p lab/log
rm -f lab/webex.port

setsid python webex_standin.py serve lab/webex.port >lab/log/webex.log 2>&1 &
echo $! >lab/webex.pid
wait_for_file lab/webex.port
WEBEX_URL=http://127.0.0.1:$(cat lab/webex.port)
echo "Webex stand-in listening on $WEBEX_URL"

# Zpark as it runs in production, under gunicorn, with its settings in the environment.
ZPARK_PORT=$(python freeport.py)
WEBEX_API_URL=$WEBEX_URL/v1 setsid gunicorn --workers 2 --bind "127.0.0.1:$ZPARK_PORT" \
    'zpark:from_environment()' >lab/log/zpark.log 2>&1 &
echo $! >lab/zpark.pid
limit=$(( $(date +%s) + 30 ))
until python -c "import socket, sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 1)" "$ZPARK_PORT" 2>/dev/null; do
    [ "$(date +%s)" -lt "$limit" ] || { echo "zpark-up.sh: gunicorn did not start, see lab/log/zpark.log" >&2; exit 1; }
    sleep 0.2
done
ZPARK_URL=http://127.0.0.1:$ZPARK_PORT
echo "Zpark (gunicorn) listening on $ZPARK_URL"

# ANCHOR: webhook
curl -sS --fail-with-body "$WEBEX_URL/v1/webhooks" \
    -H "Authorization: Bearer $WEBEX_BOT_TOKEN" -H "Content-Type: application/json" \
    -d '{"name": "zpark", "targetUrl": "'"$ZPARK_URL"'/webex", "resource": "messages",
         "event": "created", "secret": "'"$WEBEX_WEBHOOK_SECRET"'"}'
# ANCHOR_END: webhook
echo
printf 'WEBEX_URL=%s\nZPARK_URL=%s\n' "$WEBEX_URL" "$ZPARK_URL" >>lab.env
