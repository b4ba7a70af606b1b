"""preview, publish and gh_pages, run as the real invoke tasks against a fixture site,
a real sshd with real rsync, and a local bare repository standing in for GitHub."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import sshserver
from conftest import ROOT, FixtureSite, post
from sitebuild.publish.deploy import RELEASES, DeployError, SshTarget, rsync_deploy

GREETING_POST = post("Alpha", "2024-01-01", "code", """
    Alpha greets the reader.

    ```console {run="cat greeting.txt"}
    ```
    """)


def make_site(root: Path) -> FixtureSite:
    """Two posts (one with a frozen sample) and a page, frozen as `invoke build` would."""
    site = FixtureSite(root).write({
        "posts/alpha/index.md": GREETING_POST,
        "posts/alpha/greeting.txt": "hello from alpha\n",
        "posts/beta/index.md": post("Beta", "2024-02-01", "code, extra",
                                    "Beta points at [alpha]({filename}/posts/alpha/index.md).\n"),
        "pages/about.md": "Title: About\n\nAbout the fixture.\n",
    })
    # Record the store with the lock file setting the publish tasks use.
    report = site.build()
    assert report.ok, report.problems
    assert (site.content / "posts/alpha/samples.frozen.json").is_file()
    return site


@pytest.fixture
def fixture_site(tmp_path) -> FixtureSite:
    return make_site(tmp_path / "site")


def snapshot(folder: Path, mtimes: bool = True) -> dict[str, tuple]:
    """Every entry under ``folder``: kind, mode, mtime, and bytes or symlink target."""
    entries = {}
    for path in sorted([folder, *folder.rglob("*")]):
        stat = path.lstat()
        if path.is_symlink():
            facts = ("link", os.readlink(path))
        elif path.is_dir():
            facts = ("dir",)
        else:
            facts = ("file", path.read_bytes())
        entries[str(path.relative_to(folder))] = (*facts, stat.st_mode,
                                                  stat.st_mtime_ns if mtimes else 0)
    return entries


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


# -- preview ---------------------------------------------------------------------------------


def test_preview_builds_with_publish_settings_and_checks(fixture_site):
    done = fixture_site.run_task("preview")
    assert done.returncode == 0, done.stderr
    published = fixture_site.root / "published"
    assert (published / "feeds/all.atom.xml").is_file()
    page = (published / "posts/alpha/index.html").read_text()
    assert "hello from alpha" in page and 'href="https://blog.example.org/' in page


def test_preview_fails_on_a_broken_link_naming_it(fixture_site):
    done = fixture_site.fails_keeping_output("preview", {"posts/beta/index.md": post(
        "Beta", "2024-02-01", "code", "Lead.\n\n<!-- more -->\n\nBeta points at [gone](../gamma/#top).\n")},
        page="posts/beta/index.html")
    assert "was left as it was and nothing was deployed" in done.stderr
    # The build itself refuses the link its Markdown made, at the line that made it.
    assert "content/posts/beta/index.md:9: the page links to ../gamma/#top, which does not " \
           "resolve (no file at /posts/gamma/)" in done.stderr


def test_publish_without_a_target_stops_before_building(fixture_site):
    done = fixture_site.run_task("publish")
    assert done.returncode == 2
    assert "publish is not configured: set BLOG_SSH_HOST and BLOG_SSH_PATH" in done.stderr
    assert not (fixture_site.root / "published").exists()


# -- publish over SSH ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sshd(tmp_path_factory):
    reason = sshserver.available()
    if reason:  # a missing sshd is a broken set-up, never a silent skip
        pytest.fail(f"{reason} (`invoke test` installs openssh-server as root)")
    server = sshserver.SshServer(tmp_path_factory.mktemp("sshd")).start()
    yield server
    server.stop()


@pytest.fixture
def published(fixture_site, sshd, tmp_path):
    """The fixture site published once to a fresh target folder on the sshd host."""
    target = tmp_path / "remote" / "www"
    env = sshd.environment(target)
    done = fixture_site.run_task("publish", **env)
    assert done.returncode == 0, done.stdout + done.stderr
    return fixture_site, target, env


def test_publish_uploads_a_release_and_switches_current_to_it(published):
    site, target, env = published
    current = target / "current"
    assert current.is_symlink() and os.readlink(current).startswith(f"{RELEASES}/")
    assert tree_bytes(current) == tree_bytes(site.root / "published")
    first = os.readlink(current)
    assert "hello from alpha" in (current / "posts/alpha/index.html").read_text()
    assert (current / "posts/alpha/greeting.txt").read_text() == "hello from alpha\n"
    assert not (current / "posts/alpha/samples.frozen.json").exists()

    # Prose changes execute nothing: the frozen result still matches.
    site.write({"posts/beta/index.md": post("Beta", "2024-02-01", "code, extra",
                                            "Beta, revised, points at [alpha]({filename}/posts/alpha/index.md).\n")})
    done = site.run_task("publish", **env)
    assert done.returncode == 0, done.stdout + done.stderr
    second = os.readlink(current)
    assert second != first and second.startswith(f"{RELEASES}/")
    assert "Beta, revised" in (current / "posts/beta/index.html").read_text()
    assert tree_bytes(current) == tree_bytes(site.root / "published")
    # The previous release is whole (a rollback is one symlink away) and unchanged
    # files are hard links to it, not copies.
    assert "Beta, revised" not in (target / first / "posts/beta/index.html").read_text()
    assert (current / "posts/alpha/greeting.txt").stat().st_ino == \
           (target / first / "posts/alpha/greeting.txt").stat().st_ino
    assert sorted(p.name for p in (target / RELEASES).iterdir()) == \
           sorted([Path(first).name, Path(second).name])
    assert not list(target.glob(".current.*"))


def test_publish_refuses_a_stale_sample_and_leaves_the_target_untouched(published):
    site, target, env = published
    before = snapshot(target)
    site.write({"posts/alpha/greeting.txt": "hello, changed\n"})
    done = site.run_task("publish", **env)
    assert done.returncode == 1
    assert "content/posts/alpha/index.md:7: no frozen result matches this run" in done.stderr
    assert "nothing was deployed" in done.stderr
    assert snapshot(target) == before


def test_publish_refuses_a_broken_link_and_leaves_the_target_untouched(published):
    site, target, env = published
    before = snapshot(target)
    site.write({"posts/beta/index.md": post("Beta", "2024-02-01", "code",
                                            "Lead.\n\n<!-- more -->\n\nBeta points at [alpha](../alpha/#no-such-id).\n")})
    done = site.run_task("publish", **env)
    assert done.returncode == 1
    assert "content/posts/beta/index.md:9: the page links to ../alpha/#no-such-id, which does " \
           "not resolve (no id 'no-such-id' in /posts/alpha/index.html)" in done.stderr
    assert snapshot(target) == before


def deploy_target(sshd, path: Path, keep: int = 5) -> SshTarget:
    return SshTarget(host="127.0.0.1", path=str(path), user=sshd.user, port=sshd.port,
                     identity_file=str(sshd.identity_file), ssh_options=tuple(sshd.ssh_options()),
                     keep_releases=keep)


def test_failed_upload_removes_its_partial_release_and_keeps_current(sshd, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<title>v1</title>")
    target = deploy_target(sshd, tmp_path / "www")
    live = rsync_deploy(site, target)
    before = snapshot(tmp_path / "www", mtimes=False)
    with pytest.raises(DeployError, match="uploading the release failed"):
        rsync_deploy(tmp_path / "missing", target)
    # Only the releases folder's mtime tells that a partial release came and went.
    assert snapshot(tmp_path / "www", mtimes=False) == before
    assert os.readlink(tmp_path / "www/current") == f"{RELEASES}/{live}"


def test_old_releases_are_pruned_but_never_the_live_one(sshd, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    target = deploy_target(sshd, tmp_path / "www", keep=2)
    names = []
    for version in range(4):
        (site / "index.html").write_text(f"<title>v{version}</title>")
        names.append(rsync_deploy(site, target))
    assert sorted(p.name for p in (tmp_path / "www" / RELEASES).iterdir()) == names[-2:]
    assert (tmp_path / "www/current/index.html").read_text() == "<title>v3</title>"


# -- GitHub Pages ----------------------------------------------------------------------------


def git(*args: str) -> str:
    return subprocess.run(["git", *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def pages_remote(tmp_path) -> Path:
    remote = tmp_path / "pages.git"
    git("init", "-q", "--bare", str(remote))
    return remote


def test_gh_pages_pushes_the_site_and_each_publish_adds_one_commit(fixture_site, pages_remote):
    env = {"BLOG_GH_PAGES_REMOTE": str(pages_remote), "BLOG_GH_PAGES_BRANCH": "site"}
    done = fixture_site.run_task("gh-pages", **env)
    assert done.returncode == 0, done.stdout + done.stderr
    files = set(git("--git-dir", str(pages_remote), "ls-tree", "-r", "--name-only", "site").split())
    assert files == set(tree_bytes(fixture_site.root / "published")) | {".nojekyll"}
    first = git("--git-dir", str(pages_remote), "rev-parse", "site").strip()

    fixture_site.write({"posts/beta/index.md": post("Beta", "2024-02-01", "code",
                                                    "Beta, second edition.\n")})
    done = fixture_site.run_task("gh-pages", **env)
    assert done.returncode == 0, done.stdout + done.stderr
    log = git("--git-dir", str(pages_remote), "log", "--format=%H %P %s", "site").splitlines()
    assert len(log) == 2
    tip, parent, message = log[0].split(" ", 2)
    assert parent == first and message == "Publish site"
    page = git("--git-dir", str(pages_remote), "show", "site:posts/beta/index.html")
    assert "Beta, second edition." in page
    # The author's repository gained no branch.
    assert subprocess.run(["git", "-C", str(ROOT), "show-ref", "--verify", "--quiet",
                           "refs/heads/site"]).returncode != 0


def test_gh_pages_refuses_a_broken_site_and_leaves_the_branch(fixture_site, pages_remote):
    env = {"BLOG_GH_PAGES_REMOTE": str(pages_remote), "BLOG_GH_PAGES_BRANCH": "site"}
    assert fixture_site.run_task("gh-pages", **env).returncode == 0
    before = snapshot(pages_remote)
    fixture_site.write({"posts/alpha/greeting.txt": "stale now\n"})
    done = fixture_site.run_task("gh-pages", **env)
    assert done.returncode == 1 and "no frozen result matches this run" in done.stderr
    assert snapshot(pages_remote) == before
