"""Refuse JSON files that do not parse."""

import json
import sys


def main(paths: list[str]) -> int:
    broken = 0
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                json.load(f)
        except json.JSONDecodeError as error:
            print(f"{path}:{error.lineno}:{error.colno}: {error.msg}")
            broken += 1
        except UnicodeDecodeError as error:
            print(f"{path}: not UTF-8 (byte 0x{error.object[error.start]:02x} at offset {error.start})")
            broken += 1
        except OSError as error:
            print(f"{path}: cannot read: {error.strerror}")
            broken += 1
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
