"""``plan``: DESIGN.md's ``hr-plugin huddles plan`` as a function, JSON-shaped dict in and out.

Pure, like the modules it joins (cohorts, slots): the CLI reads and writes the files, a future
service would build the same dict from the database. Input mistakes raise ``ValueError`` with a
message that names the field, because people write these files by hand.

Facilitators. Each group gets at most one facilitator and each facilitator at most one group a
month (a prepared mentor per huddle, not a rota). A facilitator fits a group when they share one
of the group's slots, are not a member of it, and neither side lists the other in ``excluded``.
Groups with the fewest fitting facilitators choose first, and each takes the fitting
facilitator who fits the fewest groups, so scarce people go where nobody else could; the slot is
then the earliest one the group and its facilitator share. A group nobody fits keeps its own
earliest slot and ``"facilitator": null``. Groups always have a slot: cohorts only forms groups
whose members share one, so no group is ever dissolved for want of a time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from huddles.cohorts import MAX_SIZE, MIN_SIZE, Group, Participant, check_sizes, form_cohorts
from huddles.slots import SLOT_MINUTES, MonthGrid, Schedule, parse_clock

_TOP_KEYS = {"month", "min_size", "max_size", "participants", "facilitators", "previous_groups"}
_PERSON_KEYS = {
    "id",
    "timezone",
    "stage_weeks",
    "working_hours",
    "working_days",
    "country",
    "subdivision",
    "excluded",
}
_REQUIRED = ("id", "timezone", "stage_weeks", "working_hours", "working_days")


def plan(data: Any) -> dict[str, Any]:
    """Form the month's groups, give each a facilitator and a slot; DESIGN.md's output shape.

    Groups are sorted by start time then members, members and the unplaced by id, so the same
    input (in any order) gives the same output.
    """
    if not isinstance(data, dict):
        raise ValueError("the input must be one JSON object")
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise ValueError(f"unknown key(s) {', '.join(map(repr, unknown))}")
    for key in ("month", "participants"):
        if key not in data:
            raise ValueError(f"missing key {key!r}")
    if not isinstance(data["month"], str):
        raise ValueError("'month' must be a string YYYY-MM")
    grid = MonthGrid.parse(data["month"])
    min_size = _size(data, "min_size", MIN_SIZE)
    max_size = _size(data, "max_size", MAX_SIZE)
    check_sizes(min_size, max_size)
    participants = _people(data["participants"], "participants", stage_required=True)
    facilitators = _people(data.get("facilitators", []), "facilitators", stage_required=False)
    previous = _previous(data.get("previous_groups", []))

    cohorts = form_cohorts(participants, grid, min_size=min_size, max_size=max_size, previous_groups=previous)
    excluded = {person.id: person.excluded for person in participants}
    groups = [
        {
            "members": list(placed.members),
            "facilitator": placed.facilitator.id if placed.facilitator is not None else None,
            "start_utc": placed.start_utc.isoformat(),
            "minutes": SLOT_MINUTES,
        }
        for placed in place(cohorts.groups, facilitators, excluded, grid)
    ]
    groups.sort(key=lambda item: (item["start_utc"], item["members"]))
    unplaced = [{"id": pid, "reason": reason} for pid, reason in sorted(cohorts.unplaced.items())]
    return {"groups": groups, "unplaced": unplaced}


@dataclass(frozen=True)
class Placed:
    """A group with its facilitator (or none) and its start."""

    members: tuple[str, ...]
    facilitator: Participant | None
    start_utc: datetime


def place(
    groups: Sequence[Group],
    facilitators: Sequence[Participant],
    excluded: dict[str, frozenset[str]],
    grid: MonthGrid,
    preferred: Sequence[str | None] = (),
) -> list[Placed]:
    """Give each formed group a facilitator and its earliest slot (see the module docstring)."""
    chosen = assign_facilitators(
        [group.members for group in groups],
        [group.mask for group in groups],
        facilitators,
        excluded,
        grid,
        preferred,
    )
    placed = []
    for group, facilitator in zip(groups, chosen, strict=True):
        mask = group.mask
        if facilitator is not None:
            mask &= grid.availability(facilitator.schedule)
        start = grid.earliest(mask)
        if start is None:  # impossible by construction; refuse rather than give a wrong plan
            raise AssertionError(f"group {group.members} has no slot")
        placed.append(Placed(tuple(group.members), facilitator, start))
    return placed


def assign_facilitators(
    groups: Sequence[Sequence[str]],
    masks: Sequence[int],
    facilitators: Sequence[Participant],
    excluded: dict[str, frozenset[str]],
    grid: MonthGrid,
    preferred: Sequence[str | None] = (),
) -> list[Participant | None]:
    """One facilitator (or ``None``) per group, each facilitator used once (module docstring).

    ``preferred`` names, per group, the facilitator it had last month: kept when they still fit,
    so a group that stays together keeps its facilitator (and its group DM).

    Candidates are found per distinct facilitator schedule, so the cost is groups x schedules
    plus the actual fits, not groups x facilitators.
    """
    by_schedule: dict[Schedule, list[Participant]] = defaultdict(list)
    for facilitator in sorted(facilitators, key=lambda person: person.id):
        by_schedule[facilitator.schedule].append(facilitator)
    fac_masks = [(grid.availability(schedule), people) for schedule, people in by_schedule.items()]
    candidates: list[list[Participant]] = []
    for members, mask in zip(groups, masks, strict=True):
        member_set = set(members)
        avoid = set().union(*(excluded.get(member, frozenset()) for member in members))
        fits = [
            facilitator
            for fac_mask, people in fac_masks
            if fac_mask & mask
            for facilitator in people
            if facilitator.id not in member_set
            and facilitator.id not in avoid
            and member_set.isdisjoint(facilitator.excluded)
        ]
        candidates.append(fits)
    demand: dict[str, int] = defaultdict(int)
    for fits in candidates:
        for facilitator in fits:
            demand[facilitator.id] += 1
    chosen: list[Participant | None] = [None] * len(groups)
    used: set[str] = set()
    for index, wanted in enumerate(preferred):
        keep = next((f for f in candidates[index] if f.id == wanted and f.id not in used), None)
        if keep is not None:
            chosen[index] = keep
            used.add(keep.id)
    for index in sorted(range(len(groups)), key=lambda i: (len(candidates[i]), list(groups[i]))):
        free = [facilitator for facilitator in candidates[index] if facilitator.id not in used]
        if free and chosen[index] is None:
            pick = min(free, key=lambda person: (demand[person.id], person.id))
            chosen[index] = pick
            used.add(pick.id)
    return chosen


def _size(data: dict[str, Any], key: str, default: int) -> int:
    value = data.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{key!r} must be a whole number, got {value!r}")
    return value


def _people(items: Any, where: str, *, stage_required: bool) -> list[Participant]:
    if not isinstance(items, list):
        raise ValueError(f"{where!r} must be a list")
    people: list[Participant] = []
    seen: set[str] = set()
    for position, item in enumerate(items):
        label = f"{where}[{position}]"
        try:
            person = _person(item, stage_required=stage_required)
        except ValueError as exc:
            raise ValueError(f"{label}: {exc}") from None
        if person.id in seen:
            raise ValueError(f"{label}: id {person.id!r} appears twice in {where!r}")
        seen.add(person.id)
        people.append(person)
    return people


def _person(item: Any, *, stage_required: bool) -> Participant:
    if not isinstance(item, dict):
        raise ValueError("must be an object")
    unknown = sorted(set(item) - _PERSON_KEYS)
    if unknown:
        raise ValueError(f"unknown key(s) {', '.join(map(repr, unknown))}")
    for key in _REQUIRED:
        if key not in item and (stage_required or key != "stage_weeks"):
            raise ValueError(f"missing key {key!r}")
    pid = item["id"]
    if not isinstance(pid, str) or not pid:
        raise ValueError(f"'id' must be a non-empty string, got {pid!r}")
    stage = item.get("stage_weeks", 0)
    if not isinstance(stage, int) or isinstance(stage, bool) or stage < 0:
        raise ValueError(f"'stage_weeks' must be a whole number of weeks, 0 or more, got {stage!r}")
    hours = item["working_hours"]
    if not isinstance(hours, list) or len(hours) != 2:
        raise ValueError(f'\'working_hours\' must be [start, end] like ["09:00", "17:00"], got {hours!r}')
    start, end = parse_clock(hours[0]), parse_clock(hours[1], allow_midnight_end=True)
    if start >= end:
        raise ValueError(f"working hours must end after they start (no night shifts), got {hours!r}")
    days = item["working_days"]
    if not isinstance(days, list) or not all(
        isinstance(day, int) and not isinstance(day, bool) and 0 <= day <= 6 for day in days
    ):
        raise ValueError(f"'working_days' must be a list of weekdays 0 (Monday) to 6 (Sunday), got {days!r}")
    country, subdivision = item.get("country"), item.get("subdivision")
    for key, value in (("country", country), ("subdivision", subdivision), ("timezone", item["timezone"])):
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{key!r} must be a string, got {value!r}")
    excluded = item.get("excluded", [])
    if not isinstance(excluded, list) or not all(isinstance(other, str) for other in excluded):
        raise ValueError(f"'excluded' must be a list of ids, got {excluded!r}")
    schedule = Schedule(item["timezone"], start, end, frozenset(days), country, subdivision)
    return Participant(pid, schedule, stage, frozenset(excluded))


def _previous(groups: Any) -> list[list[str]]:
    if not isinstance(groups, list) or not all(
        isinstance(group, list) and all(isinstance(pid, str) for pid in group) for group in groups
    ):
        raise ValueError("'previous_groups' must be a list of lists of ids")
    return groups
