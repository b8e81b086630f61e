"""The shape of the code: bookings stand alone, galleries build on them, the project package ties
both together, and no module imports one that imports it back.

Every module of the three packages is parsed (not imported), so an import inside a function counts
as much as one at the top of the file.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("photostudio", "bookings", "galleries")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    return {module_name(path): path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))}


def imported_names(path: Path, module: str) -> Iterator[str | tuple[str, str]]:
    """Every dotted name `module` imports, with relative imports made absolute; `from x import y`
    gives the pair (x, x.y), as y may be a module or a name defined in x."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            yield from ((base, f"{base}.{alias.name}") for alias in node.names)


def import_graph() -> dict[str, set[str]]:
    """Module → the project modules it imports. Only explicit imports count: importing `a.b` also
    runs `a/__init__.py`, but that is not `a.b` depending on `a`."""
    modules = project_modules()

    def ours(name: str | tuple[str, str]) -> str | None:
        if isinstance(name, tuple):  # from x import y: the module x.y if there is one, else x
            name = name[1] if name[1] in modules else name[0]
        return name if name in modules else None

    return {
        module: {target for name in imported_names(path, module) if (target := ours(name)) not in (None, module)}
        for module, path in modules.items()
    }


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for target in graph[todo.pop()] - seen:
            seen.add(target)
            todo.append(target)
    return seen


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Groups of modules that each reach all the others through imports (a module in a group
    imports, through the others, one that imports it back)."""
    reach = {module: reachable(graph, module) for module in graph}
    groups = {frozenset({m} | {o for o in reach[m] if m in reach[o]}) for m in graph if m in reach[m]}
    return sorted(sorted(group) for group in groups)


def test_the_walk_sees_imports_inside_functions_and_relative_imports():
    graph = import_graph()
    # galleries/models.py imports the pipeline inside a method; bookings/tasks.py uses `from . import`.
    assert any(target.endswith(".imaging") for target in graph["galleries.models"])
    assert "bookings.services" in graph["bookings.tasks"]
    assert "photostudio.models" in graph["photostudio.history"]
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_bookings_imports_nothing_from_galleries():
    graph = import_graph()
    edges = sorted(
        f"{source} → {target}"
        for source, targets in graph.items()
        for target in targets
        if source.partition(".")[0] == "bookings" and target.partition(".")[0] == "galleries"
    )
    assert edges == [], "bookings must stand alone; these modules import galleries:\n" + "\n".join(edges)


def test_no_module_imports_one_that_imports_it_back():
    found = [", ".join(group) for group in circles(import_graph())]
    assert found == [], "modules that import each other, directly or around a circle:\n" + "\n".join(found)


def test_services_queue_tasks_by_name_and_never_import_a_task_module():
    """A task module imports the service it calls, never the other way round (see photostudio/queueing.py).
    A management command may send a task itself (`ping_worker` sends `ping`)."""
    graph = import_graph()
    importers = sorted(
        f"{source} → {target}"
        for source, targets in graph.items()
        for target in targets
        if target.endswith(".tasks") and ".management.commands." not in source
    )
    assert importers == []


def test_no_module_computes_a_cached_property_under_a_lock_shared_by_every_instance():
    """functools.cached_property (before Python 3.12) holds one lock per property for all instances
    while it computes: under gunicorn's threads, one request's slow property (a page's free times,
    read from the database) kept every other request waiting. Django's own has no lock."""
    offenders = [
        module
        for module, path in project_modules().items()
        for name in imported_names(path, module)
        if name in ("functools.cached_property", ("functools", "functools.cached_property"))
    ]
    assert offenders == []
