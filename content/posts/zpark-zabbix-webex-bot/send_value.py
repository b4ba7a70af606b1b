"""Push one value of app.errors for host web01 with zabbix_sender.

The server learns about a new item within a second or so (CacheUpdateFrequency
is 1 in the lab); until then it refuses the value ("failed: 1"), so we send
again until it is processed, and show only zabbix_sender's final answer.
"""
import subprocess
import sys

from lab import lab_env, wait_until


def send(value):
    port = lab_env()["ZABBIX_SERVER_PORT"]
    # ANCHOR: sender
    command = ["zabbix_sender", "-z", "127.0.0.1", "-p", port,
               "-s", "web01", "-k", "app.errors", "-o", value]
    # ANCHOR_END: sender

    def processed():
        run = subprocess.run(command, capture_output=True, text=True)
        return run.stdout if "processed: 1;" in run.stdout else None

    print("$", " ".join(command))
    print(wait_until(processed, 30, "zabbix_server to accept the value"), end="")


if __name__ == "__main__":
    send(sys.argv[1])
