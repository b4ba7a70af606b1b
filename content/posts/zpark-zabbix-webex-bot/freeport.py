"""Print a TCP port that is free on 127.0.0.1 right now.

Without arguments the kernel picks one (bind to port 0). zabbix_server only
accepts a ListenPort between 1024 and 32767, below Linux's ephemeral range,
so `--below 32768` tries random ports in that range instead.
"""
import random
import socket
import sys


def free_port(below=None):
    for _ in range(200):
        port = 0 if below is None else random.randrange(20000, below)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise SystemExit("no free port found")


if __name__ == "__main__":
    below = int(sys.argv[2]) if sys.argv[1:2] == ["--below"] else None
    print(free_port(below))
