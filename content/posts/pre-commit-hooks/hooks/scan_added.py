"""Scan the lines each commit of a range adds; a merge, the lines its resolution adds.

Usage: scan_added.py [BASE..HEAD]. Without a range (as a pre-push hook):
PRE_COMMIT_FROM_REF..PRE_COMMIT_TO_REF, else all the pushed branch's history;
pre-commit sets them for the first pushed ref with new commits only, and not if
it brings a root commit. Paths matching a pattern in .secrets-allow are skipped.
A shallow clone is refused when a listed commit's parents are missing.
A finding reads COMMIT:PATH:N, line N of PATH as COMMIT left it.
"""

import os
import re
import subprocess
import sys

from no_secrets import PATTERNS, allowed, load_allowlist

HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
ESCAPE = re.compile(rb'\\([0-7]{3}|[abtnvfr"\\])')  # git's C-style quoting of odd paths
CHARS = dict(zip(b'abtnvfr"\\', b'\a\b\t\n\v\f\r"\\'))


def git(*args: str) -> bytes:
    return subprocess.run(["git", *args], capture_output=True, check=True).stdout


def shallow_boundary() -> set[bytes]:
    """The commits whose parents a shallow clone lacks."""
    try:
        with open(git("rev-parse", "--git-path", "shallow").rstrip(b"\n"), "rb") as f:
            return set(f.read().split())
    except FileNotFoundError:
        return set()


def changes(commit: str) -> bytes:
    """The commit's diff; for a merge, against git's own merge of its parents."""
    parents = len(git("rev-list", "--parents", "-n1", commit).split()) - 1
    if parents > 2:
        raise ValueError("an octopus merge, which --remerge-diff skips")
    merge = parents == 2
    # --text: a file .gitattributes marks binary would show no lines otherwise.
    # The other options undo user settings that would change the diff's form.
    return git("-c", "core.quotePath=false", "show", "--root", "--format=", "--no-color",
               "--no-ext-diff", "--no-textconv", "--src-prefix=a/", "--dst-prefix=b/",
               "--no-relative", "--no-show-signature", "--no-notes", "--no-renames",
               "-U0", "--inter-hunk-context=0", "--text", "--diff-filter=d",
               *(["--remerge-diff"] if merge else []), commit, "--")


def new_path(header: bytes) -> str | None:
    """The path in a '+++ b/PATH' line; None for '+++ /dev/null'."""
    name = header[4:].removesuffix(b"\t")  # git adds a tab after a name with a space
    if name == b"/dev/null":
        return None
    if name[:1] == b'"':
        name = ESCAPE.sub(lambda m: bytes([int(m[1], 8) if len(m[1]) == 3 else CHARS[m[1][0]]]),
                          name[1:-1])
    if not name.startswith(b"b/"):
        raise ValueError(f"unexpected header {header!r}")
    return name[2:].decode("utf-8", "surrogateescape")


def added_lines(commit: str):
    """Yield (path, line number, line) per added line."""
    path = number = None
    header = False  # until the file's first hunk
    left = 0  # lines this hunk has yet to add
    for line in changes(commit).split(b"\n")[:-1]:
        if line.startswith(b"+") and left:
            yield path, number, line[1:]
            number, left = number + 1, left - 1
        elif line.startswith(b"diff --git "):
            path, header = None, True  # a type change has two; a conflict may have no +++
        elif header and line.startswith(b"+++ "):
            path = new_path(line)
        elif hunk := HUNK.match(line):
            number, left, header = int(hunk[1]), int(hunk[2] or 1), False
            if left and path is None:
                raise ValueError(f"hunk without a file: {line!r}")
        elif not (header or line.startswith((b"-", b"\\"))):
            raise ValueError(f"unexpected line {line[:60]!r}")


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
        version = re.match(rb"git version (\d+)\.(\d+)", git("version"))
    except FileNotFoundError:
        print("scan_added.py: git not found", file=sys.stderr)
        return 2
    if not version or (int(version[1]), int(version[2])) < (2, 36):
        print("scan_added.py: needs git 2.36 or later (for --remerge-diff)", file=sys.stderr)
        return 2
    try:
        listed = git("rev-list", "--reverse", "--abbrev-commit",
                     "--end-of-options", commits, "--").decode().split()
    except subprocess.CalledProcessError:
        print(f"scan_added.py: cannot list the commits of {commits}", file=sys.stderr)
        return 2
    # In a shallow clone a range stops at the commits whose parents are missing,
    # which git shows as roots: the commits before them would go unscanned.
    cut = shallow_boundary()
    for commit in listed:
        if any(full.startswith(commit.encode()) for full in cut):
            print(f"scan_added.py: a shallow clone lacks {commit}'s parents; fetch the whole history",
                  file=sys.stderr)
            return 2
    try:
        allowlist = load_allowlist()
    except ValueError as error:
        print(f"scan_added.py: {error}", file=sys.stderr)
        return 2
    found = 0
    for commit in listed:
        try:
            lines = list(added_lines(commit))
        except subprocess.CalledProcessError as error:
            print(f"scan_added.py: git show {commit} failed: {error.stderr.decode(errors='replace').strip()}",
                  file=sys.stderr)
            return 2
        except ValueError as error:
            print(f"scan_added.py: cannot read the diff of {commit}: {error}", file=sys.stderr)
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
