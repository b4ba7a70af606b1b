"""One JSON object per line."""

import json
import logging
from datetime import UTC, datetime

# Attributes every LogRecord has; any other came from extra={...}.
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
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        for key, value in vars(record).items():
            if key not in STANDARD:
                # extra={"level": ...} must not overwrite the record's own field
                entry[f"extra_{key}" if key in entry else key] = value
        line = json.dumps(entry, default=str)  # ASCII only
        # Cuts the traceback, keeping its end, which names the error, so that its record
        # stays under PIPE_BUF, 4,096 bytes, and one pipe write. A long message is not cut.
        over = len(line) - 3990
        if over > 0 and "traceback" in entry:
            entry["traceback"] = "[cut]" + entry["traceback"][over + 5:]
            line = json.dumps(entry, default=str)
        return line
