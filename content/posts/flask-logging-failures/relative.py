"""A log file named relative to wherever the process happens to start."""

import logging
import os

from flask import Flask

app = Flask("shop")

# ANCHOR: handler
handler = logging.FileHandler("app.log")  # relative to the working directory
app.logger.addHandler(handler)
app.logger.setLevel(logging.INFO)
# ANCHOR_END: handler


@app.get("/")
def index() -> str:
    app.logger.info("home page served")
    return "ok\n"


if __name__ == "__main__":
    app.test_client().get("/")
    print(f"working directory: {os.getcwd()}")
    print(f"app.root_path:     {app.root_path}")
    print(f"log written to:    {handler.baseFilename}")
