"""plot_files.py OUT.svg FILE...: every line left in the rotated files, as a mark
at its request number, on its file's row, coloured by the worker that wrote it;
a last row marks the requests that left no line in any of them."""
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - after choosing the backend

LINE = re.compile(r"\[pid +(\d+)\] shop: hit #(\d+)")
COLOURS = ("#1f4e9e", "#2e8b57", "#8e44ad", "#d68910")  # no red: requests.svg uses it for lost lines


def main() -> int:
    if len(sys.argv) < 3 or not sys.argv[1].endswith(".svg"):
        sys.exit("usage: python plot_files.py OUT.svg FILE...")
    files = sys.argv[2:]
    lines = {}
    for name in files:
        try:
            with open(name) as f:
                lines[name] = [(m.group(1), int(m.group(2))) for m in map(LINE.search, f) if m]
        except OSError as err:
            sys.exit(f"cannot read {name}: {err}")
    pids = sorted({pid for found in lines.values() for pid, _ in found})
    if len(pids) > len(COLOURS):
        sys.exit(f"{len(pids)} workers wrote these files; this plot tells {len(COLOURS)} apart")
    found = {n for kept in lines.values() for _, n in kept}
    lost = sorted(set(range(min(found), max(found) + 1)) - found) if found else []
    plt.rcParams["svg.hashsalt"] = "flask-logging-files"  # stable element ids
    figure, ax = plt.subplots(figsize=(8, 0.9 + 0.45 * (len(files) + 1)))
    ax.scatter(lost, [len(files)] * len(lost), s=30, marker="|", linewidths=0.6,
               color="#222222", label="no line in any file")
    for worker, pid in enumerate(pids):
        dots = [(n, row) for row, name in enumerate(files) for p, n in lines[name] if p == pid]
        ax.scatter([n for n, _ in dots], [row for _, row in dots], s=30, marker="|",
                   linewidths=0.6, color=COLOURS[worker], label=f"worker {worker + 1}")
    ax.set_yticks(range(len(files) + 1), [*files, "no line"], fontsize=8)
    ax.set_ylim(len(files) + 0.5, -1.2)
    ax.set_xlabel("request number")
    ax.legend(loc="upper left", ncol=len(pids) + 1, frameon=False, fontsize=8, markerscale=3)
    figure.tight_layout()
    figure.savefig(sys.argv[1], metadata={"Date": None})
    for name in files:
        numbers = [n for _, n in lines[name]]
        print(f"{name:10} {len(numbers):4} lines  #{min(numbers, default=0):04}.."
              f"#{max(numbers, default=0):04}  from {len({p for p, _ in lines[name]})} worker(s)")
    print(f"no line    {len(lost):4} requests between the oldest and the newest line kept")
    return 0


if __name__ == "__main__":
    sys.exit(main())
