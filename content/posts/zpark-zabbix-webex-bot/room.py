"""Draw the Ops room: each message's Markdown rendered as HTML by Python-Markdown.

    /usr/bin/python3 room.py STANDIN_URL OUT.svg

Reads the room from the Webex stand-in and writes an SVG whose foreignObject
holds the HTML, so a browser lays it out. This is Python-Markdown's rendering,
not a Webex client's. The HTML is printed too, so a change in the drawing
shows as text.
"""
import json
import re
import sys
import textwrap
from urllib.request import urlopen

import markdown

WIDTH = 640
STYLE = """
.room { font: 14px/1.45 system-ui, sans-serif; color: #1b1b1b; padding: 12px 16px; }
.msg { margin: 0 0 14px 0; }
.who { font-weight: 600; color: #444; font-size: 12.5px; }
.body p, .body ul { margin: 2px 0 4px 0; }
.body ul { padding-left: 20px; }
.body code { font: 12.5px ui-monospace, monospace; background: #eee; padding: 0 3px; }
.mention { color: #0b5cab; font-weight: 600; }
"""


def message_html(message):
    if message.get("markdown"):
        return markdown.markdown(message["markdown"])
    if message.get("html"):  # a person's message with a mention, as the client sent it
        return re.sub(r"<spark-mention[^>]*>(.*?)</spark-mention>",
                      r'<span class="mention">\1</span>', message["html"])
    return "<p>" + message["text"].replace("&", "&amp;").replace("<", "&lt;") + "</p>"


def estimated_height(message):
    text = re.sub(r"<[^>]+>", "", message_html(message))
    lines = sum(max(1, len(textwrap.wrap(line, 78))) for line in text.splitlines() if line)
    return 22 + 21 * lines + 14


def main(url, out):
    with urlopen(f"{url}/lab/messages", timeout=10) as reply:
        messages = json.load(reply)["messages"]
    room = [m for m in messages if m["roomId"] == messages[0]["roomId"]]  # the alert's room
    parts, height = [], 24
    for message in room:
        html = message_html(message)
        print(f"--- {message['personEmail']}\n{html}")
        parts.append(f'<div class="msg"><div class="who">{message["personEmail"]}</div>'
                     f'<div class="body">{html}</div></div>')
        height += estimated_height(message)
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
           f'viewBox="0 0 {WIDTH} {height}">'
           f'<rect width="100%" height="100%" rx="8" fill="#ffffff" stroke="#cccccc"/>'
           f'<foreignObject x="0" y="0" width="{WIDTH}" height="{height}">'
           f'<div xmlns="http://www.w3.org/1999/xhtml" class="room"><style>{STYLE}</style>'
           + "".join(parts) + "</div></foreignObject></svg>\n")
    with open(out, "w", encoding="utf-8") as file:
        file.write(svg)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
