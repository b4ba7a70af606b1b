"""Publish cases: an unreachable host, a full remote disk, an upload cut midway, a
`current` that is a real folder, a GitHub Pages branch that moved ahead meanwhile.
Only loopback: a throwaway sshd on 127.0.0.1 and a local bare repository."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from unittest import mock

import sshserver
from sitebuild.publish import deploy
from sitebuild.publish.deploy import DeployError, SshTarget, push_gh_pages, rsync_deploy

from .harness import Case, CaseSite, Outcome, tree

_SERVER: list[sshserver.SshServer] = []
LOST = "publish again; current still points to the previous release"


def shared_sshd() -> sshserver.SshServer:
    """One sshd per test worker, in a folder of its own (not a case's: it outlives them)."""
    if not _SERVER:
        folder = Path(tempfile.mkdtemp(prefix="corpus-sshd-", dir="/tmp"))
        server = sshserver.SshServer(folder)
        _SERVER.append(server.start())
        atexit.register(shutil.rmtree, folder, True)  # atexit runs last-in first: stop, then remove
        atexit.register(server.stop)
    return _SERVER[0]


def target(site: CaseSite, *options: str, port: int | None = None,
           host: str = "127.0.0.1") -> SshTarget:
    server = shared_sshd()
    return SshTarget(host=host, path=str(site.root / "www"), user=server.user,
                     port=port or server.port, identity_file=str(server.identity_file),
                     ssh_options=(*server.ssh_options(), *options))


def deploying(make_target):
    """Act: deploy the output folder; a DeployError is the case's message."""
    def act(site: CaseSite) -> Outcome:
        site.names["remote"] = str(site.root / "www")
        remote_before = tree(site.root / "www")
        try:
            rsync_deploy(site.output, make_target(site))
        except DeployError as err:
            outcome = Outcome(False, [str(err)])
        else:
            outcome = Outcome(True, [])
        assert tree(site.root / "www") == remote_before, "the target changed"
        return outcome
    return act


def published_once(big: bool = False, disk: str = ""):
    """Arrange: a target that holds one release already; the local output to publish next."""
    def arrange(site: CaseSite) -> None:
        if disk:
            (site.root / "www").mkdir(parents=True)
            subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={disk}", "tmpfs",
                            str(site.root / "www")], check=True)
            site.cleanups.append(lambda: subprocess.run(["umount", "-l", str(site.root / "www")]))
        first = site.root / "first"
        first.mkdir()
        (first / "index.html").write_text("<title>v1</title>\n")
        rsync_deploy(first, target(site))
        (site.output / "posts").mkdir(parents=True)
        (site.output / "index.html").write_text("<title>v2</title>\n")
        if big:
            (site.output / "posts/data.bin").write_bytes(os.urandom(2 << 20))
    return arrange


def offline_ssh(site: CaseSite) -> None:
    """Arrange: an `ssh` first on PATH that runs the real one in an empty network namespace,
    where a name lookup fails without a packet leaving the machine."""
    folder = site.root / "offline-bin"
    folder.mkdir()
    wrapper = folder / "ssh"
    wrapper.write_text(f'#!/bin/sh\nexec unshare --net {shutil.which("ssh")} "$@"\n')
    wrapper.chmod(0o755)
    path = os.environ["PATH"]
    os.environ["PATH"] = f"{folder}:{path}"
    site.cleanups.append(lambda: os.environ.__setitem__("PATH", path))


def current_folder(site: CaseSite) -> None:
    (site.root / "www/current").mkdir(parents=True)
    (site.root / "www/current/index.html").write_text("<title>old</title>\n")


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def pages_remote(site: CaseSite) -> None:
    remote = site.root / "pages.git"
    git("init", "-q", "--bare", str(remote))
    first = site.root / "first"
    first.mkdir()
    (first / "index.html").write_text("<title>v1</title>\n")
    push_gh_pages(first, str(remote), "site", "Publish v1", identity=("Corpus", "corpus@localhost"))


def someone_else_pushes(site: CaseSite) -> str:
    clone = site.root / "other"
    git("clone", "-q", "--branch", "site", str(site.root / "pages.git"), str(clone))
    (clone / "other.html").write_text("<title>theirs</title>\n")
    git("add", "other.html", cwd=clone)
    git("-c", "user.name=Other", "-c", "user.email=other@localhost", "commit", "-qm", "theirs",
        cwd=clone)
    git("push", "-q", "origin", "site", cwd=clone)
    return git("rev-parse", "HEAD", cwd=clone).strip()


def branch_moves_ahead(site: CaseSite) -> Outcome:
    """Someone pushes between our fetch and our push (inside ghp-import's step)."""
    real_run, theirs = deploy._run, []

    def racing_run(step, command, **kwargs):
        if step == "ghp-import" and not theirs:
            theirs.append(someone_else_pushes(site))
        return real_run(step, command, **kwargs)

    remote = str(site.root / "pages.git")
    site.names["remote"] = remote
    try:
        with mock.patch.object(deploy, "_run", racing_run):
            push_gh_pages(site.output, remote, "site", "Publish v2", identity=("Corpus", "c@localhost"))
    except DeployError as err:
        assert git("--git-dir", remote, "rev-parse", "site").strip() == theirs[0], "overwritten"
        return Outcome(False, [str(err)])
    return Outcome(True, [])


CASES = [
    Case("publish", "unreachable host (a closed port on 127.0.0.1)",
         "preparing the target failed: the host refused the connection (check BLOG_SSH_HOST and "
         "BLOG_SSH_PORT, and that sshd runs there)",
         act=deploying(lambda site: target(site, port=sshserver.free_port())), requires=("sshd",)),
    Case("publish", "host name that does not resolve (.invalid, looked up with no network)",
         "preparing the target failed: the host name does not resolve (check BLOG_SSH_HOST)",
         arrange=offline_ssh, act=deploying(lambda site: target(site, host="publish-target.invalid")),
         requires=("sshd", "root")),
    Case("publish", "remote disk full",
         "uploading the release failed: the server could not store the release (its disk is "
         "full, or over quota) (free space on the server and publish again; current still points "
         "to the previous release)",
         arrange=published_once(big=True, disk="512k"), act=deploying(target),
         requires=("sshd", "root")),
    Case("publish", "upload interrupted midway",
         f"uploading the release failed: the connection was lost midway ({LOST})",
         arrange=published_once(big=True),
         act=deploying(lambda site: target(site, "-o", f"ProxyCommand={sys.executable} "
                                                 f"{Path(__file__).with_name('cutproxy.py')} %h %p 262144")),
         requires=("sshd",)),
    Case("publish", "current is a real folder",
         "preparing the target failed (exit 3): <remote>/current exists and is not a symlink: "
         "move it away once",
         arrange=current_folder, act=deploying(target), requires=("sshd",)),
    Case("publish", "gh-pages branch moved ahead meanwhile",
         "ghp-import failed: the branch moved ahead on the remote while publishing (someone else "
         "pushed to it) (publish again: it builds on the new tip; nothing was overwritten)",
         arrange=pages_remote, act=branch_moves_ahead),
]
