"""app.logger writes through the handlers of gunicorn's error log."""

import logging

from shop import create_app

app = create_app()

gunicorn_error = logging.getLogger("gunicorn.error")
if gunicorn_error.handlers:  # none outside gunicorn: keep Flask's default
    app.logger.handlers = list(gunicorn_error.handlers)  # a copy, not the same list
    app.logger.setLevel(gunicorn_error.level)
