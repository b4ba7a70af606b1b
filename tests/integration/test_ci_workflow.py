"""The GitHub Actions workflow: actionlint finds nothing in it, and the matrix it computes
(one job per post, from the engine's own list) is the posts on disk."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml
from conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
WORKFLOW = WORKFLOWS / "verify-and-publish.yml"


def test_actionlint_finds_nothing_in_the_workflows():
    actionlint = Path(sys.executable).with_name("actionlint")
    assert actionlint.is_file(), "actionlint is missing: pip install -r requirements.txt"
    done = subprocess.run([str(actionlint), "-no-color", *map(str, sorted(WORKFLOWS.glob("*.yml")))],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_is_not_silent_on_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text().replace("needs: posts", "needs: no-such-job", 1))
    actionlint = Path(sys.executable).with_name("actionlint")
    done = subprocess.run([str(actionlint), "-no-color", str(broken)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 1 and "no-such-job" in done.stdout


def test_the_matrix_the_workflow_computes_is_the_posts_on_disk(tmp_path):
    jobs = yaml.safe_load(WORKFLOW.read_text())["jobs"]
    step = next(s for s in jobs["posts"]["steps"] if s.get("id") == "list")
    assert jobs["verify"]["strategy"]["matrix"]["slug"] == "${{ fromJSON(needs.posts.outputs.slugs) }}"
    output = tmp_path / "github-output"
    done = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=ROOT, capture_output=True, text=True,
                          env={"GITHUB_OUTPUT": str(output), "PATH": "/usr/bin:/bin"}, timeout=300)
    assert done.returncode == 0, done.stderr
    key, _, value = output.read_text().strip().partition("=")
    on_disk = sorted(path.parent.name for path in (ROOT / "content" / "posts").glob("*/index.md"))
    assert key == "slugs" and sorted(json.loads(value)) == on_disk
    assert len(on_disk) >= 5
