"""holds.py holes|no-holes|all|muted: whether drive.py's last count (drive.json)
shows the property a run is about; exit status 0 if it does, 1 with the counts if not.

holes: at least one request newer than the oldest kept line left no line.
no-holes: none did, and the newest request's line is there.
all: every request's line is there and every worker logged its exit.
muted: every request's line is there and no worker logged its exit.
"""
import json
import sys

counts = json.load(open("drive.json"))
everything = counts["kept"] == counts["requests"]
properties = {
    "holes": counts["holes"] > 0,
    "no-holes": counts["holes"] == 0 and counts["newest"] == counts["requests"],
    "all": everything and counts["worker_exits"] == counts["workers"],
    "muted": everything and counts["worker_exits"] == 0,
}
if len(sys.argv) != 2 or sys.argv[1] not in properties:
    sys.exit("usage: python holds.py " + "|".join(properties))
if not properties[sys.argv[1]]:
    sys.exit(f"not {sys.argv[1]}: {counts}")
