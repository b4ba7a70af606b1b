"""Deploy a built site so that readers never see a mix of old and new files.

Over SSH the site goes to a new release folder beside the live one, and one
rename(2) of a symlink makes it live::

    <ssh_path>/releases/20240601T101500123456Z/   one folder per publish
    <ssh_path>/current -> releases/20240601T101500123456Z   the web server's document root

rsync's ``--delay-updates --delete-after`` was the other candidate; it only
narrows the window (the delayed files are still renamed one by one, and
deletions come after), while the symlink switch is a single atomic step that
also leaves the previous release on disk for an instant rollback. Unchanged
files are hard-linked to the previous release (``--link-dest``), so a release
costs only what changed.

For GitHub Pages the site is committed with ghp-import in a scratch repository
on top of the branch fetched from the remote, then pushed: the author's own
repository and branches are never touched, and each publish adds one commit.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

RELEASES = "releases"
CURRENT = "current"


class DeployError(Exception):
    """A deploy step failed; the message says which step and what the tool printed."""


@dataclass(frozen=True)
class SshTarget:
    """Where ``publish`` puts the site: a folder on a host reached by SSH."""

    host: str
    path: str
    user: str = ""
    port: int = 22
    identity_file: str = ""
    ssh_options: tuple[str, ...] = ()  # extra ssh arguments, e.g. ("-o", "UserKnownHostsFile=...")
    keep_releases: int = 5

    @property
    def destination(self) -> str:
        return f"{self.user}@{self.host}" if self.user else self.host

    def ssh_command(self) -> list[str]:
        """The ssh invocation (without destination) shared by remote commands and rsync."""
        command = ["ssh", "-p", str(self.port), "-o", "BatchMode=yes"]
        if self.identity_file:
            command += ["-i", self.identity_file, "-o", "IdentitiesOnly=yes"]
        return command + list(self.ssh_options)

    def describe(self) -> str:
        return f"{self.destination}:{self.path} (port {self.port})"


# What ssh, rsync and git print for the failures an author meets, said plainly.
KNOWN_CAUSES = (
    (("Connection refused",), "the host refused the connection",
     "check BLOG_SSH_HOST and BLOG_SSH_PORT, and that sshd runs there"),
    (("Could not resolve hostname",), "the host name does not resolve", "check BLOG_SSH_HOST"),
    (("No space left on device", "Disk quota exceeded", "rsync exit 11"),
     "the server could not store the release (its disk is full, or over quota)",
     "free space on the server and publish again; current still points to the previous release"),
    (("connection unexpectedly closed", "Broken pipe", "Connection reset", "Connection closed"),
     "the connection was lost midway",
     "publish again; current still points to the previous release"),
    (("[rejected]",), "the branch moved ahead on the remote while publishing (someone else "
     "pushed to it)", "publish again: it builds on the new tip; nothing was overwritten"),
)


def _run(step: str, command: list[str], **kwargs) -> str:
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        # rsync's receiver may die on a full disk before its message reaches us: 11 is
        # its exit status for a failed write.
        detail = (done.stderr or done.stdout).strip() or f"{Path(command[0]).name} exit {done.returncode}"
        for needles, cause, hint in KNOWN_CAUSES:
            if any(needle in detail for needle in needles):
                raise DeployError(f"{step} failed: {cause} ({hint})")
        raise DeployError(f"{step} failed (exit {done.returncode}): {detail}")
    return done.stdout


def remote_shell(target: SshTarget, step: str, script: str) -> str:
    """Run a POSIX shell script on the target host and return what it printed."""
    return _run(step, target.ssh_command() + [target.destination, script])


def new_release_name() -> str:
    """A release folder name that sorts by time (microseconds: two publishes a second apart differ)."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def rsync_deploy(output: Path, target: SshTarget, release: str | None = None) -> str:
    """Upload ``output`` as a new release and switch ``current`` to it; return the release name.

    Until the final ``mv -T`` nothing a reader can reach changes; a failure before it
    removes the partial release and leaves ``current`` as it was.
    """
    release = release or new_release_name()
    root = shlex.quote(target.path)
    # Prepare: the releases folder exists, `current` is a symlink (or absent), and we
    # learn which release is live and which exist.
    listing = remote_shell(target, "preparing the target", f"""set -e
mkdir -p {root}
cd {root}
if [ -e {CURRENT} ] && [ ! -L {CURRENT} ]; then
  echo {root}/{CURRENT} "exists and is not a symlink: move it away once" >&2; exit 3
fi
mkdir -p {RELEASES}
if [ -e {RELEASES}/{release} ]; then echo "release {release} exists already" >&2; exit 3; fi
echo "live $(readlink {CURRENT} || true)"
ls -1 {RELEASES} | sed 's/^/release /'
""").splitlines()
    # Prefixed lines, so that whatever a login script prints cannot pass for a release.
    live = next((Path(line[5:]).name for line in listing if line.startswith("live ")), "")
    releases = sorted(line[8:] for line in listing if line.startswith("release "))

    rsync = ["rsync", "--recursive", "--links", "--perms", "--checksum", "--compress",
             "--chmod=D755,F644", "-e", shlex.join(target.ssh_command())]
    if live in releases:
        rsync.append(f"--link-dest=../{live}")  # relative to the new release folder
    rsync += [f"{output}/", f"{target.destination}:{target.path}/{RELEASES}/{release}/"]
    try:
        _run("uploading the release", rsync)
        # rename(2) of a fresh symlink over `current` is the one atomic switch.
        remote_shell(target, "switching current to the new release", f"""set -e
cd {root}
ln -sfn {RELEASES}/{release} .{CURRENT}.{release}
mv -T .{CURRENT}.{release} {CURRENT}
""")
    except DeployError:
        try:
            remote_shell(target, "removing the partial release",
                         f"rm -rf {root}/{RELEASES}/{release} {root}/.{CURRENT}.{release}")
        except DeployError:
            pass  # the original error is the one to report
        raise
    prune_releases(target, releases + [release], keep={release, live})
    return release


