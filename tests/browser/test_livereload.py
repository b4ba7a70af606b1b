"""`invoke livereload` on the fixture blog: editing a post's prose reloads its page
in the browser, and the terminal says what was rebuilt in one line."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import socket
import subprocess
import threading

from conftest import INVOKE, ROOT, FixtureSite
from playwright.sync_api import expect

from .conftest import HERE

MARKER = "A sentence written while the live loop was watching."


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def lines_of(process: subprocess.Popen) -> queue.Queue:
    lines: queue.Queue = queue.Queue()

    def pump() -> None:
        for line in process.stdout:
            lines.put(line.rstrip("\n"))

    threading.Thread(target=pump, daemon=True).start()
    return lines


def wait_for_line(lines: queue.Queue, needle: str, seen: list[str], timeout: float = 240) -> str:
    while True:
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no line with {needle!r}; got:\n" + "\n".join(seen)) from None
        seen.append(line)
        if needle in line:
            return line


def test_editing_a_post_reloads_its_page(tmp_path, page):
    site = FixtureSite(tmp_path)
    shutil.copytree(HERE / "site", site.content)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BLOG_")}
    env.update(BLOG_CONTENT_PATH=str(site.content), BLOG_OUTPUT_PATH=str(tmp_path / "published"),
               BLOG_CACHE_PATH=str(tmp_path / "cache"), BLOG_LIVERELOAD_PORT=str(port))
    process = subprocess.Popen([str(INVOKE), "livereload"], cwd=ROOT, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               start_new_session=True)
    seen: list[str] = []
    try:
        lines = lines_of(process)
        wait_for_line(lines, "Serving", seen)
        page.goto(f"http://127.0.0.1:{port}/posts/reading-notes/")
        expect(page.locator("h1")).to_have_text("Notes on reading code")
        page.evaluate("window.notReloaded = true")
        source = site.content / "posts" / "reading-notes" / "index.md"
        source.write_text(source.read_text(encoding="utf-8") + f"\n{MARKER}\n", encoding="utf-8")
        line = wait_for_line(lines, "reading-notes/index.md", seen)
        assert "1 page(s) written" in line, line
        expect(page.locator("article.post")).to_contain_text(MARKER, timeout=60_000)
        assert page.evaluate("window.notReloaded === undefined")  # a reload, not a patch
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
