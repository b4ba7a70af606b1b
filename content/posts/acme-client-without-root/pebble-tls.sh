#!/bin/sh
# A throwaway CA and a certificate for "localhost", for pebble's own HTTPS
# listener. The Debian package ships none; the client will trust ca.pem.
set -eu
mkdir -p pebble-tls
cd pebble-tls
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -days 2 -subj "/CN=lab CA for pebble" \
    -keyout ca.key -out ca.pem
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj "/CN=localhost" -keyout key.pem -out req.csr
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > san.ext
openssl x509 -req -in req.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
    -days 2 -extfile san.ext -out cert.pem
openssl verify -CAfile ca.pem cert.pem
openssl x509 -in cert.pem -noout -subject -issuer -ext subjectAltName
