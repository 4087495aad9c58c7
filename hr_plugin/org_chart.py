"""Reporting lines as pure data: cycle detection and chains, no database.

The directory uses these to refuse an import whose managers loop, and to answer
"who is above or below this person" once the org is loaded.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def find_cycle(manager_of: Mapping[K, K | None]) -> list[K] | None:
    """A reporting cycle, as the list of people in it (first repeated last), or None."""
    state: dict[K, int] = {}  # 1 = on the current path, 2 = known to end at the top
    for start in manager_of:
        if state.get(start) == 2:
            continue
        path: list[K] = []
        node: K | None = start
        while node is not None and state.get(node) != 2:
            if state.get(node) == 1:
                return [*path[path.index(node) :], node]
            state[node] = 1
            path.append(node)
            node = manager_of.get(node)
        for visited in path:
            state[visited] = 2
    return None


def chain_up(manager_of: Mapping[K, K | None], person: K) -> list[K]:
    """Managers above ``person``, nearest first (stops safely on a cycle)."""
    chain: list[K] = []
    seen = {person}
    node = manager_of.get(person)
    while node is not None and node not in seen:
        chain.append(node)
        seen.add(node)
        node = manager_of.get(node)
    return chain


def reports_of(manager_of: Mapping[K, K | None]) -> dict[K, list[K]]:
    """Each manager's direct reports: build it once to ask ``chain_down`` about many people."""
    reports: dict[K, list[K]] = {}
    for employee, manager in manager_of.items():
        if manager is not None:
            reports.setdefault(manager, []).append(employee)
    return reports


def chain_down(
    manager_of: Mapping[K, K | None], person: K, *, reports: Mapping[K, list[K]] | None = None
) -> set[K]:
    """Everyone below ``person`` at any depth (``reports``: ``reports_of(manager_of)``, if at hand)."""
    if reports is None:
        reports = reports_of(manager_of)
    below: set[K] = set()
    stack = list(reports.get(person, []))
    while stack:
        node = stack.pop()
        if node in below or node == person:
            continue
        below.add(node)
        stack.extend(reports.get(node, []))
    return below
