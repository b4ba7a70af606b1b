"""plot.py OUT.svg LABEL=drive.json ...: one bar per set-up, from drive.py's counts:
requests whose line was kept, whose line is missing among the kept ones (a hole),
and whose line rotation retired on purpose (older than the oldest line kept)."""
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - after choosing the backend


def counts(argument: str) -> tuple[str, int, int, int]:
    label, sep, path = argument.partition("=")
    if not sep or not label:
        sys.exit(f"expected LABEL=FILE, got {argument!r}")
    try:
        data = json.loads(Path(path).read_text())
        kept, holes = int(data["kept"]), int(data["holes"])
        return label, kept, holes, int(data["requests"]) - kept - holes
    except (OSError, ValueError, KeyError, TypeError) as err:
        sys.exit(f"cannot read drive.py's counts from {path}: {err}")


def main() -> int:
    if len(sys.argv) < 3 or not sys.argv[1].endswith(".svg"):
        sys.exit("usage: python plot.py OUT.svg LABEL=drive.json ...")
    bars = [counts(argument) for argument in sys.argv[2:]]
    plt.rcParams["svg.hashsalt"] = "flask-logging-lines"  # stable element ids
    figure, ax = plt.subplots(figsize=(7.5, 1.2 + 0.6 * len(bars)))
    positions = list(range(len(bars)))
    left = [0] * len(bars)
    for index, (name, colour) in enumerate((("line kept", "#1f4e9e"), ("line missing (hole)", "#c0392b"),
                                            ("retired by rotation", "#b8b8b8")), start=1):
        widths = [bar[index] for bar in bars]
        ax.barh(positions, widths, left=left, color=colour, label=name)
        left = [a + b for a, b in zip(left, widths)]
    ax.set_yticks(positions, [bar[0] for bar in bars])
    ax.invert_yaxis()
    ax.set_xlabel("requests")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.35), ncol=3, frameon=False)
    figure.tight_layout()
    figure.savefig(sys.argv[1], metadata={"Date": None})
    for label, kept, holes, retired in bars:
        print(f"{label}: {kept} kept, {holes} missing, {retired} retired")
    return 0


if __name__ == "__main__":
    sys.exit(main())
