"""Pagefind indexing from HTML in memory, on a background thread, through Pagefind's Python API.

The build hands each page it renders to a ``SearchIndexer`` as soon as the page is
written; the indexer forwards it to a ``pagefind --service`` process, which indexes on
the second core while Pelican renders the next pages.  At the end, ``finish`` writes the
index files.  Nothing re-reads the output folder.

Pagefind's service client waits 0.1 s before reading each response
(``PagefindService._wait_for_responses``), which makes 1,000 pages take 100 s, and reads
at most 2 MiB per response.  We replace that private loop with one without the sleep and
launch the service with room for the whole index, which we then write ourselves from
``get_files`` (the service's ``write_files`` answers before its buffered writes reach the
disk).  The private names this takes (``_wait_for_responses``, ``_bin``, ``_loop``,
``_responses``, ``_backend``, ``_poll_task``, ``PagefindIndex._service``) are listed and
checked in plugins/upstream.py: the build fails if one changes.
"""

from __future__ import annotations

import asyncio
import base64
import fnmatch
import json
import threading
from collections.abc import Iterable
from concurrent.futures import Future
from pathlib import Path

from pagefind.index import PagefindIndex
from pagefind.service import PagefindService

SEARCH_FOLDER = "pagefind"  # in the output folder: the index and Pagefind's UI
PAGES_IN_FLIGHT = 8
SERVICE_SILENCE_SECONDS = 120
RESPONSE_LIMIT = 2**30  # get_files answers with the whole index, base64, in one line


class PromptPagefindService(PagefindService):
    """The pagefind service client, reading each response as soon as it arrives, with
    room for the whole index in one response (``get_files``)."""

    async def launch(self) -> PromptPagefindService:
        self._backend = await asyncio.create_subprocess_exec(
            self._bin, "--service", stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            limit=RESPONSE_LIMIT)
        self._poll_task = self._loop.create_task(self._wait_for_responses())
        return self

    async def _wait_for_responses(self) -> None:
        while True:
            output = await self._backend.stdout.readuntil(b",")
            response = json.loads(base64.b64decode(output[:-1]))
            if response is None:
                continue
            message_id = response.get("message_id")
            payload = response["payload"]
            if message_id is None and payload.get("original_message"):
                message_id = json.loads(payload["original_message"]).get("message_id")
            future = self._responses.pop(message_id, None)
            if future is None or future.done():
                continue
            if payload["type"] == "Error":
                future.set_exception(RuntimeError(f"pagefind: {payload.get('message')}"))
            else:
                future.set_result(payload)


def glob_matches(glob: str, name: str) -> bool:
    """Whether an output file ``name`` (relative, '/'-separated) is one Pagefind reads."""
    pattern = glob.replace("{html}", "html")
    return fnmatch.fnmatch(name, pattern) or fnmatch.fnmatch(name, pattern.replace("**/", ""))


def url_of(name: str) -> str:
    """The URL Pagefind gives an output file: ``posts/a/index.html`` -> ``/posts/a/``."""
    url = "/" + name
    return url[: -len("index.html")] if url.endswith("/index.html") else url


def service_peak_mib(pid: int) -> float:
    """Peak RSS of a running process (VmHWM), in MiB; 0 where /proc does not say."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    line = next((line for line in status.splitlines() if line.startswith("VmHWM:")), "")
    return int(line.split()[1]) / 1024 if line else 0.0


class SearchIndexer:
    """One Pagefind index fed page by page from another thread; ``finish`` writes it."""

    def __init__(self, glob: str = "**/*.{html}") -> None:
        self.glob = glob
        self.problems: list[str] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="pagefind",
                                        daemon=True)
        self._thread.start()
        self._index: Future = asyncio.run_coroutine_threadsafe(self._start(), self._loop)
        self._pending: list[Future] = []
        # Pages in flight at once: the build waits rather than queue every page in memory
        # (the service indexes far faster than Pelican renders, so it seldom waits).
        self._slots = threading.BoundedSemaphore(PAGES_IN_FLIGHT)
        self.service_peak_mib = 0.0  # the service's peak RSS, read before it exits

    async def _start(self) -> PagefindIndex:
        service = await PromptPagefindService().launch()
        return await service.create_index(None)

    def wants(self, name: str) -> bool:
        return glob_matches(self.glob, name)

    def add(self, name: str, html: str) -> None:
        """Hand one page (output-relative ``name``) to the indexer; waits only when
        PAGES_IN_FLIGHT pages are still being sent."""
        if self.problems:
            return
        if not self._slots.acquire(timeout=SERVICE_SILENCE_SECONDS):
            self.problems.append("ERROR: pagefind stopped answering while indexing "
                                 f"{name} (no reply in {SERVICE_SILENCE_SECONDS} s)")
            return
        self._pending.append(asyncio.run_coroutine_threadsafe(self._add(name, html), self._loop))

    async def _add(self, name: str, html: str) -> None:
        try:
            # Shielded: cancelling a page in flight (a failed build closes early) must not
            # cancel the service's start, which would leave its process running.
            index = await asyncio.shield(asyncio.wrap_future(self._index))
            await index.add_html_file(content=html, url=url_of(name))
        finally:
            self._slots.release()

    def add_all(self, pages: Iterable[tuple[str, str]]) -> None:
        for name, html in pages:
            self.add(name, html)

    def finish(self, site: Path) -> list[str]:
        """Wait for every page, write the index and UI into ``site``/pagefind; the problems."""
        if self.problems:
            self.close()
            return self.problems
        try:
            for future in self._pending:
                future.result()
            asyncio.run_coroutine_threadsafe(self._write(site), self._loop).result()
        except Exception as err:  # noqa: BLE001 - any failure of the indexer fails the build
            self.problems.append(f"ERROR: pagefind failed: {type(err).__name__}: {err}")
        finally:
            self.close()
        return self.problems

    async def _write(self, site: Path) -> None:
        """Write the index files ourselves from ``get_files``: the service's own
        ``write_files`` answers before its buffered writes reach the disk, so a service
        that exits right after leaves truncated files."""
        index = await asyncio.wrap_future(self._index)
        bundle = site / SEARCH_FOLDER
        for file in await index.get_files():
            path = bundle / file["path"]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(file["content"])

    def close(self) -> None:
        """Stop the service process and the thread (idempotent)."""
        if not self._thread.is_alive():
            return

        async def stop() -> None:
            # Pages still in flight (a failed build closes early) are cancelled and awaited:
            # a task left pending would be logged as an error when collected, in a later build.
            others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()
                      and task.get_coro().__qualname__ == "SearchIndexer._add"]
            for task in others:
                task.cancel()
            await asyncio.gather(*others, return_exceptions=True)
            # A service still starting is awaited, so that its process is stopped too.
            try:
                index = await asyncio.wrap_future(self._index)
            except Exception:  # noqa: BLE001 - a service that never started has nothing to stop
                index = None
            if index is not None:
                service = index._service
                self.service_peak_mib = service_peak_mib(service._backend.pid)
                service._poll_task.cancel()
                service._backend.stdin.close()  # end of input: the service exits
                await service._backend.wait()

        try:
            asyncio.run_coroutine_threadsafe(stop(), self._loop).result()
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
            self._loop.close()
