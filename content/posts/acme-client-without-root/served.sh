#!/bin/sh
# Print the serial of the certificate nginx presents and of the live file, once
# they agree: nginx -s reload only signals the master, which starts workers
# with the new certificate a moment later. Fails if they differ after 10 s.
set -u
. lab/ports.sh
served() {
    echo | openssl s_client -connect "127.0.0.1:$HTTPS_PORT" -servername www.example.test \
        -CAfile pebble-root.pem 2>/dev/null | openssl x509 -noout -serial
}
file=$(openssl x509 -in state/live/fullchain.pem -noout -serial)
limit=$(( $(date +%s) + 10 ))
until now=$(served); [ "$now" = "$file" ] || [ "$(date +%s)" -ge "$limit" ]; do
    sleep 0.1
done
echo "served: $now"
echo "file:   $file"
[ "$now" = "$file" ]
