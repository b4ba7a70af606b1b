"""Draw Zpark's two flows as a sequence diagram, from Zpark's own debug log.

    /usr/bin/python3 flow.py ZPARK_LOG OUT.svg

ZPARK_LOG is gunicorn's output with ZPARK_LOG_LEVEL=DEBUG: a "received:" line
for each request and a line for each call Zpark makes, each line naming its
process and thread. A thread handles one request at a time, so its lines
after "received:" belong to that request. A command runs in a pool thread: its
lines after "command started: ID" belong to the request that queued ID. The first alert and the first command
that asked Zabbix are drawn, each with the delivery of the bot's own message.
"""
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

WEBEX = "Webex (stand-in)"  # the lab's fake Webex, not the real service
ACTORS = ["Zabbix server", "Zpark", "Zabbix API", WEBEX, "Person in the room"]
LINE = re.compile(r"^\S+ \S+ (?P<pid>\d+/\d+) (?P<name>zpark\S*) \w+ (?P<message>.*)$")


def requests_in(log_path):
    """[(inbound, [outbound, ...])] in the order the requests arrived."""
    current, handled, queued = {}, [], {}
    with open(log_path, encoding="utf-8") as log:
        for match in filter(None, map(LINE.match, log)):
            pid, message = match["pid"], match["message"]
            if message.startswith("received: "):
                current[pid] = (message.removeprefix("received: "), [])
                handled.append(current[pid])
            elif message.startswith("command queued: ") and pid in current:
                queued[message.removeprefix("command queued: ")] = current[pid]
            elif message.startswith("command started: "):
                current[pid] = queued[message.removeprefix("command started: ")]
            elif pid in current:
                current[pid][1].append(message)
    return handled


def arrow(call):
    """An outbound call as (to, label)."""
    if call.startswith("zabbix api: "):
        return "Zabbix API", call.removeprefix("zabbix api: ")
    method, path = call.removeprefix("webex: ").split(" ", 1)
    return WEBEX, f"{method} /v1" + re.sub(r"/messages/\S+", "/messages/{id}", path)


def own_message(handled, after):
    """The first delivery after request number `after` that Zpark dropped without a call."""
    found = [r for r in handled[after + 1:] if r == ("POST /webex", [])]
    if not found:
        raise SystemExit("flow.py: no delivery of the bot's own message in the log")
    return found[0]


def steps(handled):
    alert = next(n for n, r in enumerate(handled) if r[0] == "POST /alerts")
    command = next(n for n, r in enumerate(handled) if r[0] == "POST /webex"
                   and any(c.startswith("zabbix api: ") for c in r[1]))
    own = "POST /webex (own message, dropped; stand-in)"
    # The last element says whether Zpark's log shows the arrow; what happens
    # between Webex and the room is outside it, drawn dashed.
    yield "An alert: the media type's script calls Zpark"
    yield ("Zabbix server", "Zpark", handled[alert][0], True)
    yield from (("Zpark", *arrow(call), True) for call in handled[alert][1])
    yield (WEBEX, "Person in the room", "the alert", False)
    own_message(handled, alert)
    yield (WEBEX, "Zpark", own, True)
    yield "A command: Webex calls the bot's webhook"
    yield ("Person in the room", WEBEX, "@Zpark show issues", False)
    yield (WEBEX, "Zpark", handled[command][0], True)
    yield from (("Zpark", *arrow(call), True) for call in handled[command][1])
    yield (WEBEX, "Person in the room", "the answer", False)
    own_message(handled, command)
    yield (WEBEX, "Zpark", own, True)


def draw(plan, out):
    plt.rcParams["svg.hashsalt"] = "zpark-flow"
    plt.rcParams["font.size"] = 9
    x = {name: index * 1.9 for index, name in enumerate(ACTORS)}
    figure, axes = plt.subplots(figsize=(8.4, 0.36 * (len(plan) + 2)))
    axes.set_axis_off()
    for name in ACTORS:
        axes.text(x[name], 0, name, ha="center", va="center", fontweight="bold",
                  bbox={"boxstyle": "round,pad=0.35", "fc": "#f2f2f2", "ec": "#555555"})
    y = -0.7
    for step in plan:
        if isinstance(step, str):
            axes.text(x[ACTORS[0]] - 0.8, y, step, ha="left", va="center",
                      style="italic", color="#333333")
            y -= 0.5
            continue
        source, target, label, logged = step
        axes.annotate("", xy=(x[target], y), xytext=(x[source], y),
                      arrowprops={"arrowstyle": "-|>", "color": "#1f4e79", "lw": 1.2,
                                  "linestyle": "-" if logged else "--"})
        axes.text((x[source] + x[target]) / 2, y + 0.1, label, ha="center", va="bottom")
        y -= 0.55
    for name in ACTORS:
        axes.plot([x[name], x[name]], [-0.25, y + 0.2], color="#aaaaaa", lw=0.8, ls="--",
                  zorder=0)
    axes.set_xlim(x[ACTORS[0]] - 0.9, x[ACTORS[-1]] + 0.9)
    axes.set_ylim(y + 0.1, 0.35)
    figure.tight_layout()
    figure.savefig(out, metadata={"Date": None}, facecolor="white")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    plan = list(steps(requests_in(sys.argv[1])))
    for step in plan:
        print(step if isinstance(step, str)
              else f"  {step[0]} -> {step[1]}: {step[2]}" + ("" if step[3] else " (not logged)"))
    draw(plan, sys.argv[2])
