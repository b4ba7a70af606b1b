"""The private Pelican and pagefind names we rely on (plugins/upstream.py): all there and
as we use them, a changed one reported plainly and failing the build before it starts."""

from __future__ import annotations

from importlib.metadata import version

import pelican.writers
import upstream
from conftest import ROOT, FixtureSite
from pagefind.service import PagefindService


def test_every_private_name_we_rely_on_is_there_and_works_as_we_use_it():
    """If this fails, port the module the problem names (or pin the version it names)."""
    assert upstream.check_upstream() == []


def test_a_missing_name_is_reported_with_the_installed_version(monkeypatch):
    monkeypatch.delattr(pelican.writers.Writer, "_open_w")
    assert upstream.check_upstream() == [
        f"pelican {version('pelican')}: pelican.writers.Writer._open_w is gone (pin "
        f"{upstream.CHECKED_WITH['pelican']} in requirements.txt, or update "
        "plugins/sitebuild/incremental/writer.py)"]


def test_a_name_that_no_longer_works_as_we_use_it_is_reported(monkeypatch):
    """pagefind renames its service process: our launch would set a field send no longer reads."""
    async def send(self, payload):
        future = self._responses[1] = self._loop.create_future()
        self._process.stdin.write(payload)
        return await future

    monkeypatch.setattr(PagefindService, "send", send)
    assert upstream.check_upstream() == [
        f"pagefind {version('pagefind')}: pagefind.service.PagefindService._backend is no longer "
        f"where PagefindService.send writes (pin {upstream.CHECKED_WITH['pagefind']} in "
        "requirements.txt, or update plugins/sitebuild/search.py)"]


def test_the_engine_checks_only_the_names_it_uses(monkeypatch):
    monkeypatch.delattr(PagefindService, "_wait_for_responses")
    assert upstream.check_upstream(used_in="plugins/samples/cache.py") == []
    assert len(upstream.check_upstream(used_in="plugins/sitebuild/search.py")) == 1


def test_a_changed_name_fails_the_build_before_it_starts(tmp_path, monkeypatch):
    site = FixtureSite(tmp_path).write({"posts/a/index.md": "Title: A\nDate: 2024-01-01\n\nText.\n"})
    monkeypatch.delattr(PagefindService, "_wait_for_responses")
    report = site.build()
    assert report.problems == [
        f"ERROR: pagefind {version('pagefind')}: pagefind.service.PagefindService."
        f"_wait_for_responses is gone (pin {upstream.CHECKED_WITH['pagefind']} in "
        "requirements.txt, or update plugins/sitebuild/search.py)"]
    assert not site.output.exists()


def test_the_list_was_checked_with_the_pinned_versions():
    """Bumping Pelican or pagefind in requirements.txt means reading plugins/upstream.py again."""
    pins = (ROOT / "requirements.txt").read_text().splitlines()
    assert [requirement for requirement in upstream.CHECKED_WITH.values()
            if requirement not in pins] == []


def test_each_name_names_a_module_that_exists():
    assert [private.used_in for private in upstream.PRIVATE_NAMES
            if not (ROOT / private.used_in).is_file()] == []
