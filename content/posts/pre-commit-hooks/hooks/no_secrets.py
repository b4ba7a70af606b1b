"""Refuse to commit private keys and access tokens.

A secret that reaches a shared repository has to be treated as leaked, even
if the commit is reverted a minute later: clones and forks keep it. This hook
stops the most recognisable kinds before they are committed.
"""

import re
import sys

PATTERNS = {
    "private key": re.compile(rb"-----BEGIN ([A-Z]+ )*PRIVATE KEY-----"),
    "AWS access key id": re.compile(rb"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(rb"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "GitHub fine-grained token": re.compile(rb"\bgithub_pat_[A-Za-z0-9_]{82}\b"),
    "Slack token": re.compile(rb"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
}


def find_secrets(path: str):
    """Yield (line number, kind) for every line of the file that holds a secret."""
    with open(path, "rb") as f:
        for number, line in enumerate(f, start=1):
            for kind, pattern in PATTERNS.items():
                if pattern.search(line):
                    yield number, kind


def main(paths: list[str]) -> int:
    found = 0
    for path in paths:
        for number, kind in find_secrets(path):
            # Name the place, never print the secret itself: hook output
            # ends up in terminals, CI logs and chat.
            print(f"{path}:{number}: looks like a {kind}")
            found += 1
    if found:
        print("Keep secrets out of git: unstage the file (git rm --cached FILE),")
        print("list it in .gitignore, and load the value from the environment or")
        print("a secret store.")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
