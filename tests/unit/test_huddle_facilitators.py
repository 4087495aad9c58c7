"""``huddles.plan.assign_facilitators``: the rule of ``huddles.plan``'s docstring, exactly.

The planner never lists each group's fitting facilitators (that is groups x facilitators), so
these tests state the rule the plain way, pair by pair, and check that the planner's answer is
the same one for any instance: who fits is decided per pair, the groups with the fewest fitting
facilitators choose first, each takes the free fitting facilitator who fits the fewest groups
(then the smallest id), and a preferred facilitator who still fits is kept.
"""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huddles.cohorts import Participant
from huddles.plan import assign_facilitators
from huddles.slots import MonthGrid, Schedule

Instance = tuple[list[list[str]], list[int], list[Participant], dict[str, frozenset[str]], list[str | None]]

GRID = MonthGrid.parse("2026-03")
# Few schedules, so that several facilitators share one (the planner's unit of work) and
# groups overlap some schedules and not others.
SCHEDULES = [
    Schedule("Europe/London", 9 * 60, 17 * 60, frozenset(range(5)), "GB", "ENG"),
    Schedule("Europe/London", 13 * 60, 15 * 60, frozenset({1, 3})),
    Schedule("America/New_York", 9 * 60, 17 * 60, frozenset(range(5)), "US", "NY"),
    Schedule("Asia/Tokyo", 9 * 60, 12 * 60, frozenset(range(5))),
    Schedule("Australia/Sydney", 9 * 60, 17 * 60, frozenset({5})),
]
IDS = [f"p{index}" for index in range(14)]  # facilitators and members share one name space


def fits(
    facilitator: Participant, members: Sequence[str], mask: int, excluded: dict[str, frozenset[str]]
) -> bool:
    """May ``facilitator`` lead this group? Shares a slot, is not in it, no exclusion either way."""
    return (
        bool(GRID.availability(facilitator.schedule) & mask)
        and facilitator.id not in members
        and not any(facilitator.id in excluded.get(member, frozenset()) for member in members)
        and not facilitator.excluded & set(members)
    )


def reference(
    groups: Sequence[Sequence[str]],
    masks: Sequence[int],
    facilitators: Sequence[Participant],
    excluded: dict[str, frozenset[str]],
    preferred: Sequence[str | None],
) -> list[str | None]:
    """The rule, pair by pair."""
    fitting = [
        [f for f in facilitators if fits(f, members, mask, excluded)]
        for members, mask in zip(groups, masks, strict=True)
    ]
    demand = {f.id: sum(f in candidates for candidates in fitting) for f in facilitators}
    chosen: list[str | None] = [None] * len(groups)
    used: set[str] = set()
    for index, wanted in enumerate(preferred):
        if wanted is not None and wanted not in used and any(f.id == wanted for f in fitting[index]):
            chosen[index] = wanted
            used.add(wanted)
    for index in sorted(range(len(groups)), key=lambda i: (len(fitting[i]), list(groups[i]))):
        free = [f for f in fitting[index] if f.id not in used]
        if chosen[index] is None and free:
            pick = min(free, key=lambda f: (demand[f.id], f.id)).id
            chosen[index] = pick
            used.add(pick)
    return chosen


@st.composite
def instances(draw: st.DrawFn) -> Instance:
    facilitator_ids = draw(st.lists(st.sampled_from(IDS), unique=True, max_size=10))
    facilitators = [
        Participant(
            pid,
            draw(st.sampled_from(SCHEDULES)),
            excluded=frozenset(draw(st.lists(st.sampled_from(IDS), max_size=3))),
        )
        for pid in facilitator_ids
    ]
    groups: list[list[str]] = []
    masks: list[int] = []
    for _ in range(draw(st.integers(0, 8))):
        groups.append(sorted(draw(st.lists(st.sampled_from(IDS), unique=True, min_size=1, max_size=5))))
        chosen = draw(st.lists(st.sampled_from(SCHEDULES), min_size=1, max_size=2))
        mask = GRID.availability(chosen[0])
        for schedule in chosen[1:]:
            mask &= GRID.availability(schedule)
        masks.append(mask or GRID.availability(chosen[0]))
    listing = draw(st.sets(st.sampled_from(IDS)))
    excluded = {pid: frozenset(draw(st.lists(st.sampled_from(IDS), max_size=3))) for pid in listing}
    preferred = draw(st.lists(st.one_of(st.none(), st.sampled_from(IDS)), max_size=len(groups)))
    return groups, masks, facilitators, excluded, preferred


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_the_assignment_is_the_rules_pair_by_pair(instance: Instance) -> None:
    groups, masks, facilitators, excluded, preferred = instance
    chosen = assign_facilitators(groups, masks, facilitators, excluded, GRID, preferred)
    assert [f.id if f is not None else None for f in chosen] == reference(
        groups, masks, facilitators, excluded, preferred
    )
    # Same input in another order, same answer.
    again = assign_facilitators(groups, masks, list(reversed(facilitators)), excluded, GRID, preferred)
    assert again == chosen


def test_the_group_with_the_fewest_candidates_chooses_first() -> None:
    # Two London groups, one of which excludes f1: f2 fits both and f1 fits one, so the group
    # f1 cannot lead is the one with one candidate and chooses first; the other takes f1.
    london = SCHEDULES[0]
    mask = GRID.availability(london)
    f1, f2 = Participant("f1", london), Participant("f2", london)
    groups = [["a1", "a2"], ["b1", "b2"]]
    chosen = assign_facilitators(groups, [mask, mask], [f1, f2], {"b1": frozenset({"f1"})}, GRID)
    assert chosen == [f1, f2]


def test_a_barred_facilitator_at_the_head_of_their_schedule_is_passed_over_for_the_next() -> None:
    # f1 and f2 share a schedule and f1 is ranked first; the group's member excludes f1, so the
    # group gets f2 and f1 stays free for the next group.
    london = SCHEDULES[0]
    mask = GRID.availability(london)
    f1, f2 = Participant("f1", london), Participant("f2", london, excluded=frozenset({"c1"}))
    chosen = assign_facilitators(
        [["a1"], ["b1"]], [mask, mask], [f1, f2], {"a1": frozenset({"f1"})}, GRID, ["f9", None]
    )
    assert chosen == [f2, f1]
