"""The matching solver: the most mentees matched, then the highest total weight, exactly.

Pure: ids, capacities and weighted edges in, assignments out. The caller (the service, or
``hr-plugin match solve``) decides which pairs may meet at all: an edge that is not given is a
pair the solver can never choose, which is how the hard constraints (reporting chain, pauses,
past declines, exclusions) stay unbreakable rather than merely expensive. A mentor's capacity
here is what they have left, so the caller passes ``capacity - load``.

The problem is a maximum-weight b-matching, and with the weight of every edge raised by a
constant ``D`` larger than the spread of the total weight over all matchings (``D = hi - lo +
1``, where ``hi`` sums each mentee's best non-negative weight and ``lo`` each mentee's worst
non-positive one), one more match always outweighs any change in weight: its optimum is our
lexicographic one, "most matches, then most weight". That linear programme is integral and
has a dual (a price ``u`` per mentee, ``v`` per mentor), which is what makes the shortcut
below exact.

How it is solved, and why this way. Most of a mentee's candidates cannot be in any optimum,
and scipy's sparse LAPJVsp (``scipy.sparse.csgraph.min_weight_full_bipartite_matching``)
pays for every column on every augmentation, so:

1. Solve on each mentee's ``CANDIDATES_KEPT`` strongest edges only (ties to the mentor who
   sorts first).
2. Prove the answer optimal for *all* the edges: from the solution on the kept edges, compute
   optimal dual prices by shortest paths on its residual graph (Bellman-Ford, exact integers);
   if every dropped edge satisfies ``u[mentee] + v[mentor] >= weight + D``, the dual is
   feasible for the whole instance, complementary slackness holds, and so the answer is
   optimal for the whole instance (linear-programming duality, not a heuristic).
3. Otherwise add the edges that broke the inequality and solve again; after
   ``REPAIR_ROUNDS`` rounds, solve on every edge.

Each solve reduces the b-matching to a *full* bipartite matching for LAPJVsp: a mentor of
capacity ``c`` with ``d`` candidates gets ``min(c, d)`` identical slot columns. When the smaller
side (mentees, or slots) can be matched entirely, every maximum matching covers it, so the
full matching of that side with costs ``w_max + 1 - w`` (all at least 1: the solver reads 0 as
a missing edge) is the lexicographic optimum. Only when neither side can be covered does each
mentee get a private "unmatched" column of cost ``U = D + w_max + 1``, which makes the solver
maximise the matches first; that case costs more, but it is rarer.

Exactness. LAPJVsp works in float64 and compares reduced costs with ``==`` and ``<``. Sums and
differences of integers stay exact while they are below 2**53; the values it handles are
bounded by a path's total cost, at most ``rows * U``. We refuse instances where that bound
passes 2**50 (eight times of headroom) instead of returning an answer that might be wrong.
For the sizes this program meets (10,000 mentees, weights near 100) the bound is about 10**11.
The dual prices are computed and checked in int64 from the caller's integers.

Determinism. Ids are sorted and edges ordered before anything is solved, so the same instance
gives the same answer whatever order its lists came in (with the same scipy version).
"""

from __future__ import annotations

import numbers
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter

import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

# Integers up to 2**53 are exact in float64; keep a factor of 8 in reserve for the solver's
# intermediate sums.
EXACT_LIMIT = 2**50

# Each mentee's strongest edges the first solve keeps. The solve's cost hardly depends on it
# (LAPJVsp's work is mostly per column), a repair round costs a whole solve, and at 10,000 x
# 5,000 with 100 candidates each, 10 already proves optimal: 12 leaves a margin.
CANDIDATES_KEPT = 12
# Solves with added edges before giving up on the shortcut and solving on every edge.
REPAIR_ROUNDS = 3

_NO_MENTOR = -1


@dataclass(frozen=True)
class Solution:
    """An optimal assignment. ``assignments`` and ``unmatched`` are sorted by mentee id."""

    assignments: list[tuple[str, str]]
    unmatched: list[str]
    matched: int
    weight: int


