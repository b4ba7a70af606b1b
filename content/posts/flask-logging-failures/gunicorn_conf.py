"""Used as gunicorn --config gunicorn_conf.py."""

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s [pid %(process)7d] %(name)s: %(message)s"},
    },
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "line"},
    },
    "root": {"level": "INFO", "handlers": ["stderr"]},
    "loggers": {
        # No "level": one here would override --log-level, applied before this.
        "gunicorn.error": {"propagate": True},
        # Any logconfig_dict switches the access log on; WARNING drops it (the proxy logs requests).
        "gunicorn.access": {"level": "WARNING"},
    },
}
