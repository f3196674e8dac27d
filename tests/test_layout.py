"""The layout's promises, checked on the source: no import cycles, no private names across modules,
no imports inside functions except the lazy ones at package boundaries, small modules and functions,
and a docstring on every module, class and function.

The limits are the architecture page's (docs/architecture.md); an exception is listed below with why.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "scorer"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
# Modules allowed past MAX_MODULE_LINES, up to a cap, and why (docs/architecture.md says the same).
LONG_MODULES = {
    # The whole Python API in one module a reader scans from top to bottom: one function per command.
    "scorer/api.py": 650,
    # The command line's grammar: every command, option, help text and example, in one place.
    "scorer/cli/parser.py": 500,
}


def _modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name, for its __init__)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _tree(name: str) -> ast.Module:
    return ast.parse(MODULES[name].read_text(encoding="utf-8"))


def _imported(name: str, node: ast.Import | ast.ImportFrom) -> Iterator[tuple[str, str | None]]:
    """(module, name imported from it or None) for each scorer module an import statement names."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name, None
        return
    base = node.module or ""
    if node.level:  # relative: resolved against this module's package
        package = name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0]
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        base = f"{package}.{base}" if base else package
    for alias in node.names:
        yield base, alias.name


def _type_checking(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name) and node.test.id in ("TYPE_CHECKING", "_TYPE_CHECKING")


def _top_level_imports(name: str) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    """The module's import statements run when it loads (not under TYPE_CHECKING), and those inside functions."""
    tree = _tree(name)

    def walk(body: list[ast.stmt], inside_function: bool) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
        for node in body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                yield node, inside_function
            elif isinstance(node, ast.If) and _type_checking(node):
                continue
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield from walk(node.body, True)
            elif isinstance(node, ast.ClassDef):
                yield from walk(node.body, inside_function)
            else:
                for field in ("body", "orelse", "finalbody", "handlers"):
                    inner = getattr(node, field, None)
                    if isinstance(inner, list):
                        yield from walk([n for n in inner if isinstance(n, ast.stmt)], inside_function)
                    if field == "handlers" and isinstance(inner, list):
                        for handler in inner:
                            yield from walk(handler.body, inside_function)

    yield from walk(tree.body, False)


def _edges(name: str) -> set[str]:
    """The scorer modules `name` imports when it loads."""
    edges = set()
    for node, inside in _top_level_imports(name):
        if inside:
            continue
        for module, item in _imported(name, node):
            if item is not None and f"{module}.{item}" in MODULES:
                edges.add(f"{module}.{item}")  # `from package import submodule`
            elif module in MODULES:
                edges.add(module)
    edges.discard(name)
    return edges


def test_no_import_cycles() -> None:
    graph = {name: _edges(name) for name in MODULES}
    state: dict[str, int] = {}  # 1 visiting, 2 done
    stack: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        stack.append(name)
        for other in sorted(graph[name]):
            if state.get(other) == 1:
                cycle = stack[stack.index(other) :] + [other]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if other not in state:
                visit(other)
        stack.pop()
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)


def test_no_private_name_is_imported_from_another_module() -> None:
    found = []
    for name in MODULES:
        for node, _ in _top_level_imports(name):
            for module, item in _imported(name, node):
                if module.startswith("scorer") and item and item.startswith("_") and not item.startswith("__"):
                    found.append(f"{MODULES[name]}:{node.lineno}: {item} from {module}")
    assert not found, "private names imported across modules:\n" + "\n".join(found)


def test_imports_inside_functions_only_at_package_boundaries() -> None:
    # A package's __init__ may load a submodule on first use (start-up time: pydantic, matplotlib,
    # polars after the allocator is set); nowhere else does an import hide inside a function.
    found = []
    for name, path in MODULES.items():
        if path.name == "__init__.py":
            continue
        for node, inside in _top_level_imports(name):
            if inside:
                found.append(f"{path}:{node.lineno}")
        for function in _definitions(_tree(name)):
            for call in ast.walk(function):
                if isinstance(call, ast.Call) and getattr(call.func, "attr", None) == "import_module":
                    found.append(f"{path}:{call.lineno}: importlib.import_module")
    assert not found, "imports inside functions:\n" + "\n".join(found)


def _definitions(tree: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef]:
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield node


def test_modules_and_functions_are_small() -> None:
    too_big = []
    for name, path in MODULES.items():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > LONG_MODULES.get(str(path.relative_to(PACKAGE.parent)), MAX_MODULE_LINES):
            too_big.append(f"{path}: {lines} lines (module)")
        for node in _definitions(_tree(name)):
            if isinstance(node, ast.ClassDef) or node.end_lineno is None:
                continue
            length = node.end_lineno - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                too_big.append(f"{path}:{node.lineno}: {node.name} is {length} lines")
    assert not too_big, "\n".join(too_big)


def test_every_module_class_and_function_says_what_it_is_for() -> None:
    missing = []
    for name, path in MODULES.items():
        tree = _tree(name)
        if not ast.get_docstring(tree):
            missing.append(f"{path}: module")
        for node in _definitions(tree):
            if node.name.startswith("__") and node.name.endswith("__"):
                continue  # dunder methods: what they are for is the language's
            if not ast.get_docstring(node):
                missing.append(f"{path}:{node.lineno}: {node.name}")
    assert not missing, "no docstring:\n" + "\n".join(missing)


def test_the_layout_test_sees_the_package() -> None:
    # Guards the checks above against passing on an empty walk.
    assert {"scorer", "scorer.model.fields", "scorer.engine.matcher", "scorer.cli.shell"} <= set(MODULES)
    assert "scorer.model.fields" in _edges("scorer.model.frame")
