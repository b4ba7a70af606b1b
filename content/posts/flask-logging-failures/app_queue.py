"""Requests put records on a queue; a thread in each worker writes them."""

import atexit
import logging
from logging.config import dictConfig

from shop import create_app

dictConfig({
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "jsonlog.JSONFormatter"}},
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "json"},
        "queue": {"class": "logging.handlers.QueueHandler", "handlers": ["stderr"]},
    },
    "root": {"level": "INFO", "handlers": ["queue"]},
})
listener = logging.getHandlerByName("queue").listener
listener.start()  # here, in the worker: threads do not survive a fork
atexit.register(listener.stop)  # writes what is still queued

app = create_app()
