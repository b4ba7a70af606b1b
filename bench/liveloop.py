"""Save -> page written and reload signal sent, in the live loop, against a cold build.

The live loop runs in its own process (livechild.py); the harness listens to its event
stream as a browser does, edits one post, and times from the save to the reload event
(the server stamps it with the shared monotonic clock when it sends it).  Then, once
the loop has settled (search index refreshed), a cold build of the same edited site runs
in a fresh process with an empty cache, and the two output trees must be identical,
byte for byte.  Cold builds and live edits alternate.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from measure import Series, child_build
from synthetic import sample_source

CHILD = Path(__file__).resolve().parent / "livechild.py"
CACHED = {"CACHE_CONTENT": True, "LOAD_CONTENT_CACHE": True, "GZIP_CACHE": False,
          "SAMPLES_EXECUTE": True}


@dataclass
class LiveLoop:
    edit: str
    live: Series = field(default_factory=Series)
    cold: Series = field(default_factory=Series)
    runs: Series = field(default_factory=Series)  # run time of the executed sample, s
    written: list[int] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)


def tree_digests(folder: Path) -> dict[str, str]:
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def _lines(stream, sink: queue.Queue) -> None:
    for line in stream:
        sink.put(line.rstrip("\n"))


def _events(port: int, sink: queue.Queue) -> None:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/__live/events", timeout=600) as events:
        for raw in events:
            line = raw.decode().strip()
            if line.startswith("data: "):
                sink.put((time.monotonic(), json.loads(line[6:])))


def _expect(lines: queue.Queue, prefix: str, timeout: float = 600) -> str:
    while True:
        line = lines.get(timeout=timeout)
        if line.startswith(prefix):
            return line


def _settle(lines: queue.Queue, events: queue.Queue, quiet: float = 1.5) -> float:
    """Wait for the loop's SETTLED line, then until no further rebuild starts for ``quiet``
    seconds (a save seen as two batches rebuilds twice); the samples' run time in total."""
    run_seconds = float(_expect(lines, "SETTLED").split()[1])
    while True:
        try:
            line = lines.get(timeout=quiet)
        except queue.Empty:
            break
        if line.startswith("BUSY"):
            run_seconds += float(_expect(lines, "SETTLED").split()[1])
    while not events.empty():
        events.get_nowait()
    return run_seconds


EDITS = ("prose", "lead", "title", "tags", "date", "sample", "new", "delete")


def _header(text: str, key: str, value: str) -> str:
    return re.sub(rf"^{key}: .*$", f"{key}: {value}", text, count=1, flags=re.M)


def edit_post(site: Path, slug: str, edit: str, round_number: int) -> str:
    """Make one edit of kind ``edit`` to post ``slug``; return the slug whose page it shows
    (a new post's), or "" for a deleted post.  Each kind changes one thing a reader sees:
    prose below the fold, the lead (the summary the listings show), the title, one tag, the
    date, the sample file; a new post appears (moved into content/ in one rename, as an
    editor's "save as" of a whole folder would) or a post folder is removed."""
    posts = site / "content" / "posts"
    folder = posts / slug
    if edit == "sample":
        (folder / "sample.py").write_text(sample_source(30 + round_number), encoding="utf-8")
        return slug
    if edit == "delete":  # moved aside (out of content/), put back by restore_posts
        aside = site / ".deleted" / slug
        aside.parent.mkdir(exist_ok=True)
        os.rename(folder, aside)
        return ""
    if edit == "new":
        new_slug = f"post-new-{round_number:02d}"
        staging = site / f".{new_slug}"
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(folder, staging)
        page = staging / "index.md"
        page.write_text(_header(page.read_text(encoding="utf-8"), "Title",
                                f"A new post, round {round_number}"), encoding="utf-8")
        os.rename(staging, posts / new_slug)
        return new_slug
    page = folder / "index.md"
    text = page.read_text(encoding="utf-8")
    if edit == "prose":
        text = text.rstrip("\n") + f" An edited closing sentence, round {round_number}.\n"
    elif edit == "lead":
        text = text.replace("\n\n<!-- more -->", f" An edited lead, round {round_number}."
                            "\n\n<!-- more -->", 1)
    elif edit == "title":
        text = _header(text, "Title", f"An edited title, round {round_number}")
    elif edit == "tags":
        tags = re.search(r"^Tags: (.*)$", text, re.M).group(1).split(", ")
        text = _header(text, "Tags", ", ".join(tags[:-1] + [f"edited-{round_number}"]))
    elif edit == "date":
        text = _header(text, "Date", f"2019-0{1 + round_number % 9}-15 09:30")
    else:
        raise ValueError(f"unknown edit kind {edit!r} (one of {', '.join(EDITS)})")
    page.write_text(text, encoding="utf-8")
    return slug


def restore_posts(site: Path) -> None:
    """Undo the new and delete edits, so later measurements find the site's posts."""
    posts = site / "content" / "posts"
    for new in posts.glob("post-new-*"):
        shutil.rmtree(new)
    aside = site / ".deleted"
    if aside.is_dir():
        for folder in sorted(aside.iterdir()):
            os.rename(folder, posts / folder.name)
        aside.rmdir()


def live_loop(site: Path, scratch: Path, posts: int, repeats: int, edit: str) -> LiveLoop:
    """``repeats`` rounds of: edit one post (a kind of ``EDITS``), time it, cold-build, compare."""
    loop = LiveLoop(edit)
    output, cache = scratch / f"live-{edit}", scratch / f"live-cache-{edit}"
    shutil.rmtree(output, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)
    spec = {"site": str(site), "output": str(output), "cache": str(cache)}
    process = subprocess.Popen([sys.executable, str(CHILD), json.dumps(spec)], text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_lines, args=(process.stdout, lines), daemon=True).start()
    try:
        port = int(_expect(lines, "PORT").split()[1])
        events: queue.Queue = queue.Queue()
        threading.Thread(target=_events, args=(port, events), daemon=True).start()
        time.sleep(0.5)  # the event stream is connected and the watcher armed
        for round_number in range(repeats):
            slug = f"post-{(posts // 3 + round_number * 11) % posts:04d}"
            shown = edit_post(site, slug, edit, round_number)
            saved = time.monotonic()
            _received, message = events.get(timeout=600)
            loop.live.values.append(message["sent"] - saved)
            run_seconds = _settle(lines, events)
            if edit == "sample":
                loop.runs.values.append(run_seconds)
            if shown and f"/posts/{shown}/" not in message["urls"]:
                raise AssertionError(f"the reload event of {shown} names {message['urls'][:5]}")
            loop.written.append(len(message["urls"]))
            cold_output = scratch / f"cold-{edit}"
            cold = child_build("ours", site, cold_output,
                               {**CACHED, "CACHE_PATH": str(scratch / f"cold-cache-{edit}")})
            shutil.rmtree(scratch / f"cold-cache-{edit}", ignore_errors=True)
            loop.cold.values.append(cold.wall)
            live_tree, cold_tree = tree_digests(output), tree_digests(cold_output)
            if live_tree != cold_tree:
                differ = sorted(name for name in set(live_tree) | set(cold_tree)
                                if live_tree.get(name) != cold_tree.get(name))
                raise AssertionError(f"live tree differs from a cold build after editing "
                                     f"{slug}: {differ[:8]}")
            loop.checks.append(f"{slug} ({edit}): {len(message['urls'])} page(s) written, "
                               f"{len(live_tree)} files identical to a cold build")
    finally:
        process.terminate()
        process.wait(timeout=60)
        restore_posts(site)
    return loop
