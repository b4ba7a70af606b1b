#!/bin/sh
# Start the Webex stand-in, then Zpark, each on a fixed port of 127.0.0.1 (the
# lab's network is its own), register Zpark's webhook with the stand-in, and
# add both URLs to zabbix.env.
set -eu
# zabbix.env last: it holds the API token that bot_account.py generated.
set -a; . ./zpark.env; . ./zabbix.env; set +a

WEBEX_PORT=8001
ZPARK_PORT=8000   # as in zpark.service
wait_for_port() {  # port log: until a server accepts connections there
    limit=$(( $(date +%s) + 30 ))
    until python -c "import socket, sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 1)" "$1" 2>/dev/null; do
        [ "$(date +%s)" -lt "$limit" ] || { echo "zpark-up.sh: nothing listens on port $1, see $2" >&2; exit 1; }
        sleep 0.2
    done
}
mkdir -p lab/log

setsid python webex_standin.py serve "$WEBEX_PORT" >lab/log/webex.log 2>&1 &
echo $! >lab/webex.pid
wait_for_port "$WEBEX_PORT" lab/log/webex.log
WEBEX_URL=http://127.0.0.1:$WEBEX_PORT
echo "Webex stand-in listening on $WEBEX_URL"

# Zpark as it runs in production, under gunicorn, with its settings in the environment.
WEBEX_API_URL=$WEBEX_URL/v1 ZPARK_LOG_LEVEL=debug setsid gunicorn --workers 1 --threads 8 --bind "127.0.0.1:$ZPARK_PORT" --no-control-socket \
    'zpark:from_environment()' >lab/log/zpark.log 2>&1 &
echo $! >lab/zpark.pid
wait_for_port "$ZPARK_PORT" lab/log/zpark.log
ZPARK_URL=http://127.0.0.1:$ZPARK_PORT
echo "Zpark (gunicorn) listening on $ZPARK_URL"

curl -sS --fail-with-body "$WEBEX_URL/v1/webhooks" \
    -H "Authorization: Bearer $WEBEX_BOT_TOKEN" -H "Content-Type: application/json" \
    -d '{"name": "zpark", "targetUrl": "'"$ZPARK_URL"'/webex", "resource": "messages",
         "event": "created", "secret": "'"$WEBEX_WEBHOOK_SECRET"'"}'
echo
printf 'WEBEX_URL=%s\nZPARK_URL=%s\n' "$WEBEX_URL" "$ZPARK_URL" >>zabbix.env
