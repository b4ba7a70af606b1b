"""An INFO line that is missing, then doubled."""

import logging

from flask import Flask

app = Flask("shop")


@app.get("/order/<int:n>")
def order(n: int) -> str:
    app.logger.info("order #%d received", n)
    return "ok\n"


def check(step: str) -> None:
    print(f"--- {step}: app.logger level "
          f"{logging.getLevelName(app.logger.getEffectiveLevel())}", flush=True)
    app.test_client().get(f"/order/{step[0]}")
    print(f"    handlers: app.logger {app.logger.handlers},"
          f" root {logging.getLogger().handlers}", flush=True)


check("1 as created")
logging.basicConfig(level=logging.INFO)
check("2 after basicConfig(level=INFO)")
