"""holds.py leak|flat: whether drive.py's last measurement (rss.json) shows the leak
or its absence; exit status 0 if it does, 1 with the figures if not.

"flat": every kind grew by less than FLAT_BYTES per run.  "leak": the gets
stayed flat while both walks grew by at least LEAK_BYTES per run.
"""
import json
import sys
from pathlib import Path

FLAT_BYTES = 128
LEAK_BYTES = 1024

if len(sys.argv) != 2 or sys.argv[1] not in ("leak", "flat"):
    sys.exit("usage: python holds.py leak|flat")
growth = json.loads(Path("rss.json").read_text())
flat = {kind: per_run < FLAT_BYTES for kind, per_run in growth.items()}
if sys.argv[1] == "flat":
    held = all(flat.values())
else:
    held = flat["get"] and all(growth[kind] >= LEAK_BYTES for kind in ("walk", "bulkwalk"))
if not held:
    sys.exit(f"not {sys.argv[1]}: growth per run in bytes {growth}")
