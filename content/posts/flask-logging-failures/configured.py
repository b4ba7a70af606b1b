"""Configure logging first, create the app second."""

from logging.config import dictConfig

from flask import Flask

# ANCHOR: config
dictConfig({
    "version": 1,
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
    app.logger.warning("order #%d is out of stock", n)
    return "ok\n"


if __name__ == "__main__":
    app.test_client().get("/order/1")
    print(f"app.logger handlers: {app.logger.handlers}")
