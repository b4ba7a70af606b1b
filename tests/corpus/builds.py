"""Build cases: two builds at once, an output folder that cannot be written or fills
its disk, a theme whose template does not compile."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tarfile
import time
from pathlib import Path

from conftest import INVOKE, ROOT
from sitebuild.live import LiveSite

from .harness import Case, CaseSite, Outcome, strip_level, tree, write_previous_site

SLOW = '```console {run="sleep 3; echo first build"}\n```\n'


def mount_disk(site: CaseSite, size: str) -> Path:
    """A small tmpfs of the case's own, unmounted after the case; the output goes there."""
    disk = site.root / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(disk)],
                   check=True)
    site.cleanups.append(lambda: subprocess.run(["umount", "-l", str(disk)], check=True))
    site.output = disk / "output"
    write_previous_site(site.output)
    return disk


def read_only_output(site: CaseSite) -> None:
    disk = mount_disk(site, "1m")
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
    site.demo("Lead.\n")


def small_disk(site: CaseSite) -> None:
    mount_disk(site, "48k")
    site.demo("Lead.\n")


def broken_theme(site: CaseSite) -> None:
    shutil.copytree(ROOT / "theme", site.root / "theme")
    template = site.root / "theme/templates/article.html"
    lines = template.read_text().splitlines()
    lines[3] += " {% if %}"
    template.write_text("\n".join(lines) + "\n")
    site.demo("Lead.\n")


def static_link_escaping(site: CaseSite) -> None:
    (site.root / "logo.png").write_bytes(b"\x89PNG")
    site.demo("Lead.\n")
    (site.content / "images").mkdir()
    os.symlink(site.root / "logo.png", site.content / "images/logo.png")


