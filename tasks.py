"""Author tasks (invoke), in the shape pelican-quickstart gives them.

Every build task exits non-zero on any warning or error from Pelican or a plugin,
and a failed build leaves the previous output folder untouched.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from invoke import Exit, task

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "plugins"))

from engine.debian import debian_listing  # noqa: E402
from engine.errors import SampleError, SampleErrors  # noqa: E402
from engine.labs import build_all, labs_table, remove_labs, unused_labs  # noqa: E402
from engine.pipeline import build_post, write_store  # noqa: E402
from engine.status import post_statuses, runs_table, status_json, status_table  # noqa: E402
from pelican.server import ComplexHTTPRequestHandler, RootedHTTPServer  # noqa: E402
from samples.settings import load_config  # noqa: E402
from sitebuild import build_site, check_site  # noqa: E402
from sitebuild.live import CannotListen  # noqa: E402
from sitebuild.live import serve as serve_live  # noqa: E402
from sitebuild.publish.deploy import (  # noqa: E402
    DeployError,
    SshTarget,
    git_identity,
    push_gh_pages,
    resolve_git_remote,
    rsync_deploy,
)

OPEN_BROWSER_ON_SERVE = False
SETTINGS_FILE_BASE = "pelicanconf.py"
SETTINGS_FILE_PUBLISH = "publishconf.py"
CONFIG = {
    # The settings every build, freeze and status task reads (the tests point it at fixtures).
    "settings_base": os.environ.get("BLOG_SETTINGS", SETTINGS_FILE_BASE),
    "settings_publish": SETTINGS_FILE_PUBLISH,
    # Output folder, relative to the project.
    "deploy_path": os.environ.get("BLOG_OUTPUT_PATH", "output"),
    # Content folder every build reads; the tests point it (and deploy_path) at fixture sites.
    "content_path": os.environ.get("BLOG_CONTENT_PATH", "content"),
    # Content cache of `livereload`, removed by `clean` (the tests point it beside their
    # fixture sites).
    "cache_path": os.environ.get("BLOG_CACHE_PATH", "cache"),
    # Local server of serve, reserve and livereload (BLOG_HOST, BLOG_PORT; livereload also
    # reads its older BLOG_LIVERELOAD_PORT, which wins when both are set).
    "host": os.environ.get("BLOG_HOST", "127.0.0.1"),
    "port": 8000,
    # Remote publishing (rsync over SSH); every value can come from the environment.
    "ssh_user": os.environ.get("BLOG_SSH_USER", ""),
    "ssh_host": os.environ.get("BLOG_SSH_HOST", ""),
    "ssh_port": int(os.environ.get("BLOG_SSH_PORT", "22")),
    "ssh_path": os.environ.get("BLOG_SSH_PATH", ""),
    # A private key for ssh -i, and extra ssh arguments (shell-quoted, e.g.
    # "-o UserKnownHostsFile=/path/known_hosts"); releases kept on the host.
    "ssh_identity_file": os.environ.get("BLOG_SSH_IDENTITY_FILE", ""),
    "ssh_options": os.environ.get("BLOG_SSH_OPTIONS", ""),
    "ssh_keep_releases": int(os.environ.get("BLOG_SSH_KEEP_RELEASES", "5")),
    # GitHub Pages.
    "github_pages_branch": os.environ.get("BLOG_GH_PAGES_BRANCH", "gh-pages"),
    "github_pages_remote": os.environ.get("BLOG_GH_PAGES_REMOTE", "origin"),
    "github_pages_cname": os.environ.get("BLOG_GH_PAGES_CNAME", ""),
    "commit_message": "Publish site",
}


def _build(settings_file: str, checks=None, consequence: str = "") -> Path:
    """Build ``content_path`` into ``deploy_path`` with one settings file; exit 1 on any problem."""
    output = ROOT / CONFIG["deploy_path"]
    report = build_site(ROOT / settings_file, output,
                        {"PATH": str(ROOT / CONFIG["content_path"])}, checks=checks)
    if not report.ok:
        print(f"\nBuild failed with {len(report.problems)} problem(s); "
              f"{CONFIG['deploy_path']}/ was left as it was{consequence}:", file=sys.stderr)
        for problem in report.problems:
            print(f"  {problem}", file=sys.stderr)
        raise Exit(code=1)
    print(f"Built {CONFIG['deploy_path']}/ with {settings_file}" + (" and checked it" if checks else ""))
    return output


@task
def clean(c):
    """Remove the generated files: the output folder and the cache folder."""
    shutil.rmtree(ROOT / CONFIG["deploy_path"], ignore_errors=True)
    shutil.rmtree(ROOT / CONFIG["cache_path"], ignore_errors=True)


@task
def build(c):
    """Build the site for local preview (executes stale or missing samples)."""
    _build(CONFIG["settings_base"])


@task
def rebuild(c):
    """`clean` then `build`."""
    clean(c)
    build(c)


def server_address(*variables: str) -> tuple[str, int, str]:
    """Host, port and the variable the port came from: the first of ``variables`` set in
    the environment, else CONFIG's port (messages then name BLOG_PORT)."""
    variable = next((name for name in variables if os.environ.get(name)), "BLOG_PORT")
    text = os.environ.get(variable, str(CONFIG["port"]))
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise Exit(f"{variable}={text!r} is not a port (give a number from 1 to 65535)", code=2)
    return CONFIG["host"], int(text), variable


