"""Where did my INFO lines go, and why are they doubled once they show up?"""

import logging

from flask import Flask

app = Flask("shop")


@app.get("/order/<int:n>")
def order(n: int) -> str:
    app.logger.info("order #%d received", n)
    app.logger.warning("order #%d is out of stock", n)
    return "ok\n"


def step(title: str) -> None:
    print(f"--- {title}", flush=True)


def show_loggers() -> None:
    level = logging.getLevelName(app.logger.getEffectiveLevel())
    print(f"    app.logger: level {level}, handlers {app.logger.handlers}")
    print(f"    root:       handlers {logging.getLogger().handlers}", flush=True)


client = app.test_client()

step(f"1. out of the box (debug={app.debug})")
client.get("/order/1")
show_loggers()

step("2. after logging.basicConfig(level=logging.INFO)")
logging.basicConfig(level=logging.INFO)
client.get("/order/2")
show_loggers()
