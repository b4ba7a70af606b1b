"""gunicorn --config gunicorn_conf.py: one logging set-up for gunicorn and the app."""

# Each top-level key replaces gunicorn's default value for it, whole.
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
        # No "level": this runs after gunicorn has set it from --log-level.
        "gunicorn.error": {"propagate": True},
        # Any logconfig_dict switches the access log on; its lines are INFO.
        "gunicorn.access": {"level": "WARNING"},
    },
}
