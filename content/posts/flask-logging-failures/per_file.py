"""For each rotated file: how many lines, which requests, written by which pids."""

import re
import sys

LINE = re.compile(r"\[pid +(\d+)\] shop: hit #(\d+)")

for name in sys.argv[1:]:
    with open(name) as f:
        found = [m for m in map(LINE.search, f) if m]
    numbers = [int(m.group(2)) for m in found]
    pids = sorted({m.group(1) for m in found})
    print(f"{name:10} {len(numbers):4} lines  #{min(numbers):04}..#{max(numbers):04}"
          f"  from {len(pids)} pid(s)")
