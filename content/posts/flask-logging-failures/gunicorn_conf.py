"""gunicorn settings (gunicorn --config gunicorn_conf.py): one logging set-up
for gunicorn's loggers and the application's, made before the workers start."""

logconfig_dict = {
    # gunicorn updates its own defaults with these keys, one level deep: a
    # "handlers" or "loggers" given here replaces all of gunicorn's, so give
    # every key.
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s [pid %(process)7d] %(name)s: %(message)s"},
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": "line",
        },
    },
    "root": {"level": "INFO", "handlers": ["stderr"]},
    "loggers": {  # gunicorn's loggers write through root, in the same format
        "gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
        "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": True},
    },
}
