"""The matching solver: the most mentees matched, then the highest total weight, exactly.

Pure: ids, capacities and weighted edges in, assignments out. The caller (the service, or
``hr-plugin match solve``) decides which pairs may meet at all: an edge that is not given is a
pair the solver can never choose, which is how the hard constraints (reporting chain, pauses,
past declines, exclusions) stay unbreakable rather than merely expensive. A mentor's capacity
here is what they have left, so the caller passes ``capacity - load``.

Formulation. We reduce the problem to a minimum-cost *full* bipartite matching and hand it to
scipy's sparse LAPJVsp (``scipy.sparse.csgraph.min_weight_full_bipartite_matching``), a
well-kept exact solver that only ever touches the edges that exist:

- one row per mentee who has at least one edge;
- one column per mentor *slot*: a mentor of capacity ``c`` with ``d`` candidate mentees gets
  ``min(c, d)`` identical columns, so capacities become plain one-to-one matching;
- one private "unmatched" column per mentee, reachable only from that mentee's row, so a full
  matching of the rows always exists and "nobody for this mentee" is an ordinary choice.

Costs are integers: a real edge of weight ``w`` costs ``w_max + 1 - w`` (at least 1, because
the sparse solver treats an entry of 0 as a missing edge), and an unmatched column costs
``U = D + w_max + 1``. The total cost of a solution with ``k`` matches and total weight ``W`` is
then ``n * U - k * D - W``. With ``D`` larger than the spread of ``W`` over all possible
matchings (``D = hi - lo + 1``, where ``hi`` sums each mentee's best non-negative weight and
``lo`` each mentee's worst non-positive one), one more match always outweighs any change in
weight, so minimising cost maximises ``k`` first and ``W`` second.

Exactness. LAPJVsp works in float64 and compares reduced costs with ``==`` and ``<``. Sums and
differences of integers stay exact while they are below 2**53; the values it handles are
bounded by a path's total cost, at most ``rows * U``. We refuse instances where that bound
passes 2**50 (eight times of headroom) instead of returning an answer that might be wrong.
For the sizes this program meets (10,000 mentees, weights near 100) the bound is about 10**11.

Determinism. Ids are sorted and edges ordered before the matrix is built, so the same instance
gives the same answer whatever order its lists came in (with the same scipy version).
"""

from __future__ import annotations

import numbers
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

# Integers up to 2**53 are exact in float64; keep a factor of 8 in reserve for the solver's
# intermediate sums.
EXACT_LIMIT = 2**50


@dataclass(frozen=True)
class Solution:
    """An optimal assignment. ``assignments`` and ``unmatched`` are sorted by mentee id."""

    assignments: list[tuple[str, str]]
    unmatched: list[str]
    matched: int
    weight: int


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

    mentee_count = len(mentee_ids)
    if weights.size == 0:
        return Solution(assignments=[], unmatched=list(mentee_ids), matched=0, weight=0)

    # Order edges by (mentee, mentor): the matrix, and so the answer, no longer depends on the
    # order the caller listed them in.
    order = np.lexsort((cols, rows))
    rows, cols, weights = rows[order], cols[order], weights[order]

    # Only mentees with an edge become rows; the others are unmatched without asking the solver.
    active = np.unique(rows)
    row_of = np.full(mentee_count, -1, dtype=np.int64)
    row_of[active] = np.arange(active.size)
    rows = row_of[rows]
    row_count = int(active.size)

    costs, unmatched_cost = _costs(rows, weights, row_count)

    # A mentor needs no more slots than they have candidates.
    slots = np.minimum(capacities, np.bincount(cols, minlength=len(mentor_ids)))
    slot_count = int(slots.sum())
    matrix = _matrix(rows, cols, costs, unmatched_cost, slots, row_count)

    row_index, col_index = min_weight_full_bipartite_matching(matrix)

    # Slot columns back to mentors; weights are read from the caller's integers, so the reported
    # total is exact whatever the float arithmetic did, and checked against the instance.
    slot_owner = np.repeat(np.arange(len(mentor_ids)), slots)
    is_match = col_index < slot_count
    matched_rows = row_index[is_match]
    matched_mentors = slot_owner[col_index[is_match]]
    keys = rows * len(mentor_ids) + cols  # sorted, since edges are in (row, mentor) order
    wanted = matched_rows * len(mentor_ids) + matched_mentors
    position = np.searchsorted(keys, wanted)
    if position.size and (
        position.max() >= keys.size
        or not np.array_equal(keys[position], wanted)
        or np.any(np.bincount(matched_mentors, minlength=len(mentor_ids)) > capacities)
    ):
        raise RuntimeError("the matching solver returned an assignment outside the instance")
    total = sum(weights[position].tolist())

    mentor_of = dict(zip(active[matched_rows].tolist(), matched_mentors.tolist(), strict=True))
    assignments = [(mentee_ids[m], mentor_ids[mentor_of[m]]) for m in sorted(mentor_of)]
    unmatched = [mentee_ids[m] for m in range(mentee_count) if m not in mentor_of]
    return Solution(assignments=assignments, unmatched=unmatched, matched=len(assignments), weight=total)


