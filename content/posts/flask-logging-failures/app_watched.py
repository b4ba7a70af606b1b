"""Every worker appends to one file and reopens it once moved."""

import os
import sys
from logging.config import dictConfig

from shop import LINE_FORMAT, create_app


def fail(message):
    print(message, file=sys.stderr)
    # 4 is gunicorn's APP_LOAD_ERROR: the master stops too. By gunicorn's
    # source, a worker exiting 1 is replaced, forever.
    sys.exit(4)


# Absolute: a relative path would follow whoever starts the process.
LOG_FILE = os.environ.get("SHOP_LOG_FILE", "")
if not os.path.isabs(LOG_FILE):
    fail(f"SHOP_LOG_FILE must be an absolute path, got {LOG_FILE!r}")

try:
    dictConfig({
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"line": {"format": LINE_FORMAT}},
        "handlers": {
            "file": {"class": "logging.handlers.WatchedFileHandler",
                     "filename": LOG_FILE, "formatter": "line"},
        },
        "root": {"level": "INFO", "handlers": ["file"]},
    })
except ValueError as exc:  # else a long traceback, its last line naming no file
    fail(f"cannot open SHOP_LOG_FILE: {exc.__cause__ or exc}")

app = create_app()
