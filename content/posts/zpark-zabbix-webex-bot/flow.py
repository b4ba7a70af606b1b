"""Draw Zpark's two message flows as a sequence diagram: /usr/bin/python3 flow.py OUT.svg"""
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

ACTORS = ["Zabbix server", "Zabbix API", "Zpark", "Webex", "Person in the room"]
# (from, to, label); None starts a new phase with that title.
STEPS = [
    None, "An alert (the webhook media type)",
    ("Zabbix server", "Zpark", "POST /alerts  (X-Zpark-Token)"),
    ("Zpark", "Zabbix API", "event.get: the events' times"),
    ("Zpark", "Webex", "POST /v1/messages  (Markdown)"),
    ("Webex", "Person in the room", "PROBLEM … in the room"),
    None, "A command (the bot's webhook)",
    ("Person in the room", "Webex", "@Zpark show issues"),
    ("Webex", "Zpark", "POST /webex  (signed event, no text)"),
    ("Zpark", "Webex", "GET /v1/messages/{id}"),
    ("Zpark", "Zabbix API", "problem.get, trigger.get  (Bearer token)"),
    ("Zpark", "Webex", "POST /v1/messages  (the answer)"),
    ("Webex", "Person in the room", "the answer in the room"),
]

plt.rcParams["svg.hashsalt"] = "zpark-flow"
plt.rcParams["font.size"] = 9
x = {name: index * 1.9 for index, name in enumerate(ACTORS)}
rows = len(STEPS) - STEPS.count(None)
phases = STEPS.count(None)
figure, axes = plt.subplots(figsize=(8.4, 0.36 * (rows + phases + 2)))
axes.set_axis_off()
top = 0.0
for name in ACTORS:
    axes.text(x[name], top, name, ha="center", va="center", fontweight="bold",
              bbox={"boxstyle": "round,pad=0.35", "fc": "#f2f2f2", "ec": "#555555"})
y = top - 0.7
steps = iter(STEPS)
for step in steps:
    if step is None:
        axes.text(x[ACTORS[0]] - 0.8, y, next(steps), ha="left", va="center",
                  style="italic", color="#333333")
        y -= 0.5
        continue
    source, target, label = step
    axes.annotate("", xy=(x[target], y), xytext=(x[source], y),
                  arrowprops={"arrowstyle": "-|>", "color": "#1f4e79", "lw": 1.2})
    middle = (x[source] + x[target]) / 2
    axes.text(middle, y + 0.1, label, ha="center", va="bottom", color="#111111")
    y -= 0.55
bottom = y + 0.2
for name in ACTORS:
    axes.plot([x[name], x[name]], [top - 0.25, bottom], color="#aaaaaa", lw=0.8, ls="--",
              zorder=0)
axes.set_xlim(x[ACTORS[0]] - 0.9, x[ACTORS[-1]] + 0.9)
axes.set_ylim(bottom - 0.1, top + 0.35)
figure.tight_layout()
figure.savefig(sys.argv[1], metadata={"Date": None}, transparent=False, facecolor="white")
print("\n".join(f"{s[0]} -> {s[1]}: {s[2]}" for s in STEPS if isinstance(s, tuple)))
