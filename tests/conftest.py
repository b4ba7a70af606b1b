"""Fixture sites: small content trees written from dicts and built for real."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from engine.execute import run_finished
from hypothesis import settings as hypothesis_settings
from sitebuild import build_site

ROOT = Path(__file__).resolve().parents[1]

# Property tests assert behaviour, not speed: Hypothesis's per-example deadline is a timed
# assertion, and a loaded CI run missed it (one parse took 276 ms against 200).
hypothesis_settings.register_profile("behaviour", deadline=None)
hypothesis_settings.load_profile("behaviour")
INVOKE = Path(sys.executable).with_name("invoke")


class FixtureSite:
    """A content tree in a temporary folder, built with the project's settings."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.content = root / "content"
        self.output = root / "output"

    def write(self, files: dict[str, str | bytes]) -> FixtureSite:
        for relative, text in files.items():
            path = self.content / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                path.write_bytes(text)
            else:
                path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return self

    def build(self, settings: str = "pelicanconf.py", **override):
        return build_site(ROOT / settings, self.output, {
            "PATH": str(self.content),
            "SAMPLES_PROJECT_ROOT": str(self.root),
            "CACHE_PATH": str(self.root / "cache"),
            **override,
        })

    def settings_file(self, name: str = "settings.py", **settings) -> Path:
        """A Pelican settings file for this site: the project's, pointed at this site
        (what the fixture's pytest and tasks read; ``settings`` are added to it)."""
        lines = [f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom pelicanconf import *  # noqa\n",
                 'PATH = "content"', f"THEME = {str(ROOT / 'theme')!r}",
                 f"PLUGIN_PATHS = [{str(ROOT / 'plugins')!r}]",
                 f"SAMPLES_PROJECT_ROOT = {str(self.root)!r}"]
        lines += [f"{key} = {value!r}" for key, value in settings.items()]
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n")
        return path

    def run_task(self, task: str, *args: str, **env: str) -> subprocess.CompletedProcess:
        """Run ``invoke TASK ARGS`` from the project on this site's content, into ``published/``."""
        clean = {k: v for k, v in os.environ.items() if not k.startswith("BLOG_") and k != "SITEURL"}
        clean.update(BLOG_CONTENT_PATH=str(self.content), BLOG_OUTPUT_PATH=str(self.root / "published"),
                     **env)
        return subprocess.run([str(INVOKE), task, *args], cwd=ROOT, env=clean, capture_output=True,
                               text=True, timeout=300)

    def fails_keeping_output(self, task: str, breakage: dict[str, str],
                             page: str) -> subprocess.CompletedProcess:
        """Run TASK cleanly, write ``breakage``, run it again; assert the second run
        exited 1 and left ``published/PAGE`` byte for byte; return that run."""
        first = self.run_task(task)
        assert first.returncode == 0, first.stderr
        good = (self.root / "published" / page).read_bytes()
        self.write(breakage)
        done = self.run_task(task)
        assert done.returncode == 1, done.stderr
        assert (self.root / "published" / page).read_bytes() == good
        return done

    def html(self, relative: str):
        return BeautifulSoup((self.output / relative).read_text(encoding="utf-8"), "html.parser")


# Longest first: under `--dist loadfile` a post or a module is one unit of work, and a
# long unit started last keeps one worker busy while the others idle.  The posts (whole
# sessions of real tools) and the browser tests are the long units.
RUN_ORDER = ("content/", "tests/browser/", "tests/integration/", "tests/corpus/", "tests/unit/")


def pytest_collection_modifyitems(session, config, items) -> None:
    def rank(item) -> int:
        where = item.nodeid
        return next((i for i, prefix in enumerate(RUN_ORDER) if where.startswith(prefix)),
                    len(RUN_ORDER))
    items.sort(key=rank)  # stable: each file keeps its own order


@pytest.fixture
def site(tmp_path) -> FixtureSite:
    return FixtureSite(tmp_path / "site")


def post(title: str, date: str, tags: str, body: str, extra: str = "") -> str:
    """The text of a post with a Pelican metadata header."""
    header = f"Title: {title}\nDate: {date}\nTags: {tags}\n{extra}"
    return header + "\n" + textwrap.dedent(body).lstrip("\n")


@contextlib.contextmanager
def executions():
    """Collect ``path:line`` of every run the engine executes inside the block."""
    ran: list[str] = []

    def record(sample, **_):
        ran.append(sample.where)

    run_finished.connect(record)
    try:
        yield ran
    finally:
        run_finished.disconnect(record)


APP = '''\
import sys


# ANCHOR: greet
def greet(name):
    """Say hello."""
    return f"hello {name}"
# ANCHOR_END: greet


class Zpark:
    @staticmethod
    def handle(event):
        return event.upper()


if __name__ == "__main__":
    print(greet(sys.argv[1]))
    print("warning on stderr", file=sys.stderr)
    print("last line")
'''


def write_demo(site, body: str, extra_files: dict | None = None, slug: str = "demo"):
    site.write({f"posts/{slug}/index.md": post(slug.title(), "2024-01-01", "code", body),
                f"posts/{slug}/app.py": APP, **(extra_files or {})})


PYTEST_INI = """\
[pytest]
testpaths = content
pythonpath = {plugins}
addopts = -p pytest_samples -p no:cacheprovider -p no:playwright
samples_settings = {settings}
"""


def run_pytest(site, *args: str, settings: str = "settings.py") -> subprocess.CompletedProcess:
    """Run pytest on the fixture site, in its own process, as an author would."""
    if not (site.root / settings).is_file():
        site.settings_file(settings)
    (site.root / "pytest.ini").write_text(PYTEST_INI.format(plugins=ROOT / "plugins", settings=settings))
    return subprocess.run([sys.executable, "-m", "pytest", *args], cwd=site.root,
                          capture_output=True, text=True, timeout=300)
