"""A Zabbix 6.0 JSON-RPC client, written by hand: the protocol is that small."""
import requests


class ZabbixError(Exception):
    """The API answered with an error object."""


# ANCHOR: client
class ZabbixAPI:
    # Zabbix 6.0 refuses these three if the request carries a session token.
    WITHOUT_AUTH = {"apiinfo.version", "user.login", "user.checkAuthentication"}

    def __init__(self, url, username, password, timeout=30):
        self.url = url
        self.username = username
        self.password = password
        self.timeout = timeout
        self.token = None
        self.session = requests.Session()
        # The frontend answers 412 unless the body is declared as JSON.
        self.session.headers["Content-Type"] = "application/json-rpc"

    def request(self, method, params):
        body = {"jsonrpc": "2.0", "method": method, "params": params, "id": 1}
        if method not in self.WITHOUT_AUTH:
            body["auth"] = self.token  # 6.0 reads the token here, not from a header
        reply = self.session.post(self.url, json=body, timeout=self.timeout)
        reply.raise_for_status()
        answer = reply.json()
        if "error" in answer:
            error = answer["error"]
            raise ZabbixError(f"{method}: {error['message']} {error['data']}")
        return answer["result"]

    def call(self, method, **params):
        """Call an API method, logging in first (and again if the session expired)."""
        if method in self.WITHOUT_AUTH:
            return self.request(method, params)
        if self.token is None:
            self.login()
        try:
            return self.request(method, params)
        except ZabbixError as error:
            if "re-login" not in str(error):
                raise
            self.login()
            return self.request(method, params)

    def login(self):
        credentials = {"username": self.username, "password": self.password}
        self.token = self.request("user.login", credentials)
# ANCHOR_END: client
