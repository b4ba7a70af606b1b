"""Each request logs its number."""

from flask import Flask, current_app

# The pid is padded to 7 digits, so a line's length depends only on n.
LINE_FORMAT = "%(asctime)s %(levelname)s [pid %(process)7d] %(name)s: %(message)s"


def create_app() -> Flask:
    app = Flask("shop")

    @app.get("/hit/<int:n>")
    def hit(n: int) -> str:
        current_app.logger.info("hit #%05d", n)
        return "ok\n"

    return app
