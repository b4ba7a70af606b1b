"""drive.py: load snmpd (default 127.0.0.1:1161) with one kind of request at a time
and report how its anonymous resident memory (RssAnon: the resident pages no
file backs, the heap among them) moves with each kind.

    python3 drive.py [--agent HOST:PORT] [--pid PID] RUNS

Each kind runs RUNS times: snmpget of every cell of queueTable (one request),
snmpwalk of the table (one GETNEXT per cell and one past the end), and
snmpbulkwalk of it (one GETBULK). The growth per run of each kind, in bytes,
is also written to rss.json, and RssAnon every SAMPLE_EVERY runs to rss-series.json.
"""
import argparse
import json
import subprocess
import sys
from pathlib import Path

TABLE = "1.3.6.1.4.1.32473.1.1"
CELLS = [f"{TABLE}.1.{column}.{row}" for column in (1, 2) for row in (1, 2, 3)]
SNMP_IN_PKTS = "1.3.6.1.2.1.11.1.0"  # packets snmpd has received
SAMPLE_EVERY = 25  # runs between two RssAnon readings in rss-series.json
KINDS = {
    "get": ["snmpget", *CELLS],
    "walk": ["snmpwalk", TABLE],
    "bulkwalk": ["snmpbulkwalk", TABLE],
}


def snmp(addr: str, tool: str, *oids: str) -> str:
    """Run one SNMP tool against the agent; exit with its error on failure."""
    cmd = [tool, "-v2c", "-c", "public", "-On", "-Oq", addr, *oids]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if result.returncode != 0 or not result.stdout:
        sys.exit(f"{' '.join(cmd)} failed: {result.stderr.strip()}")
    return result.stdout


def packets_in(addr: str) -> int:
    return int(snmp(addr, "snmpget", SNMP_IN_PKTS).split()[-1])


def rss_kb(pid: int) -> int:
    """Anonymous resident memory of process pid, in kB: where a heap leak shows.
    Approximate (proc_pid_status(5)): fine for a trend, not for exact bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1])
    sys.exit(f"no RssAnon for process {pid}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", type=int, help="runs of each kind, at least 100")
    parser.add_argument("--agent", default="127.0.0.1:1161", help="snmpd's HOST:PORT")
    parser.add_argument("--pid", type=int, help="snmpd's pid (default: read ./snmpd.pid)")
    args = parser.parse_args()
    if args.runs < 100:
        parser.error("runs must be at least 100 for RssAnon to mean anything")
    addr = args.agent
    pid = args.pid or int(Path("snmpd.pid").read_text())

    growth, series = {}, {}
    print(f"{'kind':<9} {'runs':>5} {'requests':>9} {'RssAnon before':>14} {'after':>10}"
          f" {'growth':>9} {'per run':>8}")
    for kind, (tool, *oids) in KINDS.items():
        for _ in range(3):  # warm up: first-use allocations are not the point
            snmp(addr, tool, *oids)
        before, packets = rss_kb(pid), packets_in(addr)
        series[kind] = [(0, 0)]  # (runs so far, kB grown since the first reading)
        for done in range(1, args.runs + 1):
            snmp(addr, tool, *oids)
            if done % SAMPLE_EVERY == 0:
                series[kind].append((done, rss_kb(pid) - before))
        requests = packets_in(addr) - packets - 1  # minus the counter read itself
        after = rss_kb(pid)
        growth[kind] = (after - before) * 1024 / args.runs
        print(f"{kind:<9} {args.runs:>5} {requests:>9} {before:>11} kB {after:>7} kB"
              f" {after - before:>+6} kB {growth[kind]:>6.0f} B")

    Path("rss.json").write_text(json.dumps(growth) + "\n")
    Path("rss-series.json").write_text(json.dumps(series) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
