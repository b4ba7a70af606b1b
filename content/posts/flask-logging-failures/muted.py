"""dictConfig with its defaults, called after another module made its logger."""

import logging
from logging.config import dictConfig

import payments  # payments.log exists from this line on
from shop import LINE_FORMAT, create_app

dictConfig({
    "version": 1,
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

if __name__ == "__main__":
    app.test_client().get("/hit/1")
    payments.charge(2, 75_000)
    for name in ("shop", "payments"):
        print(f"logger {name!r}: disabled={logging.getLogger(name).disabled}")
