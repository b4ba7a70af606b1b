"""Refuse to commit private keys and access tokens.

A secret that reaches a shared repository has to be treated as leaked, even
if the commit is reverted a minute later: clones and forks keep it. This hook
stops the most recognisable kinds before they are committed. A file kept on
purpose (a test key) is listed in .secrets-allow, one path pattern a line.
"""

import fnmatch
import re
import sys

PATTERNS = {
    "a private key": re.compile(rb"-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----"),
    "an AWS access key ID": re.compile(rb"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),
    "a GitHub token": re.compile(rb"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "a GitHub fine-grained token": re.compile(rb"\bgithub_pat_[A-Za-z0-9_]{82}\b"),
    "a Slack token": re.compile(rb"\b(xox[abprs]|xapp)-[A-Za-z0-9-]{10,}"),
}


def load_allowlist(name: str = ".secrets-allow") -> list[str]:
    """Read the path patterns of files allowed to hold secrets ('#' starts a comment)."""
    try:
        with open(name, encoding="utf-8") as f:
            lines = [line.split("#", 1)[0].strip() for line in f]
    except FileNotFoundError:
        return []
    except UnicodeDecodeError:
        raise ValueError(f"{name}: cannot read: not UTF-8") from None
    except OSError as error:
        raise ValueError(f"{name}: cannot read: {error.strerror}") from None
    return [line for line in lines if line]


def allowed(path: str, patterns: list[str]) -> bool:
    """True if the path matches a pattern; * matches across folders too."""
    return any(fnmatch.fnmatchcase(path, pattern) for pattern in patterns)


def find_secrets(path: str) -> list[tuple[int, str]]:
    """Return (line number, kind) for every line of the file that holds a secret."""
    found = []
    with open(path, "rb") as f:
        for number, line in enumerate(f, start=1):
            for kind, pattern in PATTERNS.items():
                if pattern.search(line):
                    found.append((number, kind))
    return found


def main(paths: list[str]) -> int:
    try:
        allowlist = load_allowlist()
    except ValueError as error:
        print(error)
        return 1
    found = unreadable = 0
    for path in paths:
        if allowed(path, allowlist):
            continue
        try:
            hits = find_secrets(path)
        except OSError as error:
            print(f"{path}: cannot read: {error.strerror}")
            unreadable += 1
            continue
        for number, kind in hits:
            # Name the place, never print the secret itself: hook output
            # ends up in terminals, CI logs and chat.
            print(f"{path}:{number}: looks like {kind}")
            found += 1
    if found:
        print("Load secrets from the environment. For a secret file:")
        print("git rm --cached FILE, then list it in .gitignore.")
    return 1 if found or unreadable else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
