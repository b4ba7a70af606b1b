"""A tiny Flask app shared by every server scenario of the post."""

from flask import Flask, current_app

# Fixed-width fields (the pid is padded to 7 digits) keep every line of a
# given request number the same length, so file sizes do not depend on pids.
LINE_FORMAT = "%(asctime)s %(levelname)s [pid %(process)7d] %(name)s: %(message)s"


def create_app() -> Flask:
    app = Flask("shop")

    @app.get("/hit/<int:n>")
    def hit(n: int) -> str:
        current_app.logger.info("hit #%05d", n)
        return "ok\n"

    return app
