"""heritage/plaques reads top-down: no import cycle, even through imports inside functions."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "heritage" / "plaques"


def imports(path: Path) -> set[str]:
    """Sibling modules a module imports anywhere in its text (top level or in a function)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == 1 and module:
                found.add(module.split(".")[0])
            elif node.level == 1:
                found.update(alias.name for alias in node.names)
            elif module.startswith("heritage.plaques."):
                found.add(module.split(".")[2])
            elif module == "heritage.plaques":
                found.update(alias.name for alias in node.names)
    siblings = {p.stem for p in PACKAGE.glob("*.py")}
    return (found & siblings) - {path.stem}


def test_no_import_cycles_in_the_plaques_package():
    graph = {p.stem: imports(p) for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    assert "layout" not in graph["designs"] and "weathering" not in graph["decoding"]
    assert "verify" not in graph["weathering"]
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, " -> ".join((*path, module))
        if module in done:
            return
        for target in graph.get(module, ()):
            visit(target, (*path, module))
        done.add(module)

    for module in graph:
        visit(module, ())