def serve_on_a_busy_port(site: CaseSite) -> Outcome:
    """`invoke serve` where another server already listens: one line, naming the variable."""
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    site.cleanups.append(holder.close)
    site.names["port"], site.names["next"] = (str(holder.getsockname()[1]),
                                              str(holder.getsockname()[1] + 1))
    env = {k: v for k, v in os.environ.items() if not k.startswith("BLOG_")}
    env.update(BLOG_CONTENT_PATH=str(site.content), BLOG_OUTPUT_PATH=str(site.output),
               BLOG_PORT=site.names["port"])
    done = subprocess.run([str(INVOKE), "serve"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)
    lines = done.stderr.strip().splitlines()
    return Outcome(done.returncode == 0, lines if len(lines) == 1 else [f"{len(lines)} lines"])


class QuietHub:
    def publish(self, urls, seconds) -> None:
        pass


def live_site(site: CaseSite, lines: list[str]) -> LiveSite:
    override = {"PATH": str(site.content), "SAMPLES_PROJECT_ROOT": str(site.root),
                "SAMPLES_PROGRESS": "off",
                "CACHE_PATH": str(site.root / "cache"), "CACHE_CONTENT": True,
                "LOAD_CONTENT_CACHE": True, "GZIP_CACHE": False}
    return LiveSite(ROOT / "pelicanconf.py", site.output, override, QuietHub(), echo=lines.append)


def live_broken_edit(site: CaseSite) -> Outcome:
    """`invoke livereload`'s loop: a good start, then an edit that breaks the post; the
    terminal shows the rebuild line and each problem once (the lines are the messages)."""
    lines: list[str] = []
    live = live_site(site.demo("Lead.\n"), lines)
    try:
        assert live.rebuild().ok
        site.demo('```python {file="nope.py"}\n```\n')
        result = live.rebuild([site.content / "posts/demo/index.md"], site.root, only_modified=True)
    finally:
        live.close()
    problems = [strip_level(line.strip()) for line in lines[1:] if line.startswith("  ")]
    return Outcome(result.ok, problems if len(problems) == 1 else
                   [f"{len(problems)} problem lines: {problems}"])


def live_editor_files(site: CaseSite) -> Outcome:
    live = live_site(site.demo("Lead.\n"), [])
    try:
        names = ["sedwLdHuS", ".index.md.swo", ".index.md.swx", "4913", "#index.md#"]
        ignored = [name for name in names if live.ignores(site.content / "posts/demo" / name)]
    finally:
        live.close()
    return Outcome(True, [f"the live loop ignores {', '.join(ignored)}"])


def archive_without_packages(site: CaseSite) -> Outcome:
    """A post whose runs need no Debian package: its archive's debian-packages.txt says so
    (the last line is the message) instead of ending with an empty apt-get install line."""
    outcome = site.demo('```console {run="echo hi"}\n```\n').built()
    if outcome.ok:
        with tarfile.open(site.output / "posts/demo/demo-reproduce.tar.gz") as archive:
            member = archive.extractfile("demo-reproduce/debian-packages.txt")
            outcome.messages.append(member.read().decode().splitlines()[-1])
    return outcome


def two_builds_at_once(site: CaseSite) -> Outcome:
    """A real `invoke build` holds the output folder (its sample sleeps) while a second
    build starts; the second is refused, the first completes, and the output is its site."""
    site.demo(SLOW)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BLOG_")}
    env.update(BLOG_SETTINGS=str(site.settings_file()), BLOG_CONTENT_PATH=str(site.content),
               BLOG_OUTPUT_PATH=str(site.output), TMPDIR=str(site.root.parent / "tmp"))
    first = subprocess.Popen([str(INVOKE), "build"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
    site.names["pid"] = str(first.pid)
    lock = site.output.parent / f".{site.output.name}.lock"
    deadline = time.monotonic() + 120
    while not (lock.is_file() and lock.read_text() == str(first.pid)):
        assert first.poll() is None and time.monotonic() < deadline, first.communicate()[0]
        time.sleep(0.05)
    before = tree(site.output)
    second = site.built()
    assert tree(site.output) == before, "the refused build touched the output"
    log = first.communicate(timeout=120)[0]
    assert first.returncode == 0, log
    page = (site.output / "posts/demo/index.html").read_text()
    assert "first build" in page and not (site.output / "posts/old").exists(), "a mix"
    return second


CASES = [
    Case("builds", "reproduce archive of runs that need no Debian package",
         "# None: the lab declares no package and the runs need no tool of one.", succeeds=True,
         changes_stores=True, act=archive_without_packages),
    Case("builds", "live rebuild after a broken edit",
         "content/posts/demo/index.md:5: file 'nope.py' does not exist (files beside the post: "
         "app.py, index.md)", act=live_broken_edit, keeps_output=False),
    Case("builds", "editors' temporary files during the live loop",
         "the live loop ignores sedwLdHuS, .index.md.swo, .index.md.swx, 4913, #index.md#",
         succeeds=True, act=live_editor_files),
    Case("builds", "serving on a busy port",
         "cannot serve at 127.0.0.1:<port> (Address already in use): stop what uses that port, "
         "or choose another with BLOG_PORT, e.g. BLOG_PORT=<next>",
         act=serve_on_a_busy_port),
    Case("builds", "static file leading outside the content folder",
         "content/images/logo.png: this file leads outside the content folder (a symlink to "
         "<root>/logo.png): the build would publish it (copy the file into the content folder "
         "instead of linking to it)",
         arrange=static_link_escaping, act=lambda site: site.built()),
    Case("builds", "two builds at once on one output folder",
         "<root>/output: another build is writing this output folder (process <pid>) (wait for "
         "it to finish, or stop it, then build again)",
         act=two_builds_at_once, keeps_output=False, changes_stores=True),
    Case("builds", "output folder that is not writable",
         "<root>/disk: cannot write the output folder there (Read-only file system) (make it "
         "writable, or build elsewhere with BLOG_OUTPUT_PATH)",
         arrange=read_only_output, act=lambda site: site.built(), requires=("root",)),
    Case("builds", "disk full while writing",
         "<root>/disk: the disk is full (No space left on device while writing the site) (free "
         "space there, or build elsewhere with BLOG_OUTPUT_PATH)",
         arrange=small_disk, act=lambda site: site.built(), requires=("root",)),
    Case("builds", "theme template error",
         "<root>/theme/templates/article.html:4: Expected an expression, got 'end of statement "
         "block' (fix the theme's template)",
         arrange=broken_theme, act=lambda site: site.built(THEME=str(site.root / "theme"))),
]
