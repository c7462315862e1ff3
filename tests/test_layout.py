"""The package's layout: no import circle between its modules, the simulator's layers, the size cap.

The import graph is read from the source (``ast``), not from ``sys.modules``: every ``import`` and
``from ... import`` of the package, wherever it is (module level, inside a function, under
``if TYPE_CHECKING:``), is an edge. A circle that only type checking closes still couples the modules
(neither can be read, moved or split without the other), so it counts. The strongly connected
components (Tarjan) of more than one module are the circles.
"""

from __future__ import annotations

import ast
from pathlib import Path

import multimarkets_async

PACKAGE = Path(multimarkets_async.__file__).parent

ALLOWED_EDGES = frozenset({("multimarkets_async.errors", "multimarkets_async.protocol.error_codes")})
"""Import edges left out of the circle check, each on purpose.

``errors.__getattr__`` looks the moved API-code names up in ``protocol.error_codes`` lazily, only to
warn that they moved (``_deprecation.forward_moved_names``). It goes with the shims next release:
then delete the edge here (``test_allowed_edges_are_still_needed`` fails to say so).
"""

BELOW_THE_SERVER = ("_http", "_sockets", "_faults", "_partners", "_exchange")
"""The ``testing`` packages that ``testing._server`` assembles, and that never import it."""

MAX_MODULE_LINES = 450
"""The house cap on a module's length (small modules with one job)."""

Graph = dict[str, set[str]]


def module_files(root: Path) -> dict[str, Path]:
    """Every module of the package at ``root``, by dotted name (a package is its ``__init__``)."""
    modules: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The modules of ``modules`` that module ``name`` (at ``path``) imports, anywhere in its source.

    ``from m import x`` is an edge to ``m.x`` when that is a module, else to ``m``.
    """
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module or ""
            for alias in node.names:
                candidate = f"{source}.{alias.name}"
                targets.add(candidate if candidate in modules else source)
    return {t for t in targets if t in modules and t != name}


def import_graph(root: Path) -> Graph:
    """For each module of the package at ``root``, the modules of the same package it imports."""
    modules = module_files(root)
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def circles(graph: Graph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def without(graph: Graph, edges: frozenset[tuple[str, str]]) -> Graph:
    """``graph`` with ``edges`` left out."""
    return {source: {t for t in targets if (source, t) not in edges} for source, targets in graph.items()}


# ---------------------------------------------------------------------------- the package


def test_no_import_circle() -> None:
    graph = without(import_graph(PACKAGE), ALLOWED_EDGES)
    assert circles(graph) == []


def test_allowed_edges_are_still_needed() -> None:
    graph = import_graph(PACKAGE)
    stale = {(source, target) for source, target in ALLOWED_EDGES if target not in graph.get(source, ())}
    assert stale == set(), "the import is gone: remove it from ALLOWED_EDGES"


def test_simulator_layers_never_import_the_server() -> None:
    graph = import_graph(PACKAGE)
    server = "multimarkets_async.testing._server"
    below = tuple(f"multimarkets_async.testing.{layer}" for layer in BELOW_THE_SERVER)
    offending = sorted(
        (source, target)
        for source, targets in graph.items()
        if source.startswith(below)
        for target in targets
        if target == server or target.startswith(server + ".")
    )
    assert offending == []


def test_modules_stay_under_the_line_cap() -> None:
    too_long = {
        name: lines
        for name, path in module_files(PACKAGE).items()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert too_long == {}


# ---------------------------------------------------------------------------- the scanner itself


def _plant(root: Path, files: dict[str, str]) -> Path:
    package = root / "pkg"
    for relative, text in {"__init__.py": "", **files}.items():
        path = package / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return package


def test_scanner_finds_a_circle_closed_under_type_checking(tmp_path: Path) -> None:
    package = _plant(
        tmp_path,
        {
            "sub/__init__.py": "",
            "sub/a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .b import B\n",
            "sub/b.py": "from pkg.sub import c\n",
            "sub/c.py": "def f():\n    from ..sub.a import A\n",
            "d.py": "from .sub import a\n",
        },
    )
    graph = import_graph(package)
    assert graph["pkg.d"] == {"pkg.sub.a"}
    assert circles(graph) == [["pkg.sub.a", "pkg.sub.b", "pkg.sub.c"]]
    assert circles(without(graph, frozenset({("pkg.sub.c", "pkg.sub.a")}))) == []


def test_scanner_resolves_names_of_a_package_to_its_init(tmp_path: Path) -> None:
    package = _plant(tmp_path, {"a.py": "from pkg import VALUE\nimport pkg.b\n", "b.py": "import os\n"})
    assert import_graph(package) == {"pkg": set(), "pkg.a": {"pkg", "pkg.b"}, "pkg.b": set()}
