"""Lab check: 4 processes log long tracebacks through jsonlog.py into one pipe."""
import logging
import sys

from jsonlog import JSONFormatter


def charge(step):  # each step re-raises: a chained traceback of about 10 KiB
    try:
        if step:
            charge(step - 1)
        else:
            raise ValueError("card declined")
    except (ValueError, RuntimeError) as err:
        raise RuntimeError(f"step {step} failed") from err


if __name__ == "__main__":
    handler = logging.StreamHandler()  # stderr, a pipe shared with the other processes
    handler.setFormatter(JSONFormatter())
    logging.basicConfig(handlers=[handler])
    for i in range(int(sys.argv[1])):
        try:
            charge(20)
        except RuntimeError:
            logging.exception("order #%d failed", i, extra={"order": i})
