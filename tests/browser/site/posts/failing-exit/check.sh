#!/bin/sh
echo "checking the configuration"
echo "missing: /etc/example.conf" >&2
exit 3
