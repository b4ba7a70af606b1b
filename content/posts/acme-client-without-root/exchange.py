"""Draw the ACME exchange as a sequence diagram from the client's own requests.

Runs acme_client.main() twice for a separate state directory (a first issuance,
then a renewal check), recording every HTTP exchange. One request is sent with
a nonce the CA never issued, to record the badNonce retry. Lab only.
Usage: exchange.py CONFIG.json
"""
import contextlib
import io
import json
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import acme_client  # noqa: E402

with open(sys.argv[1]) as f:
    cfg = dict(json.load(f), state="demo-state")
cfg["reload"] = ["true"]  # no nginx to reload for this state
with open("demo.json", "w") as f:
    json.dump(cfg, f)

rows = []  # (run, method, name, status, problem)
real_http = acme_client.Acme.http
stale = {"pending": True}
NAMES = [("/dir", "directory"), ("/nonce-plz", "newNonce"), ("/sign-me-up", "newAccount"),
         ("/order-plz", "newOrder"), ("/authZ/", "authorization"), ("/chalZ/", "challenge"),
         ("/my-order/", "order"), ("/finalize-order/", "finalize"), ("/certZ/", "certificate"),
         ("/renewalInfo/", "renewalInfo")]


def recording_http(self, method, url, body=None, accept="application/json"):
    name = next((n for p, n in NAMES if p in url), url)
    status, headers, data = real_http(self, method, url, body, accept)
    if name == "newAccount" and stale["pending"]:  # the next request, newOrder, gets it
        self.nonce, stale["pending"] = "bm90LWEtbm9uY2UtZnJvbS10aGUtQ0E", False
    problem = ""
    if status >= 400:
        problem = json.loads(data).get("type", "").rsplit(":", 1)[-1]
    row = (run, method, name, status, problem)
    if rows and rows[-1][:5] == row:  # a repeated request (a poll) is drawn once
        rows[-1] = (*row, rows[-1][5] + 1)
    else:
        rows.append((*row, 1))
    return status, headers, data


acme_client.Acme.http = recording_http
# main() keeps its state lock until the process exits; both runs here share one process.
acme_client.fcntl.flock = lambda fd, operation: None
class Log(io.StringIO):
    """Captures a run's output; main() reconfigures stdout, which a StringIO cannot."""
    def reconfigure(self, **options):
        pass


said = {}  # the lines each run printed: its outcome is among them
for run in ("first run: a new certificate", "next run: is it due?"):
    with contextlib.redirect_stdout(Log()) as log:
        try:
            acme_client.main(["acme_client.py", "demo.json"])
        except acme_client.Failure as failure:
            sys.exit(f"exchange.py: {failure.message}")
    print(log.getvalue(), end="")
    said[run] = log.getvalue().splitlines()

# The CA's fetches of the challenge files, from nginx's access log.
with open("lab/nginx/access.log") as f:
    tokens = re.findall(r"GET /\.well-known/acme-challenge/(\S+) ", f.read())
answered = sum(1 for r in rows if r[2] == "challenge")
counts = {t: tokens.count(t) for t in list(dict.fromkeys(tokens))[-answered:]}

plt.rcParams["svg.hashsalt"] = "acme-exchange"
lanes = {"client": 0.0, "CA": 1.0, "nginx": 1.6}
steps = []
polls = {"authorization": "poll until valid", "order": "poll until ready"}
def outcome(run: str) -> str:
    """What the client did at the end of the run, from what it printed."""
    if any("installed" in line for line in said[run]):
        return "client: key and chain installed"
    return f"client: {said[run][-1].rsplit(': ', 1)[-1]}, no order"


for i, (run, method, name, status, problem, times) in enumerate(rows):
    if i == 0 or rows[i - 1][0] != run:
        if i:
            steps.append(("note", outcome(rows[i - 1][0])))
        steps.append(("run", run))
        polls["order"] = "poll until ready"
    label = f"{method} {name}"
    if name == "authorization" and rows[i - 1][2] == "newOrder":
        label += f" ×{times}, one per name"  # as many as the order has names
    elif name in ("authorization", "order"):
        label += f" ({polls[name]}{f', ×{times}' if times > 1 else ''})"
        polls["order"] = "poll until valid" if name == "order" else polls["order"]
    steps.append(("req", label, f"{status} {problem}".strip()))
    if name == "challenge" and counts:
        token, n = next(iter(counts.items()))
        del counts[token]
        steps.append(("fetch", f"GET /.well-known/acme-challenge/… ×{n}"))
steps.append(("note", outcome(rows[-1][0])))
ROW = 0.42  # inches per step: a request above, its response below
fig, ax = plt.subplots(figsize=(6.4, ROW * len(steps) + 0.6))
top = len(steps)
for lane, x in lanes.items():
    ax.text(x, top + 0.3, lane, ha="center", fontsize=9, weight="bold")
    ax.plot([x, x], [-0.5, top], color="#999999", lw=0.8)
for k, step in enumerate(steps):
    y = top - 1 - k
    if step[0] == "run":
        ax.text(-0.05, y, step[1], fontsize=8, style="italic", color="#333333")
    elif step[0] == "note":
        ax.text(0.03, y, step[1], fontsize=7, style="italic", color="#1f3f6f")
    elif step[0] == "fetch":
        ax.annotate("", xy=(lanes["nginx"], y), xytext=(lanes["CA"], y),
                    arrowprops={"arrowstyle": "->", "color": "#1f6f3f"})
        ax.text(1.3, y + 0.1, step[1], ha="center", fontsize=6.5, color="#1f6f3f")
    else:  # the request, then the answer as a dashed arrow back
        bad = not step[2].startswith(("2", "3"))
        color = "#b22222" if bad else "#1f3f6f"
        ax.annotate("", xy=(lanes["CA"], y + 0.2), xytext=(lanes["client"], y + 0.2),
                    arrowprops={"arrowstyle": "->", "color": color})
        ax.text(0.03, y + 0.28, step[1], fontsize=7)
        ax.annotate("", xy=(lanes["client"], y - 0.22), xytext=(lanes["CA"], y - 0.22),
                    arrowprops={"arrowstyle": "->", "color": color, "linestyle": "--", "lw": 0.8})
        ax.text(0.5, y - 0.14, step[2], fontsize=6.5, ha="center", color=color)
ax.set_xlim(-0.1, 1.75)
ax.set_ylim(-0.7, top + 0.7)
ax.axis("off")
fig.tight_layout()
fig.savefig("exchange.svg", metadata={"Date": None})
for step in steps:  # the data drawn
    print({"run": "# {}", "req": "{} -> {}", "fetch": "    CA -> nginx: {}",
           "note": "    {}"}[step[0]].format(*step[1:]))
