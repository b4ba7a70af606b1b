"""Log to stderr; whoever started the process decides where it goes."""

from logging.config import dictConfig

from shop import LINE_FORMAT, create_app

# ANCHOR: config
dictConfig({
    "version": 1,
    "disable_existing_loggers": False,  # gunicorn's loggers exist already
    "formatters": {"line": {"format": LINE_FORMAT}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": "line",
        },
    },
    "root": {"level": "INFO", "handlers": ["stderr"]},
})

app = create_app()
# ANCHOR_END: config
