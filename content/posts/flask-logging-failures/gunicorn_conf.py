"""gunicorn --config gunicorn_conf.py: one logging set-up for gunicorn and the app."""

# gunicorn updates its defaults with these keys one level deep: give them all.
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
    "loggers": {  # gunicorn's own loggers write through root
        "gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
        "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": True},
    },
}