@dataclass(frozen=True)
class _Edges:
    """Edges as parallel index arrays: ``rows`` (mentees with an edge), ``cols`` (mentors)."""

    rows: np.ndarray
    cols: np.ndarray
    weights: np.ndarray

    def subset(self, mask: np.ndarray) -> _Edges:
        return _Edges(self.rows[mask], self.cols[mask], self.weights[mask])

    def plus(self, other: _Edges) -> _Edges:
        return _Edges(
            np.concatenate((self.rows, other.rows)),
            np.concatenate((self.cols, other.cols)),
            np.concatenate((self.weights, other.weights)),
        )


def solve(
    mentees: Sequence[str],
    mentors: Sequence[tuple[str, int]],
    edges: Iterable[tuple[str, str, int]],
) -> Solution:
    """Match as many mentees as possible, then maximise the total weight of the matches.

    ``mentors`` holds ``(id, capacity)``; ``edges`` holds ``(mentee, mentor, weight)`` for every
    pair that is allowed, with an integer weight. Raises ``ValueError`` naming the problem for
    duplicate ids, an edge given twice, unknown ids in edges, capacities below 1, weights that
    are not integers, or weights too large to solve exactly.
    """
    mentee_ids = _sorted_unique("mentee", mentees)
    mentor_ids, capacities = _mentors(mentors)
    rows, cols, weights = _edges(edges, mentee_ids, mentor_ids)

    mentee_count, mentor_count = len(mentee_ids), len(mentor_ids)
    if weights.size == 0:
        return Solution(assignments=[], unmatched=list(mentee_ids), matched=0, weight=0)

    # (mentee, mentor) order: the answer no longer depends on the order the caller listed
    # edges in, and a pair given twice sits next to itself.
    rows, cols, weights = _pair_order(rows, cols, weights, mentee_ids, mentor_ids)

    # Only mentees with an edge become rows; the others are unmatched without asking the solver.
    first_of_row = np.flatnonzero(np.concatenate(([True], rows[1:] != rows[:-1])))
    active = rows[first_of_row]
    rows = np.repeat(np.arange(active.size, dtype=np.int64), np.diff(np.append(first_of_row, rows.size)))
    instance = _Edges(rows, cols, weights)
    row_count = int(active.size)
    lift = _lift(rows, weights, row_count)

    mentor_of_row = _optimum(instance, capacities, row_count, lift)

    # Weights are read from the caller's integers, so the reported total is exact whatever the
    # float arithmetic did, and checked against the instance.
    matched_rows = np.flatnonzero(mentor_of_row != _NO_MENTOR)
    matched_mentors = mentor_of_row[matched_rows]
    keys = rows * mentor_count + cols  # sorted, since edges are in (row, mentor) order
    wanted = matched_rows * mentor_count + matched_mentors
    position = np.searchsorted(keys, wanted)
    if position.size and (
        position.max() >= keys.size
        or not np.array_equal(keys[position], wanted)
        or np.any(np.bincount(matched_mentors, minlength=mentor_count) > capacities)
    ):
        raise RuntimeError("the matching solver returned an assignment outside the instance")
    total = sum(weights[position].tolist())

    matched_mentees = active[matched_rows].tolist()  # ascending, so sorted by mentee id
    assignments = [
        (mentee_ids[m], mentor_ids[j]) for m, j in zip(matched_mentees, matched_mentors.tolist(), strict=True)
    ]
    is_matched = np.zeros(mentee_count, dtype=bool)
    is_matched[matched_mentees] = True
    unmatched = [mentee_ids[m] for m in np.flatnonzero(~is_matched).tolist()]
    return Solution(assignments=assignments, unmatched=unmatched, matched=len(assignments), weight=total)


