"""`invoke serve`, `reserve` and `livereload` listen where BLOG_HOST and BLOG_PORT say (the
live loop's older BLOG_LIVERELOAD_PORT still works), and a busy port is one line naming the
variable to change."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request

import pytest
from conftest import INVOKE, ROOT, post


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def taken_port():
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    yield holder.getsockname()[1]
    holder.close()


def task_env(site, **env: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BLOG_")}
    clean.update(BLOG_CONTENT_PATH=str(site.content), BLOG_OUTPUT_PATH=str(site.root / "published"),
                 BLOG_CACHE_PATH=str(site.root / "cache"), **env)
    return clean


@pytest.mark.parametrize("task", ["serve", "reserve", "livereload"])
def test_a_busy_port_is_one_line_naming_the_variable(site, taken_port, task):
    site.write({"posts/demo/index.md": post("Demo", "2024-01-01", "code", "Lead.\n")})
    done = subprocess.run([str(INVOKE), task], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env=task_env(site, BLOG_PORT=str(taken_port)))
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"cannot serve at 127.0.0.1:{taken_port} (Address already in use): stop what uses that "
        f"port, or choose another with BLOG_PORT, e.g. BLOG_PORT={taken_port + 1}"]
    assert not (site.root / "published").exists()  # refused before building anything


def test_the_live_loops_old_variable_still_works_and_is_named(site, taken_port):
    site.write({"posts/demo/index.md": post("Demo", "2024-01-01", "code", "Lead.\n")})
    done = subprocess.run([str(INVOKE), "livereload"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env=task_env(site, BLOG_LIVERELOAD_PORT=str(taken_port),
                                                    BLOG_PORT=str(free_port())))
    assert done.returncode == 1
    assert f"choose another with BLOG_LIVERELOAD_PORT, e.g. BLOG_LIVERELOAD_PORT={taken_port + 1}" \
        in done.stderr


def test_serve_listens_on_blog_host_and_blog_port(site):
    (site.root / "published").mkdir(parents=True)
    (site.root / "published/index.html").write_text("<title>served</title>\n")
    port = free_port()
    server = subprocess.Popen([str(INVOKE), "serve"], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                              env=task_env(site, BLOG_PORT=str(port), BLOG_HOST="127.0.0.2"),
                              start_new_session=True, preexec_fn=from_a_terminal)
    try:
        assert server.stdout.readline().strip() == \
            f"Serving {site.root / 'published'}/ at http://127.0.0.2:{port}/ (Ctrl-C to stop)"
        deadline = time.monotonic() + 10
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.2:{port}/") as response:
                    assert b"served" in response.read()
                break
            except OSError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
    finally:
        stop(server)


def from_a_terminal() -> None:
    """In the child before exec: Ctrl-C at its default, as a shell gives a foreground job.
    A background job of a non-interactive shell (how CI may start the suite) inherits
    SIGINT ignored, and Python then keeps it ignored: `invoke serve` would never stop."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def stop(server: subprocess.Popen) -> None:
    """Ctrl-C for the server's group, as a terminal sends it: the server must stop."""
    os.killpg(server.pid, signal.SIGINT)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        try:
            with open(f"/proc/{server.pid}/status") as status:
                state = " ".join(line.strip() for line in status if line.startswith("Sig"))
        except OSError:
            state = "unknown"
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
        pytest.fail(f"`invoke serve` ignored Ctrl-C for 30 s and was killed ({state})")


def test_a_port_that_is_not_a_number_is_refused(site):
    done = subprocess.run([str(INVOKE), "serve"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, env=task_env(site, BLOG_PORT="eighty"))
    assert done.returncode == 2
    assert done.stderr.strip() == "BLOG_PORT='eighty' is not a port (give a number from 1 to 65535)"
