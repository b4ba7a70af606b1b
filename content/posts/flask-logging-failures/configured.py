"""Configure logging first, create the app second."""

from logging.config import dictConfig

from flask import Flask

import payments

# ANCHOR: config
dictConfig({
    "version": 1,
    # Keep the loggers that exist already (payments.log here, gunicorn's own
    # under gunicorn): the default, True, silences every one of them.
    "disable_existing_loggers": False,
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "wsgi": {
            "class": "logging.StreamHandler",
            "stream": "ext://flask.logging.wsgi_errors_stream",
            "formatter": "line",
        },
    },
    "root": {"level": "INFO", "handlers": ["wsgi"]},
})

app = Flask("shop")
# ANCHOR_END: config


@app.get("/order/<int:n>")
def order(n: int) -> str:
    app.logger.info("order #%d received", n)
    if not payments.charge(n, 75_000):
        return "payment declined\n"
    return "ok\n"


if __name__ == "__main__":
    app.test_client().get("/order/1")
    print(f"app.logger handlers: {app.logger.handlers}")
