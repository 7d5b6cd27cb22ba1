"""The package's imports go one way: no cycles, and no module imports from a layer above its own.

Imports are read from the source with ``ast``, those inside functions too (they run
later, but they are dependencies all the same), and a module depends on the
``__init__`` of every package above it, as Python runs those first.

    python tests/test_layers.py     # prints the import graph: module -> modules it imports
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "conclib"

#: Lowest first. A module may import from its own layer and the layers below.
LAYERS: list[tuple[str, set[str]]] = [
    ("the language, records, contract, settings and arithmetic",
     {"conclib.i18n", "conclib._base", "conclib.course", "conclib._amdahl", "conclib.reading"}),
    ("machine facts and tasks",
     {"conclib.machine", "conclib.freethreading", "conclib.tasks", "conclib.iotasks", "conclib.ioserver"}),
    ("models", {"conclib.sequential", "conclib.threads", "conclib.processes", "conclib.coroutines",
                "conclib.interpreters", "conclib.cluster"}),
    ("runner and experiments", {"conclib.runner", "conclib.scaling"}),
    ("plotting, checks, the command line and the package", {"conclib", "conclib.__main__"}),
]
#: Subpackages that sit wholly in one layer (their modules included).
SUBPACKAGES = {"conclib.plotting": 4, "conclib.checks": 4}
#: The one import that goes up, made at call time: ``conclib.run(..., live=True)`` builds a
#: ``LiveRace``. The runner needs no plotting otherwise, and this edge closes no cycle (tested).
ALLOWED_UPWARD = {("conclib.runner", "conclib.plotting")}


def module_name(path: Path) -> str:
    parts = ["conclib", *path.relative_to(PACKAGE).with_suffix("").parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that ``name`` imports (absolute names), its parent packages included."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            submodules = {f"{target}.{alias.name}" for alias in node.names} & known
            if len(submodules) < len(node.names):  # it takes a name defined in the module itself
                found.add(target)
            found.update(submodules)
    out = {target for target in found if target in known}
    for target in found:  # importing a.b.c runs a and a.b first, unless they are already running
        out.update(p for p in _parents(target) if p in known and p not in _parents(name))
    out.discard(name)
    return out


def _parents(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: imports_of(name, path, known) for name, path in found.items()}


def layer(name: str) -> int:
    for package, level in SUBPACKAGES.items():
        if name == package or name.startswith(package + "."):
            return level
    for level, (_, names) in enumerate(LAYERS):
        if name in names:
            return level
    raise AssertionError(f"{name} is in no layer: add it to LAYERS in tests/test_layers.py")


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of module names, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_every_module_is_in_a_layer() -> None:
    for name in modules():
        layer(name)


def test_no_import_cycle() -> None:
    cycle = find_cycle(graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_no_module_imports_from_a_layer_above() -> None:
    upward = sorted((name, target) for name, targets in graph().items() for target in targets
                    if layer(target) > layer(name) and (name, target) not in ALLOWED_UPWARD)
    assert not upward, f"imports from a higher layer: {upward}"


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_only_plotting_imports_matplotlib() -> None:
    for name, path in modules().items():
        if name == "conclib.plotting" or name.startswith("conclib.plotting."):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            assert not any(n.split(".")[0] == "matplotlib" for n in names), f"{name} imports matplotlib"


def test_the_language_module_imports_nothing_from_the_package() -> None:
    # every module may translate its messages, so conclib.i18n must sit below all of them
    assert graph()["conclib.i18n"] == set()


def test_the_interval_arithmetic_draws_nothing() -> None:
    assert graph()["conclib.plotting.intervals"] <= {"conclib._base"}
    text = (PACKAGE / "plotting" / "intervals.py").read_text(encoding="utf-8")
    assert "matplotlib" not in text.split('"""', 2)[2]  # not imported below the docstring


#: Lines a module may have; a longer one says why in its docstring ("longer than 300 lines: ...").
MAX_LINES = 300


def test_every_module_is_short_or_says_why() -> None:
    for name, path in modules().items():
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n")
        docstring = ast.get_docstring(ast.parse(text)) or ""
        assert lines <= MAX_LINES or f"longer than {MAX_LINES} lines:" in docstring, (
            f"{name} has {lines} lines; split it, or say in its docstring why it is longer than {MAX_LINES} lines"
        )


if __name__ == "__main__":
    for name, targets in sorted(graph().items()):
        print(f"{name.removeprefix('conclib.') or 'conclib'} -> "
              f"{', '.join(sorted(t.removeprefix('conclib.') for t in targets)) or '-'}")
