"""Scan the lines each commit of a range adds, merge commits excepted.

Usage: scan_added.py [BASE..HEAD]. Without a range (as a pre-push hook):
PRE_COMMIT_FROM_REF..PRE_COMMIT_TO_REF, else all of HEAD's history; pre-commit
sets them for the first pushed branch only, and not if it brings a root commit.
A finding reads COMMIT:PATH:N, line N of PATH as COMMIT left it.
"""

import os
import re
import subprocess
import sys

from no_secrets import PATTERNS

HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@")


def git(*args: str) -> bytes:
    return subprocess.run(["git", *args], capture_output=True, check=True).stdout


def added_lines(commit: str, path: str):
    """Yield (line number, line) for each line the commit adds to the file."""
    # --text: a file .gitattributes marks binary would show no lines otherwise.
    diff = git("show", "-U0", "--text", "--no-color", "--no-ext-diff",
               "--no-textconv", "--format=", commit, "--", f":(literal){path}")
    number = None  # None until the first hunk: lines before it are headers
    for line in diff.split(b"\n"):
        if hunk := HUNK.match(line):
            number = int(hunk[1])
        elif number is not None and line.startswith(b"+"):
            yield number, line[1:]
            number += 1


def main(argv: list[str]) -> int:
    sys.stdout.reconfigure(errors="backslashreplace")  # paths need not be UTF-8
    if len(argv) > 1:
        print("usage: scan_added.py [BASE..HEAD]", file=sys.stderr)
        return 2
    if argv:
        commits = argv[0]
    else:
        commits = os.environ.get("PRE_COMMIT_TO_REF") or "HEAD"
        if base := os.environ.get("PRE_COMMIT_FROM_REF"):
            commits = f"{base}..{commits}"
    try:
        listed = git("rev-list", "--no-merges", "--reverse", "--abbrev-commit",
                     "--end-of-options", commits, "--")
    except subprocess.CalledProcessError:
        print(f"scan_added.py: cannot list the commits of {commits}", file=sys.stderr)
        return 2
    found = 0
    for commit in listed.decode().split():
        paths = git("diff-tree", "-r", "-z", "--root", "--no-commit-id",
                    "--name-only", "--diff-filter=d", commit)
        for path in paths.decode("utf-8", "surrogateescape").split("\0")[:-1]:
            for number, line in added_lines(commit, path):
                for kind, pattern in PATTERNS.items():
                    if pattern.search(line):
                        print(f"{commit}:{path}:{number}: looks like {kind}")
                        found += 1
    if found:
        print("Already committed: rewrite the branch if unpushed, else rotate it.")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