def _optimum(instance: _Edges, capacities: np.ndarray, row_count: int, lift: int) -> np.ndarray:
    """Each row's mentor (or ``_NO_MENTOR``) in a lexicographic optimum of the whole instance.

    Solved on the strongest edges, proved optimal for all of them by the dual prices, repaired
    by adding the edges the proof failed on (see the module's docstring).
    """
    kept = _strongest(instance, row_count, CANDIDATES_KEPT)
    for _ in range(REPAIR_ROUNDS):
        if kept.rows.size == instance.rows.size:
            break
        mentor_of_row = _solve_kept(kept, capacities, row_count)
        mentee_price, mentor_price = _dual_prices(kept, mentor_of_row, capacities, row_count, lift)
        short = mentee_price[instance.rows] + mentor_price[instance.cols] < instance.weights + lift
        if not short.any():
            return mentor_of_row
        # Only dropped edges can fall short: the prices satisfy every kept edge by construction.
        kept = kept.plus(instance.subset(short))
    return _solve_kept(instance, capacities, row_count)


def _strongest(instance: _Edges, row_count: int, keep: int) -> _Edges:
    """Each row's ``keep`` heaviest edges, ties to the lower mentor index.

    Sorted as one packed int64 key (row, then weight descending, then mentor) when it fits,
    which numpy sorts several times faster than a multi-key ``lexsort``.
    """
    rows, cols, weights = instance.rows, instance.cols, instance.weights
    degree = np.bincount(rows, minlength=row_count)
    if int(degree.max()) <= keep:
        return instance
    low, high = int(weights.min()), int(weights.max())
    spread = high - low + 1
    mentor_count = int(cols.max()) + 1
    if row_count * spread * mentor_count < 2**62:
        packed = np.sort((rows * spread + (high - weights)) * mentor_count + cols)
        row_and_weight, ordered_cols = np.divmod(packed, mentor_count)
        ordered_rows, descending = np.divmod(row_and_weight, spread)
        ordered_weights = high - descending
    else:
        order = np.lexsort((cols, -weights, rows))
        ordered_rows, ordered_cols, ordered_weights = rows[order], cols[order], weights[order]
    first = np.cumsum(degree) - degree
    rank = np.arange(rows.size, dtype=np.int64) - first[ordered_rows]
    top = rank < keep
    return _Edges(ordered_rows[top], ordered_cols[top], ordered_weights[top])


def _solve_kept(edges: _Edges, capacities: np.ndarray, row_count: int) -> np.ndarray:
    """A lexicographic optimum on these edges with LAPJVsp: each row's mentor or ``_NO_MENTOR``.

    Every row has at least one edge here. The cheap formulations come first: when the smaller
    side (rows, or slots) can be matched entirely, the full matching of that side is the
    optimum. scipy raises ``ValueError`` when no full matching exists (it checks with
    Hopcroft-Karp before solving), and only then do rows get private "unmatched" columns.
    """
    mentor_count = capacities.size
    slots = np.minimum(capacities, np.bincount(edges.cols, minlength=mentor_count))
    slot_count = int(slots.sum())
    slot_owner = np.repeat(np.arange(mentor_count, dtype=np.int64), slots)
    entry_rows, entry_slots, edge_of_entry = _slot_entries(edges.rows, edges.cols, slots)
    mentor_of_row = np.full(row_count, _NO_MENTOR, dtype=np.int64)

    costs = (int(edges.weights.max()) + 1 - edges.weights).astype(np.float64)[edge_of_entry]
    try:
        if row_count <= slot_count:
            matrix = csr_array((costs, (entry_rows, entry_slots)), shape=(row_count, slot_count))
            row_index, slot_index = min_weight_full_bipartite_matching(matrix)
        else:
            matrix = csr_array((costs, (entry_slots, entry_rows)), shape=(slot_count, row_count))
            slot_index, row_index = min_weight_full_bipartite_matching(matrix)
        mentor_of_row[row_index] = slot_owner[slot_index]
        return mentor_of_row
    except ValueError:
        pass  # neither side can be covered: the general formulation below

    edge_costs, unmatched_cost = _costs(edges.rows, edges.weights, row_count)
    matrix = csr_array(
        (
            np.concatenate((edge_costs[edge_of_entry], np.full(row_count, unmatched_cost))),
            (
                np.concatenate((entry_rows, np.arange(row_count, dtype=np.int64))),
                np.concatenate((entry_slots, slot_count + np.arange(row_count, dtype=np.int64))),
            ),
        ),
        shape=(row_count, slot_count + row_count),
    )
    row_index, col_index = min_weight_full_bipartite_matching(matrix)
    is_match = col_index < slot_count
    mentor_of_row[row_index[is_match]] = slot_owner[col_index[is_match]]
    return mentor_of_row


