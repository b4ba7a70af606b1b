"""Strip trailing whitespace and end every text file with exactly one newline.

pre-commit passes the staged file names as arguments. The hook rewrites the
files it changes and exits 1, so that the commit stops and the author can
look at the changes and stage them.

Every line keeps its own line ending, so a CRLF file stays CRLF. In Markdown,
two spaces at the end of a line of text are a hard line break and are kept.
Files whose trailing whitespace means something else (patches, recorded output)
are left out with `exclude` in .pre-commit-config.yaml. A file holding a NUL
byte is binary whatever its name says (identify tags *.key as text) and is
left as it is.
"""

import os
import re
import sys
import tempfile

BLANKS = b" \t\f\v"  # bytes.strip()'s whitespace less \r and \n, as stock strips
MARKDOWN_SUFFIXES = (".md", ".markdown")


def cleaned(content: bytes, markdown: bool = False) -> bytes:
    """Return content without trailing whitespace and with a single final newline."""
    lines = []
    for line in content.splitlines(keepends=True):
        text = line.rstrip(b"\r\n")
        ending = line[len(text):]  # \n, \r\n or \r, kept as it was
        kept = text.rstrip(BLANKS)
        if markdown and kept and text.endswith(b"  "):
            kept += b"  "  # a Markdown hard line break
        lines.append(kept + ending)
    while lines and not lines[-1].strip(b"\r\n"):
        lines.pop()  # blank lines at the end of the file
    if lines and not lines[-1].endswith((b"\n", b"\r")):
        first = re.search(rb"\r\n|\n|\r", content)
        lines[-1] += first.group() if first else b"\n"
    return b"".join(lines)


def replace(path: str, content: bytes) -> None:
    """Write content to path through a temporary file, so that a failed write
    leaves the old file whole; the file keeps its permissions."""
    fd, temporary = tempfile.mkstemp(dir=os.path.dirname(path) or ".", prefix=".fix-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
        os.chmod(temporary, os.stat(path).st_mode & 0o7777)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def main(paths: list[str]) -> int:
    changed = 0
    for path in paths:
        try:
            with open(path, "rb") as f:
                content = f.read()
        except OSError as error:
            print(f"{path}: cannot read: {error.strerror}")
            changed += 1
            continue
        if b"\0" in content:
            continue  # binary: a DER key, a zip, an image
        fixed = cleaned(content, markdown=path.lower().endswith(MARKDOWN_SUFFIXES))
        if fixed != content:
            try:
                replace(path, fixed)
            except OSError as error:
                print(f"{path}: cannot write: {error.strerror}")
            else:
                print(f"fixed whitespace in {path}")
            changed += 1
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
