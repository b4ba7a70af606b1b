"""Which pinned distributions a run's Python processes imported.

The engine puts one ``.pth`` file into the project's virtual environment.  It does
nothing unless ``SAMPLE_IMPORTS_DIR`` is set, which only sessions do; there it adds
an audit hook that appends the top-level name of every non-standard module a
process imports to ``<dir>/<run line>.<pid>``, as the import happens, so servers
that are killed later have recorded theirs too.  A ``.pth`` file is read even
under ``python -I``; only ``python -S`` (no site module) escapes the record.

A run's dependencies are then the distributions of the names imported by it and by
the runs before it in its session (a later run may talk to a server an earlier one
started), restricted to the pinned ones: only a changed pin can change them.
"""

from __future__ import annotations

import importlib.metadata
import sys
import sysconfig
from functools import cache
from pathlib import Path

from .keys import normalize

PTH_NAME = "code-that-runs-samples.pth"
FOLDER_VARIABLE = "SAMPLE_IMPORTS_DIR"
RUN_VARIABLE = "SAMPLE_RUN"
# One line: .pth files execute lines that start with "import".
PTH_LINE = (
    "import os, sys; exec(" + repr(
        "def _samples_imports():\n"
        "    import os, sys\n"
        "    folder = os.environ.get('SAMPLE_IMPORTS_DIR')\n"
        "    if not folder or hasattr(sys, '_samples_imports'):\n"
        "        return\n"
        "    sys._samples_imports = True\n"
        "    path = os.path.join(folder, os.environ.get('SAMPLE_RUN', '0') + '.' + str(os.getpid()))\n"
        "    try:\n"
        "        out = open(path, 'a', buffering=1, encoding='utf-8')\n"
        "    except OSError:\n"
        "        return\n"
        "    seen = set(sys.stdlib_module_names) | set(sys.builtin_module_names)\n"
        "    def hook(event, args):\n"
        "        if event == 'import':\n"
        "            top = str(args[0]).partition('.')[0]\n"
        "            if top not in seen:\n"
        "                seen.add(top)\n"
        "                try:\n"
        "                    out.write(top + '\\n')\n"
        "                except Exception:\n"
        "                    pass\n"
        "    sys.addaudithook(hook)\n"
        "_samples_imports()\n"
        "del _samples_imports\n"
    ) + ") if os.environ.get('SAMPLE_IMPORTS_DIR') else None\n"
)


@cache
def install_hook() -> bool:
    """Put the .pth file into the running virtual environment; False where impossible
    (not a venv, or read-only), and then runs record no imports."""
    if sys.prefix == sys.base_prefix:
        return False
    target = Path(sysconfig.get_paths()["purelib"]) / PTH_NAME
    try:
        if not target.is_file() or target.read_text(encoding="utf-8") != PTH_LINE:
            temporary = target.with_suffix(".tmp")
            temporary.write_text(PTH_LINE, encoding="utf-8")
            temporary.replace(target)
    except OSError:
        return False
    return True


def imported_names(folder: Path) -> dict[int, set[str]]:
    """Run line -> top-level names its processes imported, from the record files."""
    names: dict[int, set[str]] = {}
    for path in folder.glob("*.*"):
        line, _, _pid = path.name.partition(".")
        if line.isdigit():
            names.setdefault(int(line), set()).update(path.read_text(encoding="utf-8").split())
    return names


@cache
def _distributions_of_names() -> dict[str, tuple[str, ...]]:
    return {name: tuple(normalize(d) for d in dists)
            for name, dists in importlib.metadata.packages_distributions().items()}


def pinned_distributions(names: set[str], pins: dict[str, str]) -> dict[str, str]:
    """The pinned distributions (name -> version) that provide ``names``."""
    providers = _distributions_of_names()
    found = {dist for name in names for dist in providers.get(name, ()) if dist in pins}
    return {dist: pins[dist] for dist in sorted(found)}


def session_dependencies(lines: list[int], by_line: dict[int, set[str]] | None,
                         pins: dict[str, str]) -> list[dict | None]:
    """Per run (in order), the pins of what it and the runs before it imported;
    None for every run when no record could be taken (``by_line`` is None)."""
    if by_line is None:
        return [None] * len(lines)
    seen: set[str] = set()
    result = []
    for line in lines:
        seen |= by_line.get(line, set())
        result.append(pinned_distributions(seen, pins))
    return result
