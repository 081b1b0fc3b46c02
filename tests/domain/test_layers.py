"""The code's shape, checked: no import cycles (imports inside functions count), and each
layer of workbench/ imports only the layers below it."""

import ast
from pathlib import Path

ROOT = Path(__file__).parents[2]

# lowest first; a module imports its own layer and those before it
LAYERS = (
    ("workbench.rules.refusals",  # the one error type, raised from every layer
     "workbench.clock", "workbench.paths", "workbench.read_ahead", "workbench.child_process"),
    ("workbench.rules", "workbench.sync.protocol"),
    ("workbench.store",),
    ("workbench.files", "workbench.sync"),
    ("workbench.services",),
    ("workbench.demo", "workbench.cli"),
    ("ui",),
)


def layer_of(module: str) -> int:
    """The layer of a module: the longest matching prefix wins (sync.protocol is below
    the rest of sync)."""
    found = [(len(prefix), level) for level, prefixes in enumerate(LAYERS)
             for prefix in prefixes if module == prefix or module.startswith(prefix + ".")]
    assert found, f"{module} is in no layer"
    return max(found)[1]


def import_graph() -> dict[str, set[str]]:
    modules = {}
    for package in ("workbench", "ui"):
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            modules[name.removesuffix(".__init__")] = path
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                targets = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            else:
                continue
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name and not target.startswith(name + "."):
                    graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_no_module_takes_part_in_an_import_cycle():
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_one():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_every_layer_imports_only_the_layers_below_it():
    upward = [f"{module} -> {target}" for module, targets in import_graph().items()
              for target in targets
              if target.startswith(("workbench.", "ui")) and
              layer_of(target) > layer_of(module)]
    assert upward == []


def test_workbench_never_imports_ui():
    assert not [m for m, targets in import_graph().items() if m.startswith("workbench")
                and any(t.startswith("ui") for t in targets)]