def _matrix(
    rows: np.ndarray,
    cols: np.ndarray,
    costs: np.ndarray,
    unmatched_cost: float,
    slots: np.ndarray,
    row_count: int,
) -> csr_array:
    """The sparse cost matrix: each edge once per slot of its mentor, then the row's own column.

    Built straight into CSR arrays (edges arrive in (row, mentor) order and a mentor's slots
    are consecutive columns), which keeps the peak memory near the size of the matrix itself.
    """
    slot_count = int(slots.sum())
    first_slot = np.cumsum(slots) - slots
    repeat = slots[cols]
    entries = int(repeat.sum())
    edge_of_entry = np.repeat(np.arange(cols.size, dtype=np.int64), repeat)
    slot_in_run = np.arange(entries, dtype=np.int64) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    entry_rows = rows[edge_of_entry]

    indptr = np.zeros(row_count + 1, dtype=np.int64)
    np.cumsum(np.bincount(entry_rows, minlength=row_count) + 1, out=indptr[1:])
    data = np.empty(entries + row_count, dtype=np.float64)
    indices = np.empty(entries + row_count, dtype=np.int32 if slot_count + row_count < 2**31 else np.int64)
    # Entry k of row r lands after the r "unmatched" entries of the rows before it.
    position = np.arange(entries, dtype=np.int64) + entry_rows
    data[position] = costs[edge_of_entry]
    indices[position] = first_slot[cols[edge_of_entry]] + slot_in_run
    data[indptr[1:] - 1] = unmatched_cost
    indices[indptr[1:] - 1] = slot_count + np.arange(row_count)
    return csr_array((data, indices, indptr), shape=(row_count, slot_count + row_count))


def _costs(rows: np.ndarray, weights: np.ndarray, row_count: int) -> tuple[np.ndarray, float]:
    """Edge costs and the unmatched cost that make "one more match" beat any weight change."""
    best = np.full(row_count, np.iinfo(np.int64).min, dtype=np.int64)
    worst = np.full(row_count, np.iinfo(np.int64).max, dtype=np.int64)
    np.maximum.at(best, rows, weights)
    np.minimum.at(worst, rows, weights)
    # Python integers from here on: no silent int64 overflow in the bound itself.
    hi = sum(max(0, int(b)) for b in best.tolist())
    lo = sum(min(0, int(w)) for w in worst.tolist())
    w_max = int(weights.max())
    spread = hi - lo + 1
    unmatched_cost = spread + w_max + 1
    if row_count * unmatched_cost > EXACT_LIMIT:
        raise ValueError(
            f"weights too large to solve exactly: {row_count} mentees with weights up to "
            f"{max(abs(w_max), abs(int(weights.min())))} need integers beyond 2**50 in the solver; "
            "scale the weights down"
        )
    costs = (w_max + 1 - weights).astype(np.float64)
    return costs, float(unmatched_cost)


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
    """Edges as index arrays, checked one by one so that an error names the edge at fault.

    This loop is the solver's hottest Python code at a million edges, so it keeps to cheap
    checks and compact ``array`` storage; duplicates are found afterwards with numpy.
    """
    mentee_index = {m: i for i, m in enumerate(mentee_ids)}
    mentor_index = {m: i for i, m in enumerate(mentor_ids)}
    rows = array("q")
    cols = array("q")
    weights = array("q")
    for edge in edges:
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
    keys = np.sort(row_array * max(1, len(mentor_ids)) + col_array)
    repeated = np.flatnonzero(keys[1:] == keys[:-1])
    if repeated.size:
        row, col = divmod(int(keys[repeated[0]]), max(1, len(mentor_ids)))
        raise ValueError(f"the pair ({mentee_ids[row]!r}, {mentor_ids[col]!r}) is given twice")
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


__all__ = ["EXACT_LIMIT", "Solution", "solve"]
