"""The matching solver: optimal (most matches, then most weight), legal, deterministic, strict.

Optimality is checked against a brute force that tries every assignment on small instances,
and against scipy's dense assignment solver on medium ones, so a mistake in the reduction to
a full matching (slots, private "unmatched" columns, the cost that makes one more match beat
any weight) shows up as a different optimum. The same checks run again with the solver made
to keep only each mentee's one to four strongest edges, so that the dual proof and the repair
rounds (which large instances rely on) are exercised on instances small enough to check.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from mentoring import matching
from mentoring.matching import Solution, solve

Instance = tuple[list[str], list[tuple[str, int]], list[tuple[str, str, int]]]


@st.composite
def instances(
    draw: st.DrawFn, max_mentees: int = 6, max_mentors: int = 4, weights: st.SearchStrategy[int] | None = None
) -> Instance:
    """Random sparse instances; ids that do not sort like their positions, weights of any sign."""
    names = draw(
        st.lists(st.text("abcxyz", min_size=1, max_size=3), unique=True, max_size=max_mentees + max_mentors)
    )
    mentee_count = draw(st.integers(0, min(max_mentees, len(names))))
    mentees = names[:mentee_count]
    mentor_names = names[mentee_count : mentee_count + max_mentors]
    mentors = [(name, draw(st.integers(1, 3))) for name in mentor_names]
    pairs = [(mentee, mentor) for mentee in mentees for mentor, _ in mentors]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True)) if pairs else []
    weight = weights if weights is not None else st.integers(-20, 120) | st.integers(-(10**6), 10**6)
    edges = [(mentee, mentor, draw(weight)) for mentee, mentor in chosen]
    return mentees, mentors, edges


def brute_force(instance: Instance) -> tuple[int, int]:
    """The best (matched, weight) over every assignment that respects edges and capacities."""
    mentees, mentors, edges = instance
    options: dict[str, list[tuple[str, int]]] = {mentee: [] for mentee in mentees}
    for mentee, mentor, weight in edges:
        options[mentee].append((mentor, weight))
    room = dict(mentors)
    best = (0, 0)

    def walk(index: int, matched: int, weight: int) -> None:
        nonlocal best
        if index == len(mentees):
            best = max(best, (matched, weight))
            return
        walk(index + 1, matched, weight)
        for mentor, edge_weight in options[mentees[index]]:
            if room[mentor] > 0:
                room[mentor] -= 1
                walk(index + 1, matched + 1, weight + edge_weight)
                room[mentor] += 1

    walk(0, 0, 0)
    return best


def assert_legal(instance: Instance, solution: Solution) -> None:
    mentees, mentors, edges = instance
    weight_of = {(mentee, mentor): weight for mentee, mentor, weight in edges}
    assigned = [mentee for mentee, _ in solution.assignments]
    assert len(assigned) == len(set(assigned)), "a mentee was matched twice"
    assert sorted(assigned + solution.unmatched) == sorted(mentees)
    for pair in solution.assignments:
        assert pair in weight_of, f"{pair} is not an allowed pair"
    load = Counter(mentor for _, mentor in solution.assignments)
    for mentor, capacity in mentors:
        assert load[mentor] <= capacity
    assert solution.matched == len(solution.assignments)
    assert solution.weight == sum(weight_of[pair] for pair in solution.assignments)
    assert solution.assignments == sorted(solution.assignments)
    assert solution.unmatched == sorted(solution.unmatched)


@settings(max_examples=400, deadline=None)
@given(instances())
def test_matches_the_brute_force_optimum(instance: Instance) -> None:
    solution = solve(*instance)
    assert_legal(instance, solution)
    assert (solution.matched, solution.weight) == brute_force(instance)


@settings(max_examples=150, deadline=None)
@given(instances(max_mentees=6, max_mentors=4, weights=st.integers(1, 3)))
def test_matches_the_brute_force_optimum_with_many_ties(instance: Instance) -> None:
    solution = solve(*instance)
    assert_legal(instance, solution)
    assert (solution.matched, solution.weight) == brute_force(instance)


def dense_optimum(instance: Instance) -> tuple[int, int]:
    """An independent lexicographic optimum: scipy's dense solver, forbidden pairs at +inf."""
    mentees, mentors, edges = instance
    slots = [mentor for mentor, capacity in mentors for _ in range(capacity)]
    column_of: dict[str, list[int]] = {}
    for column, mentor in enumerate(slots):
        column_of.setdefault(mentor, []).append(column)
    row_of = {mentee: row for row, mentee in enumerate(mentees)}
    big = 1 + sum(abs(weight) for _, _, weight in edges)
    cost = np.full((len(mentees), len(slots) + len(mentees)), np.inf)
    for row in range(len(mentees)):
        cost[row, len(slots) + row] = 0.0
    for mentee, mentor, weight in edges:
        cost[row_of[mentee], column_of[mentor]] = float(-big - weight)
    rows, columns = linear_sum_assignment(cost)
    matched = [(r, c) for r, c in zip(rows, columns, strict=True) if c < len(slots)]
    weight_of = {(row_of[mentee], mentor): weight for mentee, mentor, weight in edges}
    return len(matched), sum(weight_of[(r, slots[c])] for r, c in matched)


