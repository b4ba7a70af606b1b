"""Configure logging first, to stderr, then create the app."""

from logging.config import dictConfig

import payments
from shop import LINE_FORMAT, create_app

dictConfig({
    "version": 1,
    "disable_existing_loggers": False,  # keep payments' and gunicorn's loggers
    "formatters": {"line": {"format": LINE_FORMAT}},
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "line"},
    },
    "root": {"level": "INFO", "handlers": ["stderr"]},
})

app = create_app()

if __name__ == "__main__":
    app.test_client().get("/hit/1")
    payments.charge(2, 75_000)
    print(f"handlers on app.logger: {app.logger.handlers}")
