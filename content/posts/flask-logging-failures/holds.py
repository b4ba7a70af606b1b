"""holds.py PROPERTY [N]: whether drive.py's last N counts in drive.json (default 1)
each show the property a run is about; exit status 0 if they do, 1 with the counts if not.

holes: at least one request newer than the oldest kept line left no line,
    and logging reported no error.
no-holes: none did, and the newest request's line is there.
all: every request's line is there, every worker logged its exit, no logging error.
rotated: all, and logrotate renamed the file at least 50 times.
muted: every request's line is there and no worker logged its exit.
"""
import json
import sys

PROPERTIES = {
    "holes": lambda c: c["holes"] > 0 and c["logging_errors"] == 0,
    "no-holes": lambda c: c["holes"] == 0 and c["newest"] == c["requests"],
    "all": lambda c: c["kept"] == c["requests"] and c["worker_exits"] == c["workers"]
    and c["logging_errors"] == 0,
    "rotated": lambda c: PROPERTIES["all"](c) and c["rotations"] >= 50,
    "muted": lambda c: c["kept"] == c["requests"] and c["worker_exits"] == 0,
}
if len(sys.argv) not in (2, 3) or sys.argv[1] not in PROPERTIES \
        or (len(sys.argv) == 3 and not sys.argv[2].isdigit()):
    sys.exit("usage: python holds.py " + "|".join(PROPERTIES) + " [N]")
last = int(sys.argv[2]) if len(sys.argv) == 3 else 1
with open("drive.json") as f:
    history = json.load(f)[-last:]
failing = [counts for counts in history if not PROPERTIES[sys.argv[1]](counts)]
if len(history) < last or failing:
    sys.exit(f"not {sys.argv[1]}: {failing or history}")