def prune_releases(target: SshTarget, releases: list[str], keep: set[str]) -> list[str]:
    """Remove all but the newest ``keep_releases`` releases (never those in ``keep``).

    ``keep_releases`` of 0 or less keeps every release.
    """
    if target.keep_releases <= 0:
        return []
    old = [name for name in sorted(releases)[:-target.keep_releases] if name not in keep]
    if old:
        paths = " ".join(shlex.quote(f"{target.path}/{RELEASES}/{name}") for name in old)
        remote_shell(target, "removing old releases", f"rm -rf -- {paths}")
    return old


def resolve_git_remote(repository: Path, remote: str) -> str:
    """The URL of ``remote`` if it names a remote of ``repository``, else ``remote`` itself
    (a URL, or a path; a relative path is taken from ``repository``)."""
    done = subprocess.run(["git", "-C", str(repository), "remote", "get-url", remote],
                          capture_output=True, text=True)
    if done.returncode == 0:
        return done.stdout.strip()
    if (repository / remote).exists():
        return str((repository / remote).resolve())
    return remote


def git_identity(repository: Path) -> tuple[str, str]:
    """The committer (name, email) configured for ``repository``, with a fallback for bare CI."""
    values = []
    for key, fallback in (("user.name", "Site publisher"), ("user.email", "publisher@localhost")):
        done = subprocess.run(["git", "-C", str(repository), "config", key],
                              capture_output=True, text=True)
        values.append(done.stdout.strip() or fallback)
    return values[0], values[1]


def _remote_tip(scratch: str, branch: str) -> str:
    """The commit ``branch`` points to on the remote "target", or "" when it has none."""
    ref = f"refs/heads/{branch}"
    lines = _run("reading the remote", ["git", "ls-remote", "target", ref], cwd=scratch)
    return next((line.split()[0] for line in lines.splitlines() if line.split()[1:] == [ref]), "")


def push_gh_pages(output: Path, remote_url: str, branch: str, message: str,
                  identity: tuple[str, str] = ("", ""), cname: str = "") -> str:
    """Commit ``output`` on top of ``branch`` of ``remote_url`` with ghp-import and push it.

    Returns the pushed commit. The work happens in a scratch repository, so the
    author's checkout, index and branches stay as they are. ``identity`` is the
    committer's (name, email); empty parts fall back to git's own configuration.
    """
    with tempfile.TemporaryDirectory(prefix="gh-pages-") as scratch:
        _run("creating a scratch repository", ["git", "init", "-q"], cwd=scratch)
        for key, value in zip(("user.name", "user.email"), identity):
            if value:
                _run("setting the committer", ["git", "config", key, value], cwd=scratch)
        _run("adding the remote", ["git", "remote", "add", "target", remote_url], cwd=scratch)
        previous = _remote_tip(scratch, branch)
        if previous:
            # ghp-import builds on refs/remotes/<remote>/<branch>: the fetched tip.
            _run("fetching the branch", ["git", "fetch", "-q", "target",
                                         f"+refs/heads/{branch}:refs/remotes/target/{branch}"],
                 cwd=scratch)
        command = [sys.executable, "-m", "ghp_import", "--no-jekyll", "--push",
                   "--remote", "target", "--branch", branch, "--message", message]
        if cname:
            command += ["--cname", cname]
        _run("ghp-import", command + [str(output)], cwd=scratch)
        # ghp-import only prints a failed commit, then pushes the old tip as if all went well.
        pushed = _remote_tip(scratch, branch)
        if not pushed or pushed == previous:
            raise DeployError(f"ghp-import made no new commit on {branch} of {remote_url}")
        return pushed
