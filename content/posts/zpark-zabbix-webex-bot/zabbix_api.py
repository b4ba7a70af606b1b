"""A Zabbix 7.0 JSON-RPC client, written by hand: the protocol is that small."""
import atexit
import logging
import threading

import requests

log = logging.getLogger("zpark.zabbix")


class ZabbixError(Exception):
    """The API answered with an error object."""


class ZabbixAPI:
    """Calls the Zabbix API with an API token (or a session id) as a Bearer token."""

    # These three need no token, and apiinfo.version refuses one.
    WITHOUT_AUTH = {"apiinfo.version", "user.login", "user.checkAuthentication"}

    def __init__(self, url, token, timeout=30):
        if not url.endswith("/api_jsonrpc.php"):
            raise ValueError(f"not a Zabbix API URL (…/api_jsonrpc.php): {url}")
        self.url, self.token, self.timeout = url, token, timeout
        self.local = threading.local()  # a Session per thread: requests promises no more

    def call(self, method, params=None, /, **named):
        """method's result; params as a list or dict, or as keyword arguments."""
        headers = {"Content-Type": "application/json-rpc"}
        if method not in self.WITHOUT_AUTH:
            headers["Authorization"] = f"Bearer {self.token}"
        params = named if params is None else params
        log.debug("zabbix api: %s", method)
        if not hasattr(self.local, "session"):
            self.local.session = requests.Session()
        body = {"jsonrpc": "2.0", "method": method, "params": params, "id": 1}
        reply = self.local.session.post(self.url, json=body, headers=headers,
                                        timeout=self.timeout)
        reply.raise_for_status()
        answer = reply.json()
        if "error" in answer:
            error = answer["error"]
            raise ZabbixError(f"{method}: {error['message']} {error['data']}")
        return answer["result"]

    @classmethod
    def login(cls, url, username, password):
        """A client for a person's session (set-up scripts), instead of a token."""
        anonymous = cls(url, token=None)
        client = cls(url, anonymous.call("user.login", username=username, password=password))
        atexit.register(client.call, "user.logout", [])  # the session ends with the script
        return client
