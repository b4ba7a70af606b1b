"""Lighthouse 12.2.3 (npm, pinned) on the tag page and one article, in Debian's
Chromium: accessibility must be 1.0; the other scores are written to
test-artifacts/lighthouse/ and printed for the record."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess

import pytest

from .conftest import ARTIFACTS, CHROMIUM, CHROMIUM_FLAGS, npm_file, require

pytestmark = pytest.mark.browser

PAGES = {"tag": "/tag/code/", "article": "/posts/counting-words/"}
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]


def lighthouse(url: str, report_path) -> dict:
    """One Lighthouse run (mobile defaults, simulated throttling); its JSON report."""
    cli = npm_file("lighthouse/cli/index.js")
    require(CHROMIUM, "Chromium", "apt-get install chromium")
    # --no-sandbox: CI runs as root, where Chromium refuses its sandbox.
    chrome_flags = " ".join(shlex.quote(f) for f in ["--headless=new", "--no-sandbox", *CHROMIUM_FLAGS])
    command = ["node", str(cli), url, "--quiet", "--output=json", f"--output-path={report_path}",
               f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={chrome_flags}"]
    process = subprocess.Popen(command, env={**os.environ, "CHROME_PATH": str(CHROMIUM)},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        out, err = process.communicate(timeout=240)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # Lighthouse and the Chromium it started
        process.communicate()
        pytest.fail(f"Lighthouse did not finish within 240 s on {url}")
    assert process.returncode == 0, f"Lighthouse failed on {url}:\n{err[-3000:]}"
    return json.loads(report_path.read_text())


@pytest.mark.parametrize("name", list(PAGES))
def test_lighthouse_accessibility_is_perfect(base_url, name):
    folder = ARTIFACTS / "lighthouse"
    folder.mkdir(parents=True, exist_ok=True)
    report = lighthouse(base_url + PAGES[name], folder / f"{name}.json")
    scores = {key: report["categories"][key]["score"] for key in CATEGORIES}
    (folder / f"{name}-scores.json").write_text(json.dumps(scores, indent=2) + "\n")
    print(f"Lighthouse {name} {PAGES[name]}: {scores}")
    failing = [f"{audit}: {report['audits'][audit]['title']}"
               for audit in (ref["id"] for ref in report["categories"]["accessibility"]["auditRefs"])
               if report["audits"][audit]["score"] not in (None, 1)]
    assert scores["accessibility"] == 1, failing
