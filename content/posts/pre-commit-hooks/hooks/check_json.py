"""Refuse JSON files that do not parse."""

import json
import sys


def main(paths: list[str]) -> int:
    broken = 0
    for path in paths:
        with open(path, encoding="utf-8") as f:
            try:
                json.load(f)
            except json.JSONDecodeError as error:
                print(f"{path}:{error.lineno}:{error.colno}: {error.msg}")
                broken += 1
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
