"""The fixture blog in site/, built for real (dev and publish settings), served on
127.0.0.1, and Debian's Chromium driven by pytest-playwright (never a downloaded one).

A missing tool (Chromium, Java, an npm package) is a test failure that says how to
install it: `invoke test` installs all of them on a fresh machine."""

from __future__ import annotations

import functools
import gzip
import io
import shutil
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import ROOT, FixtureSite
from sitebuild import build_site

HERE = Path(__file__).resolve().parent
REAL_POSTS = sorted(p.parent.name for p in (ROOT / "content/posts").glob("*/index.md"))
ARTIFACTS = ROOT / "test-artifacts"
NODE_MODULES = ROOT / "node_modules"
CHROMIUM = Path("/usr/lib/chromium/chromium")  # the real binary; /usr/bin/chromium is a wrapper script

# Quiet, offline Chromium: no update checks, no phishing lists, no DNS but ours.
CHROMIUM_FLAGS = [
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run", "--disable-quic", "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]

# What pelicanconf.py must carry for the search page and sitemap.xml (direct
# templates of the theme). test_site_checks asserts it does; until then the
# fixture builds add them so the theme itself is tested.
THEME_SETTINGS = {
    "DIRECT_TEMPLATES": ["index", "tags", "archives", "404", "search", "sitemap"],
    "SEARCH_URL": "search/",
    "SEARCH_SAVE_AS": "search/index.html",
    "SITEMAP_SAVE_AS": "sitemap.xml",
}
PUBLISH_URL = "https://blog.test"


def require(path: Path, what: str, install: str) -> Path:
    """``path``, or a test failure naming what is missing and how to install it."""
    if not path.exists():
        pytest.fail(f"{what} is missing at {path}: {install} (`invoke test` installs it)",
                    pytrace=False)
    return path


def npm_file(relative: str) -> Path:
    return require(NODE_MODULES / relative, f"the npm package file {relative}",
                   "run `invoke node-deps` (npm ci from package-lock.json)")


@dataclass
class BuiltSites:
    dev: Path       # pelicanconf.py: relative URLs, what `invoke build` makes
    publish: Path   # publishconf.py: absolute URLs, feeds, canonical and Open Graph


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> BuiltSites:
    """The fixture blog built once per worker with both settings files."""
    outputs = {}
    for name, settings, extra in (("dev", "pelicanconf.py", {}),
                                  ("publish", "publishconf.py",
                                   {"SITEURL": PUBLISH_URL, "FEED_DOMAIN": PUBLISH_URL})):
        site = FixtureSite(tmp_path_factory.mktemp(f"site-{name}"))
        shutil.copytree(HERE / "site", site.content)
        report = site.build(settings, SAMPLES_EXECUTE=True, **THEME_SETTINGS, **extra)
        assert report.ok, f"{settings}: " + "\n".join(report.problems)
        outputs[name] = site.output
    return BuiltSites(**outputs)


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves quietly and, like GitHub Pages where the blog is published, gzips text to a
    client that accepts it (what a reader's browser downloads, and Lighthouse times)."""

    TEXT = (".html", ".css", ".js", ".svg", ".json", ".xml", ".txt")

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if ("gzip" not in self.headers.get("Accept-Encoding", "") or not path.is_file()
                or path.suffix not in self.TEXT or not self.path.split("?")[0].endswith(
                    ("/", path.name))):
            return super().send_head()  # redirects, listings, errors and binaries as before
        body = gzip.compress(path.read_bytes(), mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


@contextmanager
def serving(folder: Path):
    """``folder`` served on 127.0.0.1 on a free port; its base URL."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="session")
def base_url(built) -> str:
    """The dev build served on 127.0.0.1 on a free port, for the whole session."""
    with serving(built.dev) as url:
        yield url


@pytest.fixture(scope="session")
def real_url(tmp_path_factory) -> str:
    """The blog's own posts (content/), built with the project's settings from their
    recorded results (nothing executes), served for the whole session."""
    root = tmp_path_factory.mktemp("real-site")
    report = build_site(ROOT / "pelicanconf.py", root / "output", {
        "PATH": str(ROOT / "content"), "SAMPLES_PROJECT_ROOT": str(ROOT),
        "SAMPLES_EXECUTE": False, "CACHE_PATH": str(root / "cache")})
    assert report.ok, "content/: " + "\n".join(report.problems)
    with serving(root / "output") as url:
        yield url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args) -> dict:
    """pytest-playwright launches Debian's Chromium with our flags."""
    require(CHROMIUM, "Chromium", "apt-get install chromium")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "headless": True,
            "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def artifacts() -> Path:
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
