"""Serve the output folder and tell browsers which pages were rewritten.

Every HTML response gets a small script that listens to ``/__live/events`` (server-sent
events).  After each clean rebuild the hub publishes the URLs of the pages written; a
browser reloads only if its own page is among them, so editing one post does not
reload every open tab.  Standard library only: one thread per connection.
"""

from __future__ import annotations

import json
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

EVENTS = "/__live/events"
SCRIPT = """<script>
(function () {
  var here = location.pathname.replace(/index\\.html$/, "");
  var events = new EventSource("EVENTS");
  events.onmessage = function (message) {
    var rebuilt = JSON.parse(message.data);
    if (rebuilt.urls.indexOf(here) !== -1) { events.close(); location.reload(); }
  };
})();
</script>""".replace("EVENTS", EVENTS)


class ReloadHub:
    """The latest rebuild, numbered, for every waiting event stream."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self.number = 0
        self.message = ""
        self.closed = False

    def publish(self, urls: list[str], seconds: float) -> None:
        """Announce one rebuild: the URLs of the pages it wrote."""
        with self._condition:
            self.number += 1
            self.message = json.dumps({"rebuild": self.number, "urls": urls,
                                       "seconds": round(seconds, 4), "sent": time.monotonic()})
            self._condition.notify_all()

    def wait_after(self, number: int, timeout: float) -> tuple[int, str]:
        with self._condition:
            self._condition.wait_for(lambda: self.number > number or self.closed, timeout)
            return self.number, self.message

    def close(self) -> None:
        with self._condition:
            self.closed = True
            self._condition.notify_all()


class LiveHandler(SimpleHTTPRequestHandler):
    """Files of the output folder, HTML with the reload script, and the event stream."""

    def __init__(self, *args, hub: ReloadHub, **kwargs) -> None:
        self.hub = hub
        super().__init__(*args, **kwargs)

    def log_message(self, format, *args) -> None:  # noqa: A002 - the name is the base class's
        pass  # one terminal line per rebuild, not per request

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if self.path.split("?")[0] == EVENTS:
            return self.stream_events()
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?")[0].endswith("/"):
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            body = path.read_bytes().replace(b"</body>", SCRIPT.encode() + b"</body>", 1)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)
            return None
        return super().do_GET()

    def stream_events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen = self.hub.number
        try:
            self.wfile.write(b": connected\n\n")
            self.wfile.flush()
            while not self.hub.closed:
                number, message = self.hub.wait_after(seen, timeout=15)
                if number > seen:
                    seen = number
                    self.wfile.write(f"data: {message}\n\n".encode())
                else:
                    self.wfile.write(b": still here\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass


class LiveServer(ThreadingHTTPServer):
    allow_reuse_address = True
    daemon_threads = True


def serve_site(output: Path, host: str, port: int, hub: ReloadHub) -> ThreadingHTTPServer:
    """Start serving ``output`` on a daemon thread; returns the server (port 0: any free)."""
    handler = partial(LiveHandler, hub=hub, directory=str(output))
    server = LiveServer((host, port), handler)
    threading.Thread(target=server.serve_forever, name="live-server", daemon=True).start()
    return server
