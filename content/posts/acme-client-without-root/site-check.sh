#!/bin/sh
# The post's production site, with the lab's paths, passes nginx -t (lab only).
set -eu
mkdir -p lab/site-check
sed -e "s#/var/lib/acme/state#$PWD/state#" -e "s#/var/www/acme#$PWD/webroot#" \
    nginx-site.conf nginx-site-tls.conf > lab/site-check/site.conf
cat > lab/site-check/nginx.conf <<END
pid $PWD/lab/site-check/nginx.pid;
error_log $PWD/lab/site-check/error.log;
events { }
http { include /etc/nginx/mime.types; include $PWD/lab/site-check/site.conf; }
END
nginx -t -c "$PWD/lab/site-check/nginx.conf"
# deploy-2.txt's switch to production turns the example configuration's staging URL into this one.
cp client.example.json lab/site-check/client.json
sh -c "$(grep "^sed " deploy-2.txt | sed "s#/etc/acme/client.json#lab/site-check/client.json#")"
grep -q '"directory": "https://acme-v02.api.letsencrypt.org/directory",' lab/site-check/client.json
