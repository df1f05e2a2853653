"""The layering of the package, checked from its source: arrows point one way
(cli → commands → core, store, outputs; store and outputs use core; core uses
nothing else of duban's) and no module imports, even inside a function, a
module that imports it back."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "duban"
# layer -> the layers it may import from (itself included)
ALLOWED = {
    "core": {"core"},
    "store": {"store", "core"},
    "outputs": {"outputs", "core"},
    "commands": {"commands", "core", "store", "outputs"},
    "cli": {"cli", "commands", "outputs", "core"},
}


def imports(package: Path) -> dict[str, set[str]]:
    """module -> the modules of the same package it imports (at the top or inside functions)."""
    name = package.name
    out: dict[str, set[str]] = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module == name:  # from duban import x
                    found |= {f"{name}.{a.name}" for a in node.names}
                elif node.module.startswith(name + "."):
                    found.add(node.module)
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names if a.name.startswith(name + ".")}
            elif isinstance(node, ast.ImportFrom) and node.level:
                raise AssertionError(f"{path}: relative import; duban uses absolute imports")
        out[module] = {m for m in found if m != module}
    return out


def layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in ALLOWED) else None


def upward(graph: dict[str, set[str]]) -> list[str]:
    bad = []
    for module, targets in graph.items():
        mine = layer(module)
        for t in sorted(targets):
            theirs = layer(t)
            if mine in ALLOWED and theirs is not None and theirs not in ALLOWED[mine]:
                bad.append(f"{module} → {t}")
    return bad


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_arrows_point_one_way():
    assert upward(imports(PACKAGE)) == []


def test_no_import_cycles():
    assert cycles(imports(PACKAGE)) == []


def test_every_module_is_in_a_layer():
    top = {m for m in imports(PACKAGE) if m.count(".") <= 1}
    assert top == {"duban", "duban.__main__", *(f"duban.{name}" for name in ALLOWED)}


@pytest.fixture
def toy(tmp_path) -> Path:
    """A copy of the layering in miniature: duban/core/a.py, duban/store/b.py, duban/cli/c.py."""
    pkg = tmp_path / "duban"
    for sub in ("core", "store", "cli"):
        (pkg / sub).mkdir(parents=True)
        (pkg / sub / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "core" / "a.py").write_text("X = 1\n", encoding="utf-8")
    (pkg / "store" / "b.py").write_text("from duban.core.a import X\n", encoding="utf-8")
    (pkg / "cli" / "c.py").write_text("def f():\n    from duban.store.b import X\n", encoding="utf-8")
    return pkg


def test_the_contract_fails_when_a_cycle_or_an_upward_import_is_introduced(toy):
    assert upward(imports(toy)) == ["duban.cli.c → duban.store.b"]  # the CLI goes through commands
    (toy / "cli" / "c.py").write_text("X = 2\n", encoding="utf-8")
    assert upward(imports(toy)) == [] and cycles(imports(toy)) == []
    # core importing store, inside a function, is both an upward import and a cycle
    (toy / "core" / "a.py").write_text("X = 1\n\ndef g():\n    from duban.store.b import X\n", encoding="utf-8")
    assert upward(imports(toy)) == ["duban.core.a → duban.store.b"]
    assert cycles(imports(toy)) == [["duban.core.a", "duban.store.b"]]
