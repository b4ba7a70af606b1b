"""The sandbox on its own: settings and run specs as data, comparison, and one session's
processes, limits, locks and folder (real processes, no post, no build)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from sandbox import (
    RunFailure,
    RunSpec,
    Session,
    Settings,
    apply_masks,
    differences,
    figure_differences,
    figure_digest,
)
from sandbox.processes import alive

QUICK = Settings(kill_grace=0.5, output_cap=4096)


def run(command: str, line: int = 3, **options) -> RunSpec:
    return RunSpec(line=line, kind="run", command=command, **options)


def run_alone(tmp_path: Path, spec: RunSpec, settings: Settings = QUICK) -> tuple[Session, str]:
    with Session(tmp_path, settings, bin_dir=Path(sys.executable).parent) as session:
        return session, session.run(spec).output


# --- data ---------------------------------------------------------------------------

def test_settings_and_specs_survive_a_manifest_round_trip():
    settings = Settings(output_cap=10, kill_grace=2.5)
    assert Settings.from_dict(settings.as_dict()) == settings
    spec = RunSpec(line=9, kind="exec", lang="python", body="print(1)", masks=(r"\d+",),
                   needs=("gdb",), environment={"PYTHONPATH": "{work}"}, memory_max=1 << 26)
    assert RunSpec.from_dict({**spec.as_dict(), "output": "1\n", "verified": "2026-12-05"}) == spec


def test_settings_this_version_does_not_know_are_refused():
    with pytest.raises(ValueError, match="unknown sandbox settings: cpu_max"):
        Settings.from_dict({**Settings().as_dict(), "cpu_max": 2})


def test_differences_name_the_exit_status_and_diff_the_masked_outputs():
    assert apply_masks("port 4711 up\n", (r"\d+",)) == "port … up\n"
    assert differences("took 3 ms\n", 0, "took 5 ms\n", 0, (r"\d+ ms",)) == []
    assert differences("a\nb\n", 0, "a\nc\n", 1, (), "index.md line 7") == [
        "exit status 1, recorded 0", "--- index.md line 7 (recorded)",
        "+++ index.md line 7 (fresh run)", "@@ -1,2 +1,2 @@", " a", "-b", "+c"]


def test_a_figure_that_varies_must_be_written_and_may_differ():
    recorded = {"name": "rss.svg", "sha256": figure_digest(b"<svg/>"), "bytes": 6}
    assert figure_differences("rss.svg", recorded, b"<svg></svg>", varies=True) == []
    assert figure_differences("rss.svg", recorded, None, varies=True) == [
        "figure rss.svg was not written (recorded: 6 bytes)"]


def test_figure_differences_name_the_figure_and_both_sizes():
    recorded = {"name": "chart.svg", "sha256": figure_digest(b"<svg/>"), "bytes": 6}
    assert figure_differences("chart.svg", recorded, b"<svg/>") == []
    assert figure_differences("", None, None) == []  # the run makes no figure
    assert figure_differences("chart.svg", recorded, b"<svg></svg>") == [
        "figure chart.svg changed: 6 bytes recorded, 11 bytes in the fresh run (sha256 "
        f"{recorded['sha256'][:12]} → {figure_digest(b'<svg></svg>')[:12]})"]
    assert figure_differences("chart.svg", recorded, None) == [
        "figure chart.svg was not written (recorded: 6 bytes)"]


# --- one session ----------------------------------------------------------------------

def test_a_figure_the_run_wrote_comes_back_with_its_result(tmp_path):
    spec = run("printf '<svg/>' > chart.svg; echo drawn", figure="chart.svg")
    with Session(tmp_path, QUICK) as session:
        result = session.run(spec)
        missing = session.run(run("true", figure="other.svg"))
        with pytest.raises(RunFailure) as caught:
            session.run(run("head -c 5000 /dev/zero > big.svg", figure="big.svg"))
    assert (result.output, result.figure) == ("drawn\n", b"<svg/>")
    assert missing.figure is None
    assert caught.value.message == "wrote the figure big.svg of 5000 bytes, over the 4 KiB output cap"


def test_output_interleaves_streams_and_writes_the_folder_as_its_placeholder(tmp_path):
    (tmp_path / "app.txt").write_text("hello\n")
    _, output = run_alone(tmp_path, run("cat app.txt; echo err >&2; pwd; echo $HOME"))
    assert output == "hello\nerr\n/tmp/sample/work\n/tmp/sample/home\n"


def test_an_exec_block_runs_outside_the_work_folder_and_imports_from_it(tmp_path):
    (tmp_path / "helper.py").write_text("NAME = 'helper'\n")
    spec = RunSpec(line=4, kind="exec", lang="python", environment={"PYTHONPATH": "{work}"},
                   body="import os\nprint(sorted(os.listdir('.')))\nimport helper\nprint(helper.NAME)")
    assert run_alone(tmp_path, spec)[1] == "['helper.py']\nhelper\n"


def test_standard_input_is_at_end_of_file(tmp_path):
    assert run_alone(tmp_path, run("cat; read -r line || echo eof", timeout=5))[1] == "eof\n"


@pytest.mark.parametrize("spec, message", [
    (run("sleep 20", timeout=0.3),
     "timed out after 0.3 s and was killed with its whole process group"),
    (run("head -c 5000 /dev/zero | tr '\\0' x"), "printed 5000 bytes, over the 4 KiB output cap"),
    (run("printf 'ok \\x80'"), "printed bytes that are not UTF-8 (byte 0x80 at offset 3)"),
])
def test_a_run_without_a_result_to_compare_is_a_failure(tmp_path, spec, message):
    with Session(tmp_path, QUICK) as session, pytest.raises(RunFailure) as caught:
        session.run(spec)
    assert caught.value.message == message


def test_closing_escalates_to_sigkill_for_what_ignores_sigterm(tmp_path):
    with Session(tmp_path, QUICK) as session:
        session.run(run("(trap '' TERM; exec sleep 5002) > /dev/null 2>&1 & echo $! > pid"))
        stubborn = int((session.work / "pid").read_text())
        assert alive(stubborn)
        killed = session.close()
    assert stubborn in killed and not alive(stubborn)


def test_a_failing_copy_leaves_no_folder(tmp_path, monkeypatch):
    made: list[str] = []
    real = __import__("tempfile").mkdtemp

    def mkdtemp(**kwargs):
        made.append(real(**kwargs))
        return made[-1]

    def copytree(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("sandbox.session.tempfile.mkdtemp", mkdtemp)
    monkeypatch.setattr("sandbox.session.shutil.copytree", copytree)
    (tmp_path / "post").mkdir()
    with pytest.raises(OSError, match="No space left"):
        Session(tmp_path / "post", QUICK).open()
    assert made and not os.path.exists(made[0])


# --- isolation (root, as CI runs) ----------------------------------------------------

@pytest.fixture
def as_root():
    assert os.geteuid() == 0, "network namespaces and cgroup caps need root (CI runs as root)"


def test_a_session_sees_only_loopback(tmp_path, as_root):
    session, output = run_alone(tmp_path, run(
        "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '; "
        "ip route show table all | grep -v ' dev lo ' | wc -l"))
    assert output == "lo\n0\n"


def test_the_namespace_is_inspected_and_removed(tmp_path, as_root):
    with Session(tmp_path, QUICK) as session:
        name = session.network.name
        assert session.network.problems() == []
        assert os.path.exists(f"/run/netns/{name}")
    assert not os.path.exists(f"/run/netns/{name}")
    assert shutil.which("ip")
