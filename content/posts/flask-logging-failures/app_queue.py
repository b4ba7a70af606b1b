"""Requests queue finished JSON lines; a thread in each process writes them."""

import atexit
import logging
import os
from logging.config import dictConfig

import payments
from shop import create_app

dictConfig({
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "jsonlog.JSONFormatter"},
        "as_is": {"format": "%(message)s"},
    },
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "as_is"},
        "queue": {"class": "logging.handlers.QueueHandler", "formatter": "json",
                  "handlers": ["stderr"],
                  # full: drop the record and report it, rather than grow
                  "queue": {"()": "queue.Queue", "maxsize": 10_000}},
    },
    "root": {"level": "INFO", "handlers": ["queue"]},
})
listener = logging.getHandlerByName("queue").listener
listener.start()
# A forked child has the queue but not the thread: restart it in both.
# stop() waits for the queue to drain; on a full queue it raises queue.Full.
os.register_at_fork(before=listener.stop, after_in_parent=listener.start,
                    after_in_child=listener.start)
atexit.register(listener.stop)  # writes what is still queued

app = create_app()

if __name__ == "__main__":  # a check without a server
    log = logging.getLogger("shop.orders")
    log.warning("order #7 held", extra={"order": 7, "level": "gold"})
    try:
        payments.charge(8, 0)
    except ValueError:
        log.exception("order #8 failed")