def _slot_entries(
    rows: np.ndarray, cols: np.ndarray, slots: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each edge once per slot of its mentor: (row, slot column, index of the edge)."""
    first_slot = np.cumsum(slots) - slots
    repeat = slots[cols]
    entries = int(repeat.sum())
    edge_of_entry = np.repeat(np.arange(cols.size, dtype=np.int64), repeat)
    slot_in_run = np.arange(entries, dtype=np.int64) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    return rows[edge_of_entry], first_slot[cols[edge_of_entry]] + slot_in_run, edge_of_entry


def _dual_prices(
    edges: _Edges, mentor_of_row: np.ndarray, capacities: np.ndarray, row_count: int, lift: int
) -> tuple[np.ndarray, np.ndarray]:
    """Optimal dual prices ``(u per row, v per mentor)`` for an optimum on these edges.

    For edge weights ``w + lift``, the dual wants ``u, v >= 0`` and ``u[i] + v[j] >= w + lift``
    on every edge, with equality on matched edges, ``u = 0`` for an unmatched row and ``v = 0``
    for a mentor with room left. With ``p = u`` on rows and ``p = -v`` on mentors these are
    difference constraints, so ``p`` is the shortest distance from a root in the residual graph:
    row -> mentor at ``-(w + lift)`` on every edge, mentor -> row at ``w + lift`` on a matched
    one, root -> every mentor and every unmatched row at 0. Starting from those root paths (no
    infinities), Bellman-Ford relaxes only the arcs leaving nodes that changed last round.
    Distances only fall, and never below the true ones, so they stay within the lifted weights
    (well inside int64); a row falling below 0 means a negative cycle and stops at once.

    Raises ``RuntimeError`` if the matching was not optimal on these edges (a negative cycle,
    or a constraint towards the root broken), which would be a bug in the solver below.
    """
    mentor_count = capacities.size
    node_count = row_count + mentor_count
    lifted = edges.weights + lift
    matched = np.flatnonzero(edges.cols == mentor_of_row[edges.rows])

    tails = np.concatenate((edges.rows, row_count + edges.cols[matched]))
    heads = np.concatenate((row_count + edges.cols, edges.rows[matched]))
    lengths = np.concatenate((-lifted, lifted[matched]))
    order = np.argsort(tails, kind="stable")
    heads, lengths = heads[order], lengths[order]
    starts = np.zeros(node_count + 1, dtype=np.int64)
    np.cumsum(np.bincount(tails, minlength=node_count), out=starts[1:])

    distance = np.zeros(node_count, dtype=np.int64)
    distance[edges.rows[matched]] = lifted[matched]  # root -> own mentor (0) -> row
    changed = np.arange(node_count, dtype=np.int64)
    for _ in range(node_count + 1):
        first, count = starts[changed], starts[changed + 1] - starts[changed]
        arcs = np.repeat(first - (np.cumsum(count) - count), count) + np.arange(int(count.sum()))
        reached = distance[np.repeat(changed, count)] + lengths[arcs]
        targets = heads[arcs]
        better = reached < distance[targets]
        if not better.any():
            break
        targets, reached = targets[better], reached[better]
        # A row below 0 closes a negative cycle through the root: stop before it runs away.
        if reached[targets < row_count].min(initial=0) < 0:
            raise RuntimeError("the matching solver returned a matching that is not optimal")
        np.minimum.at(distance, targets, reached)
        changed = np.unique(targets)
    else:
        raise RuntimeError("the matching solver returned a matching that is not optimal")

    mentee_price, mentor_price = distance[:row_count], -distance[row_count:]
    load = np.bincount(mentor_of_row[mentor_of_row != _NO_MENTOR], minlength=mentor_count)
    if mentee_price.min() < 0 or np.any(mentor_price[load < capacities] > 0):
        raise RuntimeError("the matching solver returned a matching that is not optimal")
    return mentee_price, mentor_price


def _lift(rows: np.ndarray, weights: np.ndarray, row_count: int) -> int:
    """``D``: raised by it, every edge weighs more than any change in total weight can.

    Raises ``ValueError`` when the solver's costs would pass ``EXACT_LIMIT``.
    """
    best = np.full(row_count, np.iinfo(np.int64).min, dtype=np.int64)
    worst = np.full(row_count, np.iinfo(np.int64).max, dtype=np.int64)
    np.maximum.at(best, rows, weights)
    np.minimum.at(worst, rows, weights)
    # Python integers from here on: no silent int64 overflow in the bound itself.
    hi = sum(max(0, b) for b in best.tolist())
    lo = sum(min(0, w) for w in worst.tolist())
    w_max = int(weights.max())
    lift = hi - lo + 1
    if row_count * (lift + w_max + 1) > EXACT_LIMIT:
        raise ValueError(
            f"weights too large to solve exactly: {row_count} mentees with weights up to "
            f"{max(abs(w_max), abs(int(weights.min())))} need integers beyond 2**50 in the "
            "solver; scale the weights down"
        )
    return lift


def _costs(rows: np.ndarray, weights: np.ndarray, row_count: int) -> tuple[np.ndarray, float]:
    """Edge costs and the unmatched cost that make "one more match" beat any weight change."""
    w_max = int(weights.max())
    unmatched_cost = _lift(rows, weights, row_count) + w_max + 1
    costs = (w_max + 1 - weights).astype(np.float64)
    return costs, float(unmatched_cost)


def _pair_order(
    rows: np.ndarray, cols: np.ndarray, weights: np.ndarray, mentee_ids: list[str], mentor_ids: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Edges sorted by (mentee, mentor); ``ValueError`` naming a pair given twice.

    Sorted as one packed int64 key (pair, then weight) when it fits: a plain ``np.sort`` of
    values is several times faster than an ``argsort`` or ``lexsort`` of a million edges.
    """
    mentor_count = max(1, len(mentor_ids))
    keys = rows * mentor_count + cols
    low, high = int(weights.min()), int(weights.max())
    spread = high - low + 1
    if max(1, len(mentee_ids)) * mentor_count * spread < 2**62:
        keys, offsets = np.divmod(np.sort(keys * spread + (weights - low)), spread)
        weights = offsets + low
    else:
        order = np.argsort(keys, kind="stable")
        keys, weights = keys[order], weights[order]
    repeated = np.flatnonzero(keys[1:] == keys[:-1])
    if repeated.size:
        row, col = divmod(int(keys[repeated[0]]), mentor_count)
        raise ValueError(f"the pair ({mentee_ids[row]!r}, {mentor_ids[col]!r}) is given twice")
    rows, cols = np.divmod(keys, mentor_count)
    return rows, cols, weights


def _sorted_unique(kind: str, ids: Iterable[object]) -> list[str]:
    seen: set[str] = set()
    for item in ids:
        _check_id(kind, item)
        assert isinstance(item, str)
        if item in seen:
            raise ValueError(f"duplicate {kind} id {item!r}")
        seen.add(item)
    return sorted(seen)


def _mentors(mentors: Sequence[tuple[str, int]]) -> tuple[list[str], np.ndarray]:
    capacity_of: dict[str, int] = {}
    for entry in mentors:
        if not isinstance(entry, tuple | list) or len(entry) != 2:
            raise ValueError(f"a mentor must be (id, capacity), got {entry!r}")
        mentor_id, capacity = entry
        _check_id("mentor", mentor_id)
        if mentor_id in capacity_of:
            raise ValueError(f"duplicate mentor id {mentor_id!r}")
        if not _is_integer(capacity):
            raise ValueError(f"mentor {mentor_id!r}: capacity must be an integer, got {capacity!r}")
        if capacity < 1:
            raise ValueError(f"mentor {mentor_id!r}: capacity must be at least 1, got {capacity}")
        capacity_of[mentor_id] = int(capacity)
    ids = sorted(capacity_of)
    return ids, np.array([capacity_of[m] for m in ids], dtype=np.int64)


def _edges(
    edges: Iterable[tuple[str, str, int]], mentee_ids: list[str], mentor_ids: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Edges as index arrays, in the caller's order.

    A million edges is the solver's largest input, so the common case (tuples or lists of two
    known ids and a plain ``int``) is checked and converted column by column with ``map``, at
    C speed. Anything else, or any doubt, goes through the edge-by-edge loop, which accepts
    the same inputs (numpy integers too) and names the edge at fault.
    """
    listed = edges if isinstance(edges, list) else list(edges)
    mentee_index = {m: i for i, m in enumerate(mentee_ids)}
    mentor_index = {m: i for i, m in enumerate(mentor_ids)}
    fast = _edges_at_once(listed, mentee_index, mentor_index)
    if fast is not None:
        return fast
    return _edges_one_by_one(listed, mentee_index, mentor_index)


def _edges_at_once(
    listed: list[tuple[str, str, int]], mentee_index: dict[str, int], mentor_index: dict[str, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The common case converted column by column, or ``None`` to go edge by edge instead."""
    count = len(listed)
    if not count or not set(map(type, listed)) <= {tuple, list} or set(map(len, listed)) != {3}:
        return None
    weight_column = list(map(itemgetter(2), listed))
    if set(map(type, weight_column)) != {int}:
        return None  # bools, floats, numpy integers, strings: the loop accepts or names them
    try:
        # A str key never equals a non-str id, so a KeyError covers unknown ids and non-strings.
        rows = np.fromiter(map(mentee_index.__getitem__, map(itemgetter(0), listed)), np.int64, count)
        cols = np.fromiter(map(mentor_index.__getitem__, map(itemgetter(1), listed)), np.int64, count)
        weights = np.fromiter(weight_column, np.int64, count)
    except (KeyError, TypeError, OverflowError):
        return None
    if int(weights.min()) <= -(2**62) or int(weights.max()) >= 2**62:
        return None
    return rows, cols, weights


def _edges_one_by_one(
    listed: list[tuple[str, str, int]], mentee_index: dict[str, int], mentor_index: dict[str, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Edges checked one by one, so that an error names the edge at fault."""
    rows = array("q")
    cols = array("q")
    weights = array("q")
    for edge in listed:
        if not isinstance(edge, tuple | list) or len(edge) != 3:
            raise ValueError(f"an edge must be (mentee, mentor, weight), got {edge!r}")
        mentee, mentor, weight = edge
        row = mentee_index.get(mentee) if isinstance(mentee, str) else None
        if row is None:
            raise ValueError(f"edge {list(edge)!r}: unknown mentee {mentee!r}")
        col = mentor_index.get(mentor) if isinstance(mentor, str) else None
        if col is None:
            raise ValueError(f"edge {list(edge)!r}: unknown mentor {mentor!r}")
        if type(weight) is not int and not _is_integer(weight):
            raise ValueError(f"edge {list(edge)!r}: weight must be an integer, got {weight!r}")
        if not -(2**62) < weight < 2**62:
            raise ValueError(f"edge {list(edge)!r}: weight {weight} is too large to solve exactly")
        rows.append(row)
        cols.append(col)
        weights.append(int(weight))
    row_array = np.frombuffer(rows, dtype=np.int64) if rows else np.zeros(0, dtype=np.int64)
    col_array = np.frombuffer(cols, dtype=np.int64) if cols else np.zeros(0, dtype=np.int64)
    weight_array = np.frombuffer(weights, dtype=np.int64) if weights else np.zeros(0, dtype=np.int64)
    return row_array, col_array, weight_array


def _check_id(kind: str, item: object) -> None:
    if not isinstance(item, str) or not item:
        raise ValueError(f"a {kind} id must be a non-empty string, got {item!r}")


def _is_integer(value: object) -> bool:
    """True for ints (and numpy integers), false for bools, floats and anything else.

    ``True`` is an int in Python, but a weight or capacity of ``true`` in a JSON file is a
    mistake worth naming, and ``3.0`` may hide a fractional score that was rounded upstream.
    """
    return isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_)


__all__ = ["CANDIDATES_KEPT", "EXACT_LIMIT", "REPAIR_ROUNDS", "Solution", "solve"]
