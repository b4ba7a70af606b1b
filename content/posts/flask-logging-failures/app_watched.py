"""Every worker writes to app.log and reopens it when it has been moved."""

from logging.config import dictConfig

from shop import LINE_FORMAT, create_app

# ANCHOR: config
dictConfig({
    "version": 1,
    "formatters": {"line": {"format": LINE_FORMAT}},
    "handlers": {
        "file": {
            "class": "logging.handlers.WatchedFileHandler",
            "filename": "app.log",
            "formatter": "line",
        },
    },
    "root": {"level": "INFO", "handlers": ["file"]},
})

app = create_app()
# ANCHOR_END: config
