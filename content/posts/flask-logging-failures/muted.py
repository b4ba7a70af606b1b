"""dictConfig with its defaults, after another module made its logger."""

import logging
from logging.config import dictConfig

import payments  # the logger "payments" exists from here on
from shop import LINE_FORMAT, create_app

dictConfig({
    "version": 1,
    "formatters": {"line": {"format": LINE_FORMAT}},
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "line"},
    },
    "root": {"level": "INFO", "handlers": ["stderr"]},
})

app = create_app()

if __name__ == "__main__":  # a check without a server
    app.test_client().get("/hit/1")
    payments.charge(2, 75_000)  # logs a warning
    print(f"payments logger disabled: {logging.getLogger('payments').disabled}")
