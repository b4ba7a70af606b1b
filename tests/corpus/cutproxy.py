"""An ssh ProxyCommand that relays to HOST PORT and cuts the connection once more than
LIMIT bytes went upstream: an upload interrupted midway, on loopback only.

Usage: python cutproxy.py HOST PORT LIMIT
"""

from __future__ import annotations

import os
import selectors
import socket
import sys


def relay(host: str, port: int, limit: int) -> None:
    upstream = socket.create_connection((host, port))
    selector = selectors.DefaultSelector()
    selector.register(sys.stdin.fileno(), selectors.EVENT_READ, "up")
    selector.register(upstream, selectors.EVENT_READ, "down")
    sent = 0
    while True:
        for key, _ in selector.select():
            if key.data == "up":
                data = os.read(sys.stdin.fileno(), 65536)
                if not data or sent + len(data) > limit:
                    return  # the cut: both directions close at once
                upstream.sendall(data)
                sent += len(data)
            else:
                data = upstream.recv(65536)
                if not data:
                    return
                os.write(sys.stdout.fileno(), data)


if __name__ == "__main__":
    relay(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
