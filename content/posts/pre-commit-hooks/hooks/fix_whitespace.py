"""Strip trailing whitespace and end every text file with exactly one newline.

pre-commit passes the staged file names as arguments. The hook rewrites the
files it changes and exits 1, so that the commit stops and the author can
look at the changes and stage them.
"""

import sys


def cleaned(content: bytes) -> bytes:
    """Return content without trailing blanks and with a single final newline."""
    lines = [line.rstrip() for line in content.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return b"\n".join(lines) + b"\n" if lines else b""


def main(paths: list[str]) -> int:
    changed = 0
    for path in paths:
        with open(path, "rb") as f:
            content = f.read()
        fixed = cleaned(content)
        if fixed != content:
            with open(path, "wb") as f:
                f.write(fixed)
            print(f"fixed whitespace in {path}")
            changed += 1
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
