"""The classic recipe: a RotatingFileHandler on app.logger."""

import logging
from logging.handlers import RotatingFileHandler

from flask.logging import default_handler

from shop import LINE_FORMAT, create_app

app = create_app()

handler = RotatingFileHandler("app.log", maxBytes=16 * 1024, backupCount=3)
handler.setFormatter(logging.Formatter(LINE_FORMAT))
app.logger.addHandler(handler)
app.logger.removeHandler(default_handler)
app.logger.setLevel(logging.INFO)