def busy_port(host: str, port: int, variable: str, reason: str) -> Exit:
    """The one line for a server that cannot listen (the port is taken, the host unknown)."""
    return Exit(f"cannot serve at {host}:{port} ({reason}): stop what uses that "
                f"port, or choose another with {variable}, e.g. {variable}={port + 1}", code=1)


class AddressReuseTCPServer(RootedHTTPServer):
    allow_reuse_address = True


def _open_server() -> tuple[AddressReuseTCPServer, str]:
    host, port, variable = server_address("BLOG_PORT")
    try:
        server = AddressReuseTCPServer(ROOT / CONFIG["deploy_path"], (host, port),
                                       ComplexHTTPRequestHandler)
    except OSError as err:
        raise busy_port(host, port, variable, err.strerror or str(err)) from None
    return server, f"http://{host}:{server.server_address[1]}/"


def _serve_forever(server: AddressReuseTCPServer, url: str) -> None:
    print(f"Serving {CONFIG['deploy_path']}/ at {url} (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@task
def serve(c):
    """Serve the output folder at http://127.0.0.1:8000/ (BLOG_HOST, BLOG_PORT)."""
    _serve_forever(*_open_server())


@task
def reserve(c):
    """`build`, then `serve` (the port is taken first: a busy one fails before the build)."""
    server, url = _open_server()
    try:
        build(c)
    except BaseException:
        server.server_close()
        raise
    _serve_forever(server, url)


def _checked_publish_build() -> Path:
    """The publish-settings build, then the site checks; exits non-zero on any problem.

    preview, publish and gh_pages all start here, so nothing is deployed unless
    the build was clean (no stale sample: execution is off) and every check passed.
    """

    statuses = post_statuses(_samples_config(CONFIG["settings_publish"]))
    if any(status.stale for status in statuses):
        for status in statuses:
            for line in status.stale_at or ([status.error] if status.error else []):
                print(line, file=sys.stderr)
        raise Exit("Stale sample results: run `invoke build` (or `invoke freeze`) and commit the "
                   "stores; nothing was built, nothing was deployed.", code=1)
    return _build(CONFIG["settings_publish"],
                  checks=lambda site, settings: check_site(site, settings["SITEURL"]),
                  consequence=" and nothing was deployed")


@task
def preview(c):
    """Build with the publish settings (no sample execution: stale results fail), then check."""
    _checked_publish_build()


# Settings the live loop builds with: the content cache on (only edited posts are read
# again), stored without gzip (compressing 1,000 posts costs more than the rebuild).
LIVE_OVERRIDES = {"CACHE_CONTENT": True, "LOAD_CONTENT_CACHE": True, "GZIP_CACHE": False}


@task
def livereload(c):
    """Build, serve, and on every change rebuild the changed pages and reload the browser's page
    (BLOG_HOST, BLOG_PORT; the older BLOG_LIVERELOAD_PORT still works and wins)."""
    content = ROOT / CONFIG["content_path"]
    settings = ROOT / CONFIG["settings_base"]
    host, port, variable = server_address("BLOG_LIVERELOAD_PORT", "BLOG_PORT")
    try:
        serve_live(settings, ROOT / CONFIG["deploy_path"],
                   {"PATH": str(content), "CACHE_PATH": str(ROOT / CONFIG["cache_path"]),
                    **LIVE_OVERRIDES},
                   watched=[content, ROOT / "theme", ROOT / "plugins", settings], root=ROOT,
                   host=host, port=port, full_rebuild_on=(ROOT / "plugins", settings))
    except CannotListen as err:
        raise busy_port(host, port, variable, err.reason) from None


def _ssh_target() -> SshTarget:
    if not (CONFIG["ssh_host"] and CONFIG["ssh_path"]):
        raise Exit("publish is not configured: set BLOG_SSH_HOST and BLOG_SSH_PATH "
                   "(and BLOG_SSH_USER, BLOG_SSH_PORT) or CONFIG in tasks.py", code=2)
    missing = [tool for tool in ("ssh", "rsync") if shutil.which(tool) is None]
    if missing:
        raise Exit(f"publish needs {' and '.join(missing)} "
                   "(Debian: apt-get install openssh-client rsync)", code=2)
    return SshTarget(host=CONFIG["ssh_host"], path=CONFIG["ssh_path"].rstrip("/") or "/",
                     user=CONFIG["ssh_user"], port=CONFIG["ssh_port"],
                     identity_file=CONFIG["ssh_identity_file"],
                     ssh_options=tuple(shlex.split(CONFIG["ssh_options"])),
                     keep_releases=CONFIG["ssh_keep_releases"])


@task
def publish(c):
    """Build with the publish settings, check, and deploy by rsync over SSH (atomic switch)."""
    target = _ssh_target()
    output = _checked_publish_build()
    try:
        release = rsync_deploy(output, target)
    except DeployError as err:
        raise Exit(f"publish to {target.describe()} failed: {err}", code=1) from None
    print(f"Published release {release} to {target.describe()}: "
          f"{target.path}/current points to it")


@task
def gh_pages(c):
    """Build with the publish settings, check, and push the site to a GitHub Pages branch."""
    output = _checked_publish_build()
    remote = resolve_git_remote(ROOT, CONFIG["github_pages_remote"])
    branch = CONFIG["github_pages_branch"]
    try:
        commit = push_gh_pages(output, remote, branch, CONFIG["commit_message"],
                               identity=git_identity(ROOT), cname=CONFIG["github_pages_cname"])
    except DeployError as err:
        raise Exit(f"gh_pages to {branch} of {remote} failed: {err}", code=1) from None
    print(f"Pushed {commit[:12]} to {branch} of {remote}")


def _samples_config(settings_file: str = ""):
    """The sample engine's configuration, read from the settings file builds use."""
    return load_config(ROOT / (settings_file or CONFIG["settings_base"]),
                       {"PATH": str(ROOT / CONFIG["content_path"])})


@task(help={"post": "slug of the post (its folder's name); all posts when left out"})
def freeze(c, post=""):
    """Execute stale or missing samples and write their freeze stores, without building."""
    config = _samples_config()
    sources = config.posts()
    if post:
        sources = [source for source in sources if source.parent.name == post]
        if not sources:
            raise Exit(f"no post {post!r} under {CONFIG['content_path']}/ "
                       f"(posts: {', '.join(s.parent.name for s in config.posts())})", code=2)
    failed = False
    for source in sources:
        try:
            rendered = build_post(source, config)
            write_store(rendered)
            for warning in rendered.warnings:
                print(warning, file=sys.stderr)
        except (SampleError, SampleErrors) as err:
            print(err, file=sys.stderr)
            failed = True
            continue
        print(f"{source.parent.name}: {len(rendered.post.samples)} samples, "
              f"{len(rendered.execution.executed)} executed, "
              f"{len(rendered.execution.changed)} outputs changed")
    if failed:
        raise Exit(code=1)


@task(help={"json": "print the status as JSON", "check": "exit 1 when anything is stale",
            "runs": "also list every run: when it last ran and when its output last changed"})
def samples(c, json=False, check=False, runs=False):
    """Per post: runs, fresh or stale (and why), last verified, last output change, duration."""
    statuses = post_statuses(_samples_config())
    print(status_json(statuses) if json else status_table(statuses))
    if runs and not json:
        print("\n" + runs_table(statuses))
    if check and any(status.stale for status in statuses):
        raise Exit(code=1)


@task(help={"build": "build every lab a post declares that is not built yet",
            "remove": "remove the built labs that no post declares any more"})
def labs(c, build=False, remove=False):
    """The lab each post runs in, which are built here, and how big they are."""
    config = _samples_config()
    if build:
        build_all(config)
    if remove:
        unused = unused_labs(config)
        remove_labs(unused)
        print(f"removed {len(unused)} lab{'s' * (len(unused) != 1)} no post declares")
    print(labs_table(config))


def missing_debian_packages(names: list[str]) -> list[str]:
    missing = []
    for name in names:
        done = subprocess.run(["dpkg-query", "-W", "-f=${Status}", name],
                              capture_output=True, text=True)
        if "install ok installed" not in done.stdout:
            missing.append(name)
    return missing


POLICY_RC_D = Path("/usr/sbin/policy-rc.d")


@contextmanager
def no_service_starts():
    """Refuse service starts while packages install (snmpd, postgresql, openssh-server
    and zabbix start one on a systemd host; the samples run their own), through
    Debian's policy-rc.d, unless the machine already has a policy of its own."""
    if POLICY_RC_D.exists():
        yield
        return
    POLICY_RC_D.write_text("#!/bin/sh\n# tasks.py system_deps: no service starts while it installs.\n"
                           "exit 101\n")
    POLICY_RC_D.chmod(0o755)
    try:
        yield
    finally:
        POLICY_RC_D.unlink(missing_ok=True)


@task
def system_deps(c):
    """Install the Debian packages the tests need (as root), or say how to."""
    missing = missing_debian_packages(list(debian_listing(ROOT / "requirements-debian.txt")))
    if not missing:
        return
    line = "apt-get install -y --no-install-recommends " + " ".join(missing)
    if os.geteuid() != 0:
        raise Exit(f"These Debian packages are missing; as root run:\n  apt-get update && {line}",
                   code=1)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    c.run("apt-get update -q", env=env)
    with no_service_starts():
        c.run(line + " -q", env=env)


@task
def node_deps(c):
    """Install the npm packages the browser tests use, exactly as package-lock.json pins them."""
    if not (ROOT / "package-lock.json").is_file():
        return
    if shutil.which("npm") is None:
        raise Exit("npm is missing: install Node.js and npm (Debian: apt-get install nodejs npm)",
                   code=1)
    with c.cd(str(ROOT)):
        c.run("npm ci --no-audit --no-fund --loglevel=error")


@task(help={"quick": "N=5 smoke run instead of the full measurement"})
def bench(c, quick=False):
    """Measure builds, rebuilds and sample execution against vanilla Pelican (bench/)."""
    c.run(f"{shlex.quote(sys.executable)} bench/run.py" + (" --quick" if quick else ""), pty=False)


@task(help={"args": "extra arguments for pytest (e.g. -k stores)"})
def corpus(c, args=""):
    """Run the bad-input corpus (tests/corpus/) and print it as a table with the counts."""
    with tempfile.TemporaryDirectory(prefix="corpus-report-") as folder:
        report = Path(folder) / "results.jsonl"
        done = c.run(f"{shlex.quote(sys.executable)} -m pytest -p no:cacheprovider -n 2 -q -m corpus "
                     f"tests/corpus/test_corpus.py {args}", env={"CORPUS_REPORT": str(report)},
                     warn=True, pty=False, hide="out")
        rows = [json.loads(line) for line in report.read_text().splitlines()] if report.is_file() else []
    print(corpus_table(rows))
    if not done.ok or not rows:
        print(done.stdout[-4000:], file=sys.stderr)
        raise Exit(code=1)


def corpus_table(rows: list[dict]) -> str:
    """Category, case, expected message (first line), result; then the counts."""
    order = ["directives", "markdown", "stores", "runs", "builds", "publish"]
    rows = sorted(rows, key=lambda r: (order.index(r["category"]) if r["category"] in order else 99,
                                       r["case"]))
    width = max([len(r["case"]) for r in rows] + [4])
    lines = [f"{'category':<11} {'case':<{width}} {'result':<6} expected message",
             f"{'-' * 11} {'-' * width} {'-' * 6} {'-' * 16}"]
    for row in rows:
        message = row["expected"].replace("\n", " ⏎ ")
        lines.append(f"{row['category']:<11} {row['case']:<{width}} {row['result']:<6} {message}")
    passed = sum(row["result"] == "pass" for row in rows)
    per = ", ".join(f"{name} {sum(r['category'] == name for r in rows)}"
                    for name in order if any(r["category"] == name for r in rows))
    lines.append(f"\n{len(rows)} cases ({per}): {passed} passed, {len(rows) - passed} failed")
    return "\n".join(lines)


@task(help={"args": "extra arguments for pytest"})
def test(c, args=""):
    """Install what the tests need, then run the whole test suite."""
    system_deps(c)
    node_deps(c)
    started = time.monotonic()
    built = build_all(_samples_config())  # before the workers start: progress in one place
    print(f"{len(built)} labs ready in {time.monotonic() - started:.1f} s")
    c.run(f"{shlex.quote(sys.executable)} -m pytest -n {test_workers()} --dist loadfile {args}", pty=False)


def test_workers() -> int:
    """One worker more than the machine has cores: about a third of the suite waits on
    sessions' daemons, browsers and subprocesses, and the third worker fills that wait
    (measured on 2 cores: 156 s with 2 workers, 141 s with 3, no better with 4)."""
    return (os.cpu_count() or 1) + 1
