"""Refuse JSON files that do not parse or that repeat a key in one object."""

import json
import json.decoder
import json.scanner
import sys


class DuplicateKey(ValueError):
    pass


class StrictDecoder(json.JSONDecoder):
    """A decoder that refuses a key repeated in one object (json keeps the last)."""

    def __init__(self) -> None:
        super().__init__(object_pairs_hook=self.unique_keys)
        self.opened = []  # (document, offset) of each object being parsed
        self.parse_object = self.track_object
        self.scan_once = json.scanner.py_make_scanner(self)  # calls parse_object

    def track_object(self, s_and_end, *args):
        self.opened.append(s_and_end)
        try:
            return json.decoder.JSONObject(s_and_end, *args)
        finally:
            self.opened.pop()

    def unique_keys(self, pairs: list[tuple[str, object]]) -> dict:
        obj = {}
        for key, value in pairs:
            if key in obj:
                document, offset = self.opened[-1]
                raise DuplicateKey(key, document.count("\n", 0, offset) + 1)
            obj[key] = value
        return obj


def main(paths: list[str]) -> int:
    broken = 0
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                json.load(f, cls=StrictDecoder)
        except json.JSONDecodeError as error:
            print(f"{path}:{error.lineno}:{error.colno}: {error.msg}")
            broken += 1
        except DuplicateKey as error:
            key, line = error.args
            print(f"{path}:{line}: duplicate key {json.dumps(key)} in the object opened here")
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
