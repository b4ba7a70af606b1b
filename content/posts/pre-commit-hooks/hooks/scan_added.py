"""Scan the lines each commit of a range adds; a merge, the lines its resolution adds.

Usage: scan_added.py [BASE..HEAD]. Without a range (as a pre-push hook):
PRE_COMMIT_FROM_REF..PRE_COMMIT_TO_REF, else all the pushed branch's history;
pre-commit sets them for the first pushed branch only, and not if it brings a
root commit. Paths matching a pattern in .secrets-allow are skipped.
A finding reads COMMIT:PATH:N, line N of PATH as COMMIT left it.
"""

import os
import re
import subprocess
import sys

from no_secrets import PATTERNS, allowed, load_allowlist

HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@")


def git(*args: str) -> bytes:
    return subprocess.run(["git", *args], capture_output=True, check=True).stdout


def changes(commit: str, *options: str) -> bytes:
    """The commit's diff; for a merge, against git's own merge of its parents."""
    merge = len(git("rev-list", "--parents", "-n1", commit).split()) > 2
    return git("show", "--root", "--format=", "--no-color", "--no-ext-diff", "--no-textconv",
               *(["--remerge-diff"] if merge else []), *options, commit, "--")


def added_lines(commit: str):
    """Yield (path, line number, line) for each line the commit adds, from one diff."""
    names = changes(commit, "-z", "--name-only", "--diff-filter=d")
    paths = iter(names.decode("utf-8", "surrogateescape").split("\0")[:-1])
    # --text: a file .gitattributes marks binary would show no lines otherwise.
    diff = changes(commit, "-U0", "--text", "--diff-filter=d")
    path = number = None  # None until the file's first hunk: lines before are headers
    for line in diff.split(b"\n"):
        if line.startswith(b"diff --git "):
            path, number = next(paths), None  # files come in --name-only's order
        elif hunk := HUNK.match(line):
            number = int(hunk[1])
        elif number is not None and line.startswith(b"+"):
            yield path, number, line[1:]
            number += 1


def main(argv: list[str]) -> int:
    sys.stdout.reconfigure(errors="backslashreplace")  # paths need not be UTF-8
    if len(argv) > 1:
        print("usage: scan_added.py [BASE..HEAD]", file=sys.stderr)
        return 2
    if argv:
        commits = argv[0]
    else:
        commits = (os.environ.get("PRE_COMMIT_TO_REF")
                   or os.environ.get("PRE_COMMIT_LOCAL_BRANCH") or "HEAD")
        if base := os.environ.get("PRE_COMMIT_FROM_REF"):
            commits = f"{base}..{commits}"
    try:
        listed = git("rev-list", "--reverse", "--abbrev-commit",
                     "--end-of-options", commits, "--")
    except subprocess.CalledProcessError:
        print(f"scan_added.py: cannot list the commits of {commits}", file=sys.stderr)
        return 2
    allowlist = load_allowlist()
    found = 0
    for commit in listed.decode().split():
        try:
            lines = list(added_lines(commit))
        except subprocess.CalledProcessError as error:
            print(f"scan_added.py: git show {commit} failed: {error.stderr.decode(errors='replace').strip()}",
                  file=sys.stderr)
            return 2
        for path, number, line in lines:
            if allowed(path, allowlist):
                continue
            for kind, pattern in PATTERNS.items():
                if pattern.search(line):
                    print(f"{commit}:{path}:{number}: looks like {kind}")
                    found += 1
    if found:
        print("Already committed: rewrite the branch if unpushed, else rotate it.")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
