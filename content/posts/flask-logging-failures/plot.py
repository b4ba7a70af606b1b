"""plot.py OUT.svg: one bar per measurement in drive.json (drive.py appends them):
requests whose line was kept, whose line is missing among the kept ones (a hole),
and whose line is older than the oldest line kept, with how many workers logged
their exit.  For a set-up run several times, it also prints how many of the newest
requests kept their line, as many as the same set-up kept with one worker."""
import json
import sys
from collections import Counter

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - after choosing the backend

SET_UPS = {  # (app, gunicorn config) -> label
    ("app_rotating", None): "RotatingFileHandler",
    ("app_rotating10", None): "RotatingFileHandler, 10 backups",
    ("muted", None): "dictConfig, its defaults",
    ("app_stderr", None): "stderr, dictConfig first",
    ("shop:create_app()", "gunicorn_conf.py"): "gunicorn's logconfig_dict",
    ("app_queue", None): "QueueHandler, JSON lines",
    ("app_watched", None): "WatchedFileHandler + logrotate",
}
COLOURS = (("line kept", "#1f4e9e"),
           ("no line, newer than the oldest kept (hole)", "#c0392b"),
           ("no line, older than the oldest kept", "#b8b8b8"))


def span(low, high) -> str:
    """'594–764', or '2449' when both ends are the same."""
    return f"{low}" if low == high else f"{low}–{high}"


def newest_kept(history: list[dict], names: list[str]) -> dict[str, tuple[int, list[int]]]:
    """For set-ups run several times: N, what the same app kept with one worker,
    and per run how many of the newest N requests left a line."""
    cap = {m["app"]: m["kept"] for m in history if m["workers"] == 1}
    result: dict[str, tuple[int, list[int]]] = {}
    for name, m in zip(names, history):
        if ", run " in name and m["app"] in cap:
            oldest = m["requests"] - cap[m["app"]] + 1
            result.setdefault(name.rsplit(", run ", 1)[0], (cap[m["app"]], []))[1].append(
                sum(1 for n in m["numbers"] if n >= oldest))
    return result


def bars(history: list[dict]) -> list[tuple[str, int, int, int, str]]:
    """(label, kept, holes, older, note) per measurement; repeated set-ups numbered."""
    names = [f"{SET_UPS.get((m['app'], m['config']), m['app'])}, {m['workers']} "
             f"worker{'s' if m['workers'] > 1 else ''}{', --preload' if m.get('preload') else ''}"
             for m in history]
    total, seen = Counter(names), Counter()
    result = []
    for name, m in zip(names, history):
        seen[name] += 1
        if total[name] > 1:
            name = f"{name}, run {seen[name]}"
        older = m["requests"] - m["kept"] - m["holes"]
        result.append((name, m["kept"], m["holes"], older,
                       f"{m['requests']:,} requests, {m['worker_exits']} of {m['workers']} "
                       "exits logged"))
    return result


def main() -> int:
    if len(sys.argv) != 2 or not sys.argv[1].endswith(".svg"):
        sys.exit("usage: python plot.py OUT.svg  (reads drive.json)")
    try:
        with open("drive.json") as f:
            history = json.load(f)
        rows = bars(history)
    except (OSError, ValueError, KeyError, TypeError) as err:
        sys.exit(f"cannot read drive.py's counts from drive.json: {err}")
    plt.rcParams["svg.hashsalt"] = "flask-logging-lines"  # stable element ids
    figure, ax = plt.subplots(figsize=(9, 1.3 + 0.34 * len(rows)))
    positions = list(range(len(rows)))
    left = [0.0] * len(rows)
    for index, (name, colour) in enumerate(COLOURS, start=1):
        # shares, not counts: the logrotate run sent five times more requests
        widths = [100 * row[index] / sum(row[1:4]) for row in rows]
        ax.barh(positions, widths, left=left, color=colour, label=name, height=0.7)
        left = [a + b for a, b in zip(left, widths)]
    for position, row in zip(positions, rows):
        # x in axes units: the note sits right of the frame, y on its bar
        ax.text(1.02, position, row[4], va="center", fontsize=8,
                transform=ax.get_yaxis_transform())
    ax.set_yticks(positions, [row[0] for row in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xticks(range(0, 101, 20))
    ax.set_xlabel("share of the run's requests (%), each logging one line")
    ax.legend(loc="upper center", bbox_to_anchor=(0.45, -0.9 / (1.3 + 0.34 * len(rows))),
              ncol=3, frameon=False, fontsize=8)
    figure.tight_layout()
    figure.savefig(sys.argv[1], metadata={"Date": None})
    for name, kept, holes, older, exits in rows:
        print(f"{name}: {kept} kept, {holes} missing, {older} older; {exits}")
    for name, (cap, kept) in newest_kept(history, [row[0] for row in rows]).items():
        share = (f"{100 * n / cap:.0f}" for n in (min(kept), max(kept)))
        print(f"{name}: {len(kept)} runs, of the newest {cap} requests "
              f"{span(min(kept), max(kept))} kept a line ({span(*share)} %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
