"""Requests hand their records to a queue; a thread per worker writes them."""

import atexit
import logging
from logging.config import dictConfig

from shop import create_app

dictConfig({
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "jsonlog.JSONFormatter"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": "json",
        },
        "queue": {  # Python 3.12+: dictConfig builds the QueueListener too
            "class": "logging.handlers.QueueHandler",
            "handlers": ["stderr"],
        },
    },
    "root": {"level": "INFO", "handlers": ["queue"]},
})
listener = logging.getHandlerByName("queue").listener
listener.start()  # in the worker: a thread started before fork does not survive it
atexit.register(listener.stop)  # writes what is still queued, then stops

app = create_app()
