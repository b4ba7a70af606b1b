"""Check the 'Where this fits' recipe under gunicorn's own logger set-up: with
gunicorn.error's handlers *and level* on the root logger, INFO lines of
app.logger and of a module logger arrive once each; with the handlers alone
(root stays at WARNING) both are lost."""

import io
import logging
import sys

import flask
from gunicorn.config import Config
from gunicorn.glogging import Logger


def lines_arriving(copy_level: bool) -> int:
    root = logging.getLogger()
    root.handlers.clear()
    root.setLevel(logging.WARNING)
    cfg = Config()
    cfg.set("loglevel", "info")
    Logger(cfg)  # gunicorn's set-up: a stderr handler on gunicorn.error
    error_log = logging.getLogger("gunicorn.error")
    stream = io.StringIO()
    for handler in error_log.handlers:
        handler.setStream(stream)
    root.handlers[:] = error_log.handlers
    if copy_level:
        root.setLevel(error_log.level)
    app = flask.Flask("shop")
    app.logger.info("app line")
    logging.getLogger("payments").info("payments line")
    text = stream.getvalue()
    return text.count("app line") + text.count("payments line")


with_level, handlers_only = lines_arriving(True), lines_arriving(False)
if (with_level, handlers_only) != (2, 0):
    sys.exit(f"root recipe: {with_level} of 2 lines with the level, {handlers_only} without")
