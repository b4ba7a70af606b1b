"""The "Reproduce this post" archive of a fixture post, and its verify.py run as a reader would."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import tarfile
import zipfile
from pathlib import Path

import pytest
from conftest import FixtureSite, post
from reproduce.archive import FIXED_MTIME

ROOT = Path(__file__).resolve().parents[2]
DEBIAN_PYTHON = "/usr/bin/python3"
SLUG = "words"
LEFTOVER = "3017"  # a background sleep's duration, to find it if it were left running

POST = post("Counting words", "2024-03-01", "code", f"""
    Lead.

    ```console {{run="printf 'one two\\nthree\\n' > words.txt && python app.py words.txt"}}
    ```

    ```console {{run="pwd && echo $HOME && sh -c 'echo failing; exit 3'" exit=3}}
    ```

    ```python {{exec}}
    import os
    print("pid", os.getpid(), "cwd", os.getcwd())
    ```

    ```console {{run="git --version" needs="git" mask="version [0-9.]+"}}
    ```

    ```console {{run="sleep {LEFTOVER} & echo started in the background" session="server"}}
    ```

    ```console {{run="sleep 0.6; echo slow" session="server"}}
    ```

    ```console {{run="ip -o link show | cut -d: -f2" session="server"}}
    ```
""", extra="Sample-Mask: pid \\d+\nLab-Packages: git\n")


def built_site(site: FixtureSite) -> FixtureSite:
    site.write({f"posts/{SLUG}/index.md": POST,
                f"posts/{SLUG}/app.py": "import sys\nprint(len(open(sys.argv[1]).read().split()), 'words')\n"})
    (site.root / "requirements-debian.txt").write_text("git: git\n")
    report = site.build()
    assert report.ok, report.problems
    return site


@pytest.fixture(scope="module")
def built_once(tmp_path_factory) -> FixtureSite:
    return built_site(FixtureSite(tmp_path_factory.mktemp("reproduce") / "site"))


@pytest.fixture
def built(built_once, tmp_path) -> FixtureSite:
    """A copy of the site built once for this module (tests may change their copy)."""
    copy = FixtureSite(tmp_path / "site")
    shutil.copytree(built_once.root, copy.root, symlinks=True)
    return copy


def extract(archive: Path, into: Path) -> Path:
    """As a reader does: GNU tar, into a folder outside the project."""
    subprocess.run(["tar", "xzf", str(archive), "-C", str(into)], check=True)
    return into / f"{SLUG}-reproduce"


def verify_in(folder: Path, *args: str) -> subprocess.CompletedProcess:
    """verify.py with Debian's interpreter and a PATH that holds no project venv; it must
    leave neither a process of the post's nor its network namespace behind."""
    process = subprocess.Popen([DEBIAN_PYTHON, "verify.py", *args], cwd=folder, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})
    stdout, stderr = process.communicate(timeout=120)
    assert leftovers(process.pid) == []
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def leftovers(pid: int) -> list[str]:
    """The background sleep of the fixture post, if verify.py (``pid``) left it running."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "cmdline").read_bytes() == f"sleep\0{LEFTOVER}\0".encode():
                found.append(entry.name)
        except OSError:
            continue
    return found


def test_archives_are_byte_identical_across_builds_and_hold_what_runs_see(built, tmp_path):
    folder = built.output / "posts" / SLUG
    first = {name: (folder / name).read_bytes() for name in (f"{SLUG}-reproduce.tar.gz", f"{SLUG}-reproduce.zip")}
    assert built.build(CACHE_PATH=str(tmp_path / "fresh-cache")).ok  # compressed again, not reused
    assert first == {name: (folder / name).read_bytes() for name in first}
    assert sorted(p.name for p in (tmp_path / "fresh-cache" / "reproduce").iterdir()) == sorted(
        p.name for p in (built.root / "cache" / "reproduce").iterdir())
    with tarfile.open(fileobj=io.BytesIO(first[f"{SLUG}-reproduce.tar.gz"])) as tar:
        members = tar.getmembers()
        data = b"".join(tar.extractfile(m).read() for m in members if m.isfile())
    names = [m.name for m in members]
    top = f"{SLUG}-reproduce"
    assert names == sorted(names)
    assert {f"{top}/verify.py", f"{top}/manifest.json", f"{top}/requirements.txt",
            f"{top}/debian-packages.txt", f"{top}/files/app.py"} <= set(names)
    # the sandbox package verify.py imports, every module of it, as the engine runs it
    assert {f"{top}/sandbox/{path.name}" for path in (ROOT / "plugins/sandbox").glob("*.py")} \
        == {name for name in names if name.startswith(f"{top}/sandbox/")}
    assert not [n for n in names if n.endswith(("index.md", "samples.frozen.json"))]
    assert {(m.mtime, m.uid, m.gid, m.uname) for m in members} == {(FIXED_MTIME, 0, 0, "root")}
    assert str(built.root).encode() not in data and b"/tmp/sample-" not in data
    with zipfile.ZipFile(io.BytesIO(first[f"{SLUG}-reproduce.zip"])) as archive:
        assert archive.namelist() == [n + "/" if m.isdir() else n for n, m in zip(names, members)]


def test_a_changed_file_changes_the_archive_with_the_cache_on(built, tmp_path):
    archive = built.output / "posts" / SLUG / f"{SLUG}-reproduce.tar.gz"
    before = archive.read_bytes()
    built.write({f"posts/{SLUG}/notes.txt": "a file the runs do not read\n"})
    assert built.build().ok  # same cache folder as the first build
    (tmp_path / "after").mkdir()
    assert archive.read_bytes() != before
    assert (extract(archive, tmp_path / "after") / "files" / "notes.txt").read_text() == \
        "a file the runs do not read\n"
    assert len(list((built.root / "cache" / "reproduce").iterdir())) == 2  # this archive's two


def tree(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_mode & 0o777, p.read_bytes())
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_zip_unpacks_to_the_same_tree_as_the_tar(built, tmp_path):
    folder = built.output / "posts" / SLUG
    (tmp_path / "tar").mkdir()
    from_tar = extract(folder / f"{SLUG}-reproduce.tar.gz", tmp_path / "tar")
    subprocess.run(["unzip", "-q", str(folder / f"{SLUG}-reproduce.zip"), "-d", str(tmp_path / "zip")],
                   check=True)
    assert tree(tmp_path / "zip" / f"{SLUG}-reproduce") == tree(from_tar)
    assert tree(from_tar)["verify.py"][0] == 0o755


def test_page_offers_both_archives_with_their_size_and_what_the_reader_needs(built):
    section = built.html(f"posts/{SLUG}/index.html").find(id="reproduce-heading").parent
    links = {a["href"].rsplit("/", 1)[1]: a.parent.get_text() for a in section.find_all("a")}
    assert set(links) == {f"{SLUG}-reproduce.tar.gz", f"{SLUG}-reproduce.zip"}
    size = (built.output / "posts" / SLUG / f"{SLUG}-reproduce.tar.gz").stat().st_size
    assert f"({size / 1024:.1f} KiB)" in links[f"{SLUG}-reproduce.tar.gz"]
    text = " ".join(section.get_text().split())
    assert "all 7 runs" in text and "Python 3.9 or later" in text
    assert "Its runs execute in their lab, Debian 13 (trixie) with git:" in text
    assert "apt-get install mmdebstrap uidmap mount" in text and "MiB from Debian's mirror" in text


def test_verify_replays_every_run_and_leaves_nothing_running(built, tmp_path):
    folder = extract(built.output / "posts" / SLUG / f"{SLUG}-reproduce.tar.gz", tmp_path)
    done = verify_in(folder, "--json", str(tmp_path / "report.json"))
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert [line[:1] for line in lines if line[:1] in "✓✗"] == ["✓"] * 7
    assert "✓ line 9 printf 'one two\\nthree\\n' > words.txt && python app.py words.txt" in lines
    assert lines[-1] == "7 of 7 runs match"
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["status"] == 0 and [r["line"] for r in report["runs"]] == [9, 12, 15, 20, 23, 26, 29]


def test_a_tampered_output_exits_1_with_a_diff_naming_the_line(built, tmp_path):
    folder = extract(built.output / "posts" / SLUG / f"{SLUG}-reproduce.tar.gz", tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    run = manifest["sessions"][0]["runs"][0]
    assert run["output"] == "3 words\n"
    run["output"] = "4 words\n"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    done = verify_in(folder)
    assert done.returncode == 1, done.stdout + done.stderr
    assert re.search(r"^✗ line 9 printf", done.stdout, re.MULTILINE)
    assert "--- index.md line 9 (recorded)" in done.stdout
    assert "    -4 words" in done.stdout and "    +3 words" in done.stdout
    assert done.stdout.splitlines()[-1] == "6 of 7 runs match, 1 differ"


def test_a_timeout_kills_the_group_and_fails_the_run(built, tmp_path):
    folder = extract(built.output / "posts" / SLUG / f"{SLUG}-reproduce.tar.gz", tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["sessions"][1]["runs"][1]["timeout"] = 0.3
    (folder / "manifest.json").write_text(json.dumps(manifest))
    done = verify_in(folder, "--post-line", "26")
    assert done.returncode == 1
    assert "· line 23 sleep 3017 & echo started in the background (replayed)" in done.stdout
    assert "timed out after 0.3 s and was killed with its whole process group" in done.stdout


def test_on_the_host_a_missing_tool_exits_2_with_the_install_line_before_running_anything(built, tmp_path):
    folder = extract(built.output / "posts" / SLUG / f"{SLUG}-reproduce.tar.gz", tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["tools"]["no-such-tool-4711"] = "no-such-package"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    done = verify_in(folder, "--host")
    assert done.returncode == 2
    assert done.stdout.splitlines()[1:] == ["missing tools: no-such-tool-4711",
                                            "install them with: sudo apt-get install no-such-package"]


def test_post_line_replays_the_session_up_to_the_sample(built, tmp_path):
    folder = extract(built.output / "posts" / SLUG / f"{SLUG}-reproduce.tar.gz", tmp_path)
    done = verify_in(folder, "--post-line", "15")
    assert done.returncode == 0, done.stdout
    lines = done.stdout.splitlines()
    assert lines[0].startswith("replaying in Debian 13 (trixie) (Debian 13.")
    assert [line.split(" ", 3)[:3] for line in lines[1:]] == [
        ["·", "line", "9"], ["·", "line", "12"], ["✓", "line", "15"], ["1", "of", "1"]]
    unknown = verify_in(folder, "--post-line", "10")
    assert unknown.returncode == 2 and "runs are at lines 9, 12, 15, 20, 23, 26, 29" in unknown.stdout


def test_debian_packages_names_the_lab_and_the_line_that_installs_it_here(built, tmp_path):
    folder = extract(built.output / "posts" / SLUG / f"{SLUG}-reproduce.tar.gz", tmp_path)
    lines = (folder / "debian-packages.txt").read_text().splitlines()
    assert lines[0].startswith("# The runs of this post execute in its lab, Debian trixie")
    assert lines[-2:] == ["#   sudo apt-get install git", "git: git"]
