"""Flask's logger writes through the handlers gunicorn set up for its error log."""

import logging

from shop import create_app

app = create_app()

gunicorn_error = logging.getLogger("gunicorn.error")
if gunicorn_error.handlers:  # empty outside gunicorn: keep Flask's default there
    app.logger.handlers = gunicorn_error.handlers
    app.logger.setLevel(gunicorn_error.level)
