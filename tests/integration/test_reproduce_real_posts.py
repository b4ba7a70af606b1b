"""Real posts reproduced as a reader would: build the site, download the archive over
HTTP from 127.0.0.1, extract it outside the project, run verify.py with Debian's Python."""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import threading
import urllib.request
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin

import pytest
from bs4 import BeautifulSoup
from conftest import FixtureSite

ROOT = Path(__file__).resolve().parents[2]
# Each post's archive is verified whole, or up to one run (--post-line) where the whole
# replay repeats minutes of the post's own tests: the gdb post up to its first snmpwalk
# (a C module compiled, snmpd started as a daemon, a walk answered), not its 600-request drives.
POSTS = {"pre-commit-hooks": None, "gdb-snmp-memory-leak": "snmpwalk"}
PROJECT_SETTINGS = {"SAMPLES_PROJECT_ROOT": str(ROOT)}


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass


def serve(folder: Path):
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


def build_post_site(slug: str, root: Path) -> FixtureSite:
    """The post alone in a site, with the project's lock and Debian listing (so its
    records stay fresh); a post that does not build here fails the test."""
    site = FixtureSite(root)
    shutil.copytree(ROOT / "content" / "posts" / slug, site.content / "posts" / slug)
    report = site.build(**PROJECT_SETTINGS)
    assert report.ok, report.problems
    return site


@pytest.mark.parametrize("slug", POSTS)
def test_a_reader_downloads_the_archive_and_verify_reproduces_every_run(slug, tmp_path):
    target = POSTS[slug]
    site = build_post_site(slug, tmp_path / "site")
    server, thread = serve(site.output)
    try:
        page_url = f"http://127.0.0.1:{server.server_address[1]}/posts/{slug}/"
        with urllib.request.urlopen(page_url) as response:
            page = BeautifulSoup(response.read(), "html.parser")
        # one colophon for the post, no stamp under any of its blocks
        assert [p.get_text()[:7] for p in page.select(".colophon")] == ["Ran on "]
        assert page.select(".verified") == [] and "verified 20" not in page.get_text()
        link = page.find("a", href=lambda href: href and href.endswith("-reproduce.tar.gz"))
        with urllib.request.urlopen(urljoin(page_url, link["href"])) as response:
            downloaded = response.read()
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    archive = site.output / "posts" / slug / f"{slug}-reproduce.tar.gz"
    assert downloaded == archive.read_bytes()
    # a second build, with its own cache, publishes the same bytes
    assert site.build(**PROJECT_SETTINGS, CACHE_PATH=str(tmp_path / "second-cache")).ok
    assert archive.read_bytes() == downloaded

    reader = tmp_path / "reader"
    reader.mkdir()
    (reader / "archive.tar.gz").write_bytes(downloaded)
    subprocess.run(["tar", "xzf", "archive.tar.gz"], cwd=reader, check=True)
    folder = reader / f"{slug}-reproduce"
    manifest = json.loads((folder / "manifest.json").read_text())
    runs = [run for session in manifest["sessions"] for run in session["runs"]]
    options = []  # as a reader runs it: in the post's lab, no flags
    if target is not None:  # the first run whose command starts so
        runs = [run for run in runs if run["describe"].startswith(target)][:1]
        assert runs, f"no run starting {target!r} in {slug}"
        options += ["--post-line", str(runs[0]["line"])]
    done = subprocess.run(["/usr/bin/python3", "verify.py", *options], cwd=folder,
                          capture_output=True, text=True, timeout=900,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(reader), "LANG": "C.UTF-8",
                               **{name: value for name, value in os.environ.items()
                                  if name == "SAMPLES_LAB_CACHE"}})
    assert done.returncode == 0, done.stdout + done.stderr
    marks = [line for line in done.stdout.splitlines() if line[:1] in ("✓", "✗")]
    assert [(line[0], int(line.split()[2])) for line in marks] == [("✓", run["line"]) for run in runs]
    assert done.stdout.splitlines()[-1] == f"{len(runs)} of {len(runs)} runs match"
