"""Properties of the pure reporting-line functions, on arbitrary (even looping) org maps.

The directory refuses loops, but these functions also guard the matching and huddle code, so
they must terminate and stay consistent with each other on any input.
"""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from hr_plugin.org_chart import chain_down, chain_up, find_cycle, reports_of


@st.composite
def any_org(draw: st.DrawFn) -> dict[int, int | None]:
    """Any manager map over people 0..n-1: loops and self-management allowed."""
    size = draw(st.integers(0, 25))
    return {person: draw(st.none() | st.integers(0, size - 1)) for person in range(size)}


@st.composite
def tree_org(draw: st.DrawFn) -> dict[int, int | None]:
    """An org without loops: everyone's manager was hired before them, under shuffled ids."""
    size = draw(st.integers(0, 25))
    ids = draw(st.permutations(list(range(size))))
    return {
        ids[index]: (ids[draw(st.integers(0, index - 1))] if index and draw(st.booleans()) else None)
        for index in range(size)
    }


def reaches(manager_of: dict[int, int | None], start: int, target: int) -> bool:
    node = manager_of.get(start)
    for _ in range(len(manager_of) + 1):
        if node is None:
            return False
        if node == target:
            return True
        node = manager_of.get(node)
    return False


@given(tree_org())
def test_a_tree_has_no_cycle(manager_of: dict[int, int | None]) -> None:
    assert find_cycle(manager_of) is None


@given(any_org())
def test_a_reported_cycle_is_a_real_loop(manager_of: dict[int, int | None]) -> None:
    cycle = find_cycle(manager_of)
    looping = [person for person in manager_of if reaches(manager_of, person, person)]
    if cycle is None:
        assert looping == []
        return
    assert cycle[0] == cycle[-1]
    assert set(cycle) <= set(looping)
    assert len(set(cycle[:-1])) == len(cycle) - 1
    for person, manager in pairwise(cycle):
        assert manager_of[person] == manager


@given(any_org())
def test_chain_up_is_the_path_to_the_top_nearest_first(manager_of: dict[int, int | None]) -> None:
    for person in manager_of:
        chain = chain_up(manager_of, person)
        assert person not in chain
        assert len(set(chain)) == len(chain)
        if chain:
            assert chain[0] == manager_of[person]
        for lower, upper in pairwise(chain):
            assert manager_of[lower] == upper


@given(tree_org())
def test_chain_up_in_a_tree_ends_at_the_top(manager_of: dict[int, int | None]) -> None:
    for person in manager_of:
        chain = chain_up(manager_of, person)
        top = chain[-1] if chain else person
        assert manager_of[top] is None


@given(any_org())
def test_chain_down_is_exactly_those_whose_chain_up_holds_the_manager(
    manager_of: dict[int, int | None],
) -> None:
    reports = reports_of(manager_of)  # built once, as the matching tick does for every mentee
    for manager in manager_of:
        below = chain_down(manager_of, manager)
        assert manager not in below
        assert below == {person for person in manager_of if manager in chain_up(manager_of, person)}
        assert chain_down(manager_of, manager, reports=reports) == below


@given(tree_org())
def test_chains_in_a_tree_do_not_overlap(manager_of: dict[int, int | None]) -> None:
    for person in manager_of:
        assert not set(chain_up(manager_of, person)) & chain_down(manager_of, person)