@settings(max_examples=40, deadline=None)
@given(instances(max_mentees=40, max_mentors=15, weights=st.integers(1, 50)))
def test_matches_a_dense_solver_on_medium_instances(instance: Instance) -> None:
    solution = solve(*instance)
    assert_legal(instance, solution)
    assert (solution.matched, solution.weight) == dense_optimum(instance)


@settings(max_examples=100, deadline=None)
@given(instances(), st.randoms(use_true_random=False))
def test_same_input_same_answer_whatever_the_order(instance: Instance, rng: random.Random) -> None:
    mentees, mentors, edges = instance
    first = solve(mentees, mentors, edges)
    assert solve(list(mentees), list(mentors), list(edges)) == first
    shuffled = [list(part) for part in instance]
    for part in shuffled:
        rng.shuffle(part)
    again = solve(*shuffled)  # type: ignore[arg-type]
    assert (again.matched, again.weight) == (first.matched, first.weight)
    assert again == first  # sorted before solving, so even the chosen optimum is the same


def test_one_more_match_beats_any_weight() -> None:
    # Giving "a" the heavy edge would leave "b" with nobody: the solver must prefer two matches.
    solution = solve(["a", "b"], [("x", 1), ("y", 1)], [("a", "x", 1000), ("a", "y", 1), ("b", "x", 1)])
    assert solution.assignments == [("a", "y"), ("b", "x")]
    assert (solution.matched, solution.weight) == (2, 2)


def test_capacity_is_shared_out_by_weight() -> None:
    solution = solve(
        ["a", "b", "c"],
        [("x", 2), ("y", 1)],
        [("a", "x", 5), ("b", "x", 9), ("c", "x", 7), ("c", "y", 1)],
    )
    assert solution.assignments == [("a", "x"), ("b", "x"), ("c", "y")]
    assert (solution.matched, solution.weight) == (3, 15)


def test_mentees_without_edges_and_empty_instances() -> None:
    assert solve([], [], []) == Solution(assignments=[], unmatched=[], matched=0, weight=0)
    assert solve(["b", "a"], [("x", 1)], []) == Solution([], ["a", "b"], 0, 0)
    solution = solve(["a", "b"], [("x", 3)], [("b", "x", 4)])
    assert solution == Solution([("b", "x")], ["a"], 1, 4)


def test_zero_and_negative_weights_still_count_as_matches() -> None:
    solution = solve(["a", "b"], [("x", 2)], [("a", "x", 0), ("b", "x", -5)])
    assert (solution.matched, solution.weight) == (2, -5)


def test_numpy_integers_are_integers() -> None:
    solution = solve(["a"], [("x", np.int64(2))], [("a", "x", np.int32(7))])  # type: ignore[list-item]
    assert (solution.matched, solution.weight) == (1, 7)


