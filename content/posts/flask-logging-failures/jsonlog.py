"""One JSON object per line."""

import json
import logging
from datetime import UTC, datetime

# LogRecord's own attributes, which extra={...} may not reuse (KeyError).
STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "pid": record.process,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:  # once, as Formatter does
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:  # a SocketHandler sends it without exc_info
            entry["traceback"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        for key, value in vars(record).items():
            if key not in STANDARD:
                # extra={"level": ...} must not overwrite the entry's own field
                entry[f"extra_{key}" if key in entry else key] = value
        line = json.dumps(entry, default=str)  # ASCII only
        # Under PIPE_BUF (4,096 bytes), one pipe write: cuts the traceback's start,
        # keeping its end, which names the error. A long message is not cut.
        over = len(line) - 3990
        if over > 0 and record.exc_text:
            entry["traceback"] = "[cut]" + entry["traceback"][over + 5:]
            line = json.dumps(entry, default=str)
        return line
