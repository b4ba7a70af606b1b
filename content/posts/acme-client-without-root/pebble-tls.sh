#!/bin/sh
# A throwaway CA and a certificate for "localhost", for pebble's own HTTPS
# listener. The Debian package ships none; the client will trust ca.pem.
# Python 3.13 verifies strictly: the CA needs keyUsage, the leaf an AKI.
set -eu
mkdir -p pebble-tls
cd pebble-tls
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -days 2 -subj "/CN=lab CA for pebble" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout ca.key -out ca.pem 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj "/CN=localhost" -keyout key.pem -out req.csr 2>/dev/null
cat > leaf.ext <<'END'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1
authorityKeyIdentifier=keyid
subjectKeyIdentifier=hash
END
openssl x509 -req -in req.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
    -days 2 -extfile leaf.ext -out cert.pem 2>/dev/null
openssl verify -CAfile ca.pem cert.pem