@pytest.mark.parametrize(
    ("mentees", "mentors", "edges", "message"),
    [
        (["a", "a"], [("x", 1)], [], "duplicate mentee id 'a'"),
        (["a"], [("x", 1), ("x", 2)], [], "duplicate mentor id 'x'"),
        (["a"], [("x", 1)], [("b", "x", 1)], "unknown mentee 'b'"),
        (["a"], [("x", 1)], [("a", "y", 1)], "unknown mentor 'y'"),
        (["a"], [("x", 0)], [], "mentor 'x': capacity must be at least 1, got 0"),
        (["a"], [("x", -2)], [], "capacity must be at least 1"),
        (["a"], [("x", 1.5)], [], "capacity must be an integer"),
        (["a"], [("x", True)], [], "capacity must be an integer"),
        (["a"], [("x", 1)], [("a", "x", 1.5)], "weight must be an integer, got 1.5"),
        (["a"], [("x", 1)], [("a", "x", 2.0)], "weight must be an integer, got 2.0"),
        (["a"], [("x", 1)], [("a", "x", True)], "weight must be an integer"),
        (["a"], [("x", 1)], [("a", "x", "3")], "weight must be an integer"),
        (["a"], [("x", 1)], [("a", "x", 1), ("a", "x", 2)], "the pair ('a', 'x') is given twice"),
        (["a"], [("x", 1)], [("a", "x")], "an edge must be (mentee, mentor, weight)"),
        ([""], [("x", 1)], [], "a mentee id must be a non-empty string"),
        ([3], [("x", 1)], [], "a mentee id must be a non-empty string"),
        (["a"], [("x",)], [], "a mentor must be (id, capacity)"),
        (["a"], [(None, 1)], [], "a mentor id must be a non-empty string"),
        (["a"], [("x", 1)], [("a", "x", 2**63)], "too large"),
        (["a", "b"], [("x", 2)], [("a", "x", 2**48), ("b", "x", -(2**48))], "too large to solve exactly"),
    ],
)
def test_bad_input_is_named(
    mentees: Sequence[str],
    mentors: Sequence[tuple[str, int]],
    edges: list[tuple[str, str, int]],
    message: str,
) -> None:
    with pytest.raises(ValueError) as caught:
        solve(mentees, mentors, edges)
    assert message in str(caught.value)


def test_a_mentor_and_a_mentee_may_share_an_id() -> None:
    # The two sides are separate lists; whether someone may mentor themselves is the caller's
    # edge to give or withhold (``scoring.eligible`` never gives it).
    solution = solve(["p"], [("p", 1)], [("p", "p", 3)])
    assert solution.assignments == [("p", "p")]


@contextmanager
def pruned(kept: int, rounds: int = matching.REPAIR_ROUNDS) -> Iterator[None]:
    """The solver keeping only ``kept`` edges per mentee first, with ``rounds`` repair rounds."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(matching, "CANDIDATES_KEPT", kept)
        patch.setattr(matching, "REPAIR_ROUNDS", rounds)
        yield


@settings(max_examples=400, deadline=None)
@given(instances(), st.integers(1, 3), st.integers(0, 3))
def test_pruned_solves_still_reach_the_brute_force_optimum(
    instance: Instance, kept: int, rounds: int
) -> None:
    with pruned(kept, rounds):
        solution = solve(*instance)
    assert_legal(instance, solution)
    assert (solution.matched, solution.weight) == brute_force(instance)


@settings(max_examples=150, deadline=None)
@given(instances(weights=st.integers(1, 3)), st.integers(1, 2))
def test_pruned_solves_with_many_ties_reach_the_brute_force_optimum(instance: Instance, kept: int) -> None:
    with pruned(kept):
        solution = solve(*instance)
    assert_legal(instance, solution)
    assert (solution.matched, solution.weight) == brute_force(instance)


@settings(max_examples=60, deadline=None)
@given(instances(max_mentees=40, max_mentors=15, weights=st.integers(1, 50)), st.integers(1, 4))
def test_pruned_solves_match_a_dense_solver_on_medium_instances(instance: Instance, kept: int) -> None:
    with pruned(kept):
        solution = solve(*instance)
    assert_legal(instance, solution)
    assert (solution.matched, solution.weight) == dense_optimum(instance)


def count_solves(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of edges each LAPJVsp solve was given, in order."""
    sizes: list[int] = []
    original = matching._solve_kept

    def counting(edges: matching._Edges, capacities: np.ndarray, row_count: int) -> np.ndarray:
        sizes.append(int(edges.rows.size))
        return original(edges, capacities, row_count)

    monkeypatch.setattr(matching, "_solve_kept", counting)
    return sizes


