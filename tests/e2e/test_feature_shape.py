"""The shape every feature shares: what Bolt runs is declared in a ``feature.py``, and the core
reaches the features only through the one list (``hr_plugin.features``)."""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import grimp

from hr_plugin.feature_api import Feature
from hr_plugin.features import FEATURES
from hr_plugin.slack.declare import Changes, Listener, Shows
from hr_plugin.testing.stack import AppStack

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"

FEATURE_PACKAGES = ("hr_plugin.reintegration", "hr_plugin.vault", "mentoring", "huddles")
# Outside the core: the features, the package where they meet, the list, and what only
# exercises the app (the demo and the test harness).
NOT_CORE = (
    *FEATURE_PACKAGES,
    "hr_plugin.enrolment",
    "hr_plugin.features",
    "hr_plugin.demo",
    "hr_plugin.testing",
)


def _functions(listener: Listener) -> Iterator[Callable[..., Any]]:
    if isinstance(listener, Shows):
        yield listener.show
    else:
        assert isinstance(listener, Changes)
        yield listener.answer
        yield from listener.after


def _is_module_level(function: Callable[..., Any]) -> bool:
    module = sys.modules.get(function.__module__)
    return function.__qualname__ == function.__name__ and getattr(module, function.__name__, None) is function


def test_every_listener_bolt_runs_is_a_module_level_function_declared_in_a_feature(stack: AppStack) -> None:
    declared = {id(listener): feature.name for feature in FEATURES for listener in feature.listeners}
    registered = stack.app._listeners  # Bolt keeps them in registration order
    assert registered, "Bolt has no listeners"
    for bolt_listener in registered:
        declaration = getattr(bolt_listener.ack_function, "declared", None)
        assert declaration is not None, f"{bolt_listener.ack_function} was registered outside a feature.py"
        assert id(declaration) in declared, f"{declaration} is not in any feature's listeners"
        for function in _functions(declaration):
            assert _is_module_level(function), f"{function.__qualname__} is not a module-level function"
    assert len(registered) == len(declared)  # and every declaration was wired


def _declared_in(module: object) -> set[int]:
    """The listener declarations a module holds: in a ``Feature`` or a tuple of them."""
    found: set[int] = set()
    for value in vars(module).values():
        if isinstance(value, Feature):
            found.update(id(listener) for listener in value.listeners)
        elif isinstance(value, tuple) and value and all(isinstance(item, Changes | Shows) for item in value):
            found.update(id(listener) for listener in value)
    return found


def test_every_listener_of_the_list_is_declared_in_a_feature_module() -> None:
    in_feature_modules = set().union(
        *(_declared_in(module) for name, module in list(sys.modules.items()) if name.endswith(".feature"))
    )
    for feature in FEATURES:
        for listener in feature.listeners:
            assert id(listener) in in_feature_modules, f"{feature.name}: {listener} is not in a feature.py"


def _is_under(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == package or module.startswith(package + ".") for package in packages)


def test_no_module_of_the_core_imports_a_feature_package() -> None:
    graph = grimp.build_graph("hr_plugin", "mentoring", "huddles")
    core = sorted(m for m in graph.find_descendants("hr_plugin") if not _is_under(m, NOT_CORE))
    assert "hr_plugin.slack.app" in core and "hr_plugin.scheduler" in core
    found = [
        f"{module} -> {imported}"
        for module in core
        for imported in graph.find_modules_directly_imported_by(module)
        if _is_under(imported, FEATURE_PACKAGES)
    ]
    assert found == []


def _circles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The groups of modules that import each other, directly or not (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_import_circle_anywhere() -> None:
    graph = grimp.build_graph("hr_plugin", "mentoring", "huddles")
    assert _circles(graph) == []


def test_the_circle_finder_finds_a_circle() -> None:
    graph = grimp.ImportGraph()
    for module in ("a", "b", "c"):
        graph.add_module(module)
    graph.add_import(importer="a", imported="b")
    graph.add_import(importer="b", imported="c")
    graph.add_import(importer="c", imported="a")
    assert _circles(graph) == [["a", "b", "c"]]


def _contract(name_starts: str) -> dict[str, Any]:
    contracts = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]["contracts"]
    (found,) = [contract for contract in contracts if contract["name"].startswith(name_starts)]
    return dict(found)


def test_every_listed_feature_is_held_to_the_shape_contracts() -> None:
    """A feature gets the import rules by being listed: the packages whose tables the list
    declares are the layered contract's containers, and all but enrolment (where the features
    meet) are kept apart from each other and from enrolment's insides."""
    tables = [feature.tables for feature in FEATURES if feature.tables is not None]
    packages = {module.__name__.rsplit(".", 1)[0] for module in tables}
    features = packages - {"hr_plugin.enrolment"}
    assert "hr_plugin.enrolment" in packages and "mentoring" in features
    assert set(_contract("One shape per feature")["containers"]) == packages
    assert set(_contract("Features meet only in the core")["modules"]) == features
    assert set(_contract("Features use only the curated names of enrolment")["source_modules"]) == features
    assert set(_contract("The migrations name no feature")["forbidden_modules"]) == features
    assert set(FEATURE_PACKAGES) == features
