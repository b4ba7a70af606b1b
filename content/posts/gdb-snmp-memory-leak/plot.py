"""plot.py BEFORE.json AFTER.json OUT.svg: draw snmpd's RSS growth against runs of
each kind of request, before and after the fix, from drive.py's rss-series.json files."""
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - after choosing the backend

STYLE = {"get": ("#1b6e3a", "-"), "walk": ("#b3261e", "-"), "bulkwalk": ("#1f4e9e", "--")}


def load(path: str) -> dict:
    try:
        series = json.loads(Path(path).read_text())
    except (OSError, ValueError) as err:
        sys.exit(f"cannot read {path}: {err}")
    if not isinstance(series, dict) or not all(kind in series for kind in STYLE):
        sys.exit(f"{path} is not drive.py's rss-series.json")
    return series


def main() -> int:
    if len(sys.argv) != 4 or not sys.argv[3].endswith(".svg"):
        sys.exit("usage: python plot.py BEFORE.json AFTER.json OUT.svg")
    panels = {"before the fix": load(sys.argv[1]), "after the fix": load(sys.argv[2])}
    plt.rcParams["svg.hashsalt"] = "gdb-snmp-rss"  # stable element ids
    figure, axes = plt.subplots(1, 2, figsize=(8, 3.4), sharey=False)
    for ax, (title, series) in zip(axes, panels.items()):
        for kind in ("walk", "bulkwalk", "get"):  # get last: on top where lines meet
            colour, line = STYLE[kind]
            runs, grown = zip(*series[kind])
            ax.plot(runs, grown, line, color=colour, label=kind, linewidth=1.8,
                    marker="o" if kind == "get" else None, markersize=3)
        ax.set_title(title)
        ax.set_xlabel("runs of each kind")
        ax.grid(True, color="#dddddd", linewidth=0.6)
    axes[0].set_ylabel("RssAnon growth (kB)")
    for ax in axes:
        ax.legend(loc="upper left", frameon=False)
    figure.tight_layout()
    figure.savefig(sys.argv[3], metadata={"Date": None})
    points = sum(len(points) for series in panels.values() for points in series.values())
    print(f"{sys.argv[3]}: {points} readings, 3 kinds of request, before and after the fix")
    return 0


if __name__ == "__main__":
    sys.exit(main())
