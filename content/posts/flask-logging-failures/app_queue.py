"""Requests queue finished JSON lines; a thread in each process writes them."""

import atexit
import logging
import os
import queue
import sys
from logging.config import dictConfig
from logging.handlers import QueueHandler, QueueListener

import payments
from shop import create_app


class CountingQueueHandler(QueueHandler):
    dropped = 0

    def enqueue(self, record):
        try:
            if self.dropped:  # room again? first say how many were lost
                self.queue.put_nowait(self.prepare(logging.makeLogRecord(dict(
                    name=__name__, levelno=logging.WARNING, levelname="WARNING",
                    msg=f"{self.dropped} log records dropped"))))
                self.dropped = 0
            self.queue.put_nowait(record)
        except queue.Full:  # QueueHandler would print a traceback, in the request
            self.dropped += 1


class Listener(QueueListener):
    def enqueue_sentinel(self):
        # Runs at exit and before each fork. Blocks while the queue is full, so a slow
        # or dead listener stalls exit, or the --preload master at each worker spawn.
        self.queue.put(self._sentinel)


dictConfig({
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "jsonlog.JSONFormatter"},
    },
    "handlers": {
        "stderr": {"class": "logging.StreamHandler"},
        # gunicorn's own lines, JSON too, need no listener
        "gunicorn": {"class": "logging.StreamHandler", "formatter": "json"},
        "queue": {"class": CountingQueueHandler, "listener": Listener,
                  "formatter": "json", "handlers": ["stderr"],
                  "queue": {"()": "queue.Queue", "maxsize": 10_000}},
    },
    "root": {"level": "INFO", "handlers": ["queue"]},
    # All of them under --preload; else the master's stay plain text.
    "loggers": {"gunicorn.error": {"handlers": ["gunicorn"]}},
})
handler = logging.getHandlerByName("queue")
listener = handler.listener
listener.start()
# A forked child has the queue but not the thread: restart it in both.
os.register_at_fork(before=listener.stop, after_in_parent=listener.start,
                    after_in_child=listener.start)


@atexit.register
def stop():
    listener.stop()  # writes what is still queued
    if handler.dropped:
        print(handler.format(logging.makeLogRecord(dict(  # a JSON line, like the rest
            name=__name__, levelno=logging.WARNING, levelname="WARNING",
            msg=f"{handler.dropped} log records dropped"))), file=sys.stderr)


app = create_app()

if __name__ == "__main__":  # a check without a server
    log = logging.getLogger("shop.orders")
    log.warning("order #7 held", extra={"order": 7, "level": "gold"})
    try:
        payments.charge(8, 0)
    except ValueError:
        log.exception("order #8 failed")
