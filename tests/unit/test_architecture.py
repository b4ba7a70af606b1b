"""The layout's promises, read from the source: no import cycle among the modules under
plugins/, an engine core without Pelican, a sandbox (and verify.py) with nothing but the
standard library, as the archives ship them to readers."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PLUGINS = Path(__file__).resolve().parents[2] / "plugins"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PLUGINS).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PLUGINS.rglob("*.py"))}


def imports_of(path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules ``path`` imports (at any depth of the file: inside functions too)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_among_the_plugins_modules():
    known = modules()
    graph = {name: imports_of(path, known) for name, path in known.items()}
    assert {"engine.execute", "engine.render"} <= graph["engine.pipeline"]  # the graph is read
    assert "sandbox.session" in graph["sandbox"] and "sandbox" in graph["reproduce.verify"]
    assert cycles(graph) == []


def test_the_engine_core_does_not_import_pelican():
    known = modules()
    offenders = [name for name, path in known.items() if name.startswith("engine")
                 and any(word in ("pelican", "samples", "sitebuild", "reproduce")
                         for word in _top_level_imports(path))]
    assert offenders == []


def test_the_sandbox_and_verify_need_only_the_standard_library():
    shipped = [*sorted((PLUGINS / "sandbox").glob("*.py")), PLUGINS / "reproduce" / "verify.py"]
    allowed = set(sys.stdlib_module_names) | {"__future__", "sandbox"}
    outside = {f"{path.name}: {name}" for path in shipped for name in _top_level_imports(path)
               if name not in allowed}
    assert outside == set()


def _top_level_imports(path: Path) -> set[str]:
    """First names of absolute imports (relative ones stay inside the package)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level:
            names.add((node.module or "").split(".")[0])
    return names
