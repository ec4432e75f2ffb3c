"""No import circles among the core modules: each module reads on its own, top to bottom.

Circles hide behind imports inside functions (``from .explain import explain`` in a method), so
every import statement counts, wherever it stands. A package's ``__init__`` is left out: it
gathers its modules' names and is imported by them only for a registry (``crdt.TYPES``).
"""

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
# The text CRDT's modules are being reorganised on their own; everything else in the core is here.
PACKAGES = ("crdt", "clocks", "checkers", "consistency")


def _module_name(path: pathlib.Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def _imports(path: pathlib.Path) -> set[str]:
    """Every edgekit module ``path`` imports, at the top or inside a function."""
    package = _module_name(path).rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            names = [f"{base}.{a.name}" for a in node.names] + [base]
            out.update(n for n in names if (ROOT / (n.replace(".", "/") + ".py")).is_file())
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if (ROOT / (a.name.replace(".", "/") + ".py")).is_file())
    return out


def _graph() -> dict[str, set[str]]:
    files = [p for pkg in PACKAGES for p in (ROOT / "edgekit" / pkg).glob("*.py")
             if p.name != "__init__.py" and not p.name.startswith("_text") and p.name != "text.py"]
    files += [ROOT / "edgekit" / "geo.py", ROOT / "edgekit" / "coordination.py"]
    return {_module_name(p): _imports(p) for p in files}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import circle, each as the list of modules around it (depth-first search)."""
    found, state = [], {}

    def visit(m, path):
        state[m] = "open"
        for n in sorted(graph.get(m, ())):
            if state.get(n) == "open":
                found.append(path[path.index(n):] + [n])
            elif n in graph and n not in state:
                visit(n, path + [n])
        state[m] = "done"

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    return found


def test_no_import_circles_in_the_core():
    assert cycles(_graph()) == []


@pytest.mark.parametrize("pair", [("edgekit.checkers.explain", "edgekit.checkers.linearizability"),
                                  ("edgekit.crdt.convergence", "edgekit.crdt.laws")])
def test_the_two_circles_issue_11_named_are_gone(pair):
    graph = _graph()
    a, b = pair
    assert not (b in graph[a] and a in graph[b])


def test_the_cycle_finder_sees_a_circle_inside_a_function():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