def test_an_optimum_on_the_strongest_edges_is_proved_without_solving_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(matching, "CANDIDATES_KEPT", 1)
    sizes = count_solves(monkeypatch)
    edges = [("a", "x", 10), ("a", "y", 1), ("b", "y", 10), ("b", "x", 1)]
    solution = solve(["a", "b"], [("x", 1), ("y", 1)], edges)
    assert solution == Solution([("a", "x"), ("b", "y")], [], 2, 20)
    assert sizes == [2]  # the two strongest edges, proved optimal for all four


def test_edges_the_proof_fails_on_are_added_and_solved_again(monkeypatch: pytest.MonkeyPatch) -> None:
    # Both mentees' strongest edge goes to "x": on those alone one of them stays unmatched,
    # which the dual prices show an edge to "y" would improve.
    monkeypatch.setattr(matching, "CANDIDATES_KEPT", 1)
    sizes = count_solves(monkeypatch)
    edges = [("a", "x", 10), ("a", "y", 9), ("b", "x", 10), ("b", "y", 1)]
    solution = solve(["a", "b"], [("x", 1), ("y", 1)], edges)
    assert solution == Solution([("a", "y"), ("b", "x")], [], 2, 19)
    assert len(sizes) == 2 and sizes[0] == 2 and sizes[1] > 2


def test_without_repair_rounds_every_edge_is_solved_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(matching, "CANDIDATES_KEPT", 1)
    monkeypatch.setattr(matching, "REPAIR_ROUNDS", 0)
    sizes = count_solves(monkeypatch)
    edges = [("a", "x", 10), ("a", "y", 9), ("b", "x", 10), ("b", "y", 1)]
    assert (solve(["a", "b"], [("x", 1), ("y", 1)], edges).weight, sizes) == (19, [4])


def two_by_two() -> matching._Edges:
    # rows 0 and 1, mentors 0 and 1 of capacity 1: the heavy pairs are (0, 0) and (1, 1).
    return matching._Edges(np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1]), np.array([5, 1, 1, 5]))


def test_the_dual_prices_prove_an_optimum() -> None:
    edges, capacities, lift = two_by_two(), np.array([1, 1]), 11
    mentee_price, mentor_price = matching._dual_prices(edges, np.array([0, 1]), capacities, 2, lift)
    slack = mentee_price[edges.rows] + mentor_price[edges.cols] - (edges.weights + lift)
    assert slack.min() >= 0
    assert slack[0] == slack[3] == 0  # tight on the matched pairs
    assert mentee_price.min() >= 0 and mentor_price.min() >= 0


@pytest.mark.parametrize(
    ("mentor_of_row", "why"),
    [
        (np.array([1, 0]), "two matches, but the light ones"),
        (np.array([0, -1]), "one match where two are possible"),
        (np.array([-1, -1]), "nobody matched"),
    ],
)
def test_the_dual_prices_refuse_a_matching_that_is_not_optimal(mentor_of_row: np.ndarray, why: str) -> None:
    with pytest.raises(RuntimeError, match="not optimal"):
        matching._dual_prices(two_by_two(), mentor_of_row, np.array([1, 1]), 2, 11)


@settings(max_examples=200, deadline=None)
@given(instances(), st.booleans())
def test_edges_converted_at_once_equal_edges_checked_one_by_one(instance: Instance, as_lists: bool) -> None:
    mentees, mentors, edges = instance
    listed: list = [list(edge) for edge in edges] if as_lists else list(edges)
    mentee_index = {m: i for i, m in enumerate(sorted(mentees))}
    mentor_index = {m: i for i, (m, _) in enumerate(sorted(mentors))}
    slow = matching._edges_one_by_one(listed, mentee_index, mentor_index)
    fast = matching._edges_at_once(listed, mentee_index, mentor_index)
    if listed:
        assert fast is not None
        for fast_part, slow_part in zip(fast, slow, strict=True):
            assert fast_part.tolist() == slow_part.tolist()


def test_edges_the_fast_conversion_declines_still_solve() -> None:
    # A numpy weight among plain ones, and JSON-style lists: the edge-by-edge path takes them.
    edges: list = [["a", "x", 3], ("b", "x", np.int64(4))]
    assert matching._edges_at_once(edges, {"a": 0, "b": 1}, {"x": 0}) is None
    assert solve(["a", "b"], [("x", 2)], edges) == Solution([("a", "x"), ("b", "x")], [], 2, 7)
