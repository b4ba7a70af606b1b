"""Refuse JSON files that do not parse or that repeat a key in one object."""

import json
import sys


class DuplicateKey(ValueError):
    pass


def unique_keys(pairs: list[tuple[str, object]]) -> dict:
    """Build the object, refusing a repeated key (json keeps the last)."""
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise DuplicateKey(key)
        obj[key] = value
    return obj


class NotJson(ValueError):
    pass


def no_constant(name: str) -> float:
    """Refuse NaN, Infinity and -Infinity: Python reads them, JSON has none."""
    raise NotJson(name)


def main(paths: list[str]) -> int:
    broken = 0
    for path in paths:
        try:
            with open(path, encoding="utf-8-sig") as f:  # a leading BOM is allowed
                # parse_int=str: no limit on digits (int() refuses over 4300).
                json.load(f, object_pairs_hook=unique_keys, parse_constant=no_constant,
                          parse_int=str)
        except json.JSONDecodeError as error:
            print(f"{path}:{error.lineno}:{error.colno}: {error.msg}")
            broken += 1
        except DuplicateKey as error:
            print(f"{path}: key {json.dumps(error.args[0])} repeated in one object")
            broken += 1
        except NotJson as error:
            print(f"{path}: {error.args[0]} is not a JSON value")
            broken += 1
        except RecursionError:
            print(f"{path}: nested too deeply to check")
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
