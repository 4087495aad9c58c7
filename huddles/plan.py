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
earliest slot and ``"facilitator": null``. ``assign_facilitators`` says how this stays linear
in the number of groups. Groups always have a slot: cohorts only forms groups
whose members share one, so no group is ever dissolved for want of a time.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
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
    known: dict[tuple[Any, ...], Schedule] = {}
    participants = _people(data["participants"], "participants", known, stage_required=True)
    facilitators = _people(data.get("facilitators", []), "facilitators", known, stage_required=False)
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

    Nothing here lists a group's fitting facilitators one by one, since with as many
    facilitators as groups that is groups x facilitators (50,000 participants make 7,000 groups
    and as many mentors: 50 million pairs). Whether a facilitator fits a group is decided in two
    parts. Time is decided per distinct facilitator schedule: everyone on one schedule shares
    its slots, so a group's fitting facilitators are its overlapping schedules' people minus a
    few (``_Barred``: members, and whoever an exclusion names, both ways). Those few come from
    the exclusion lists, so their number grows with the exclusions, not with the groups. Counts
    (how many fit a group, how many groups a facilitator fits) follow by arithmetic, and the
    pick walks each overlapping schedule's people in the order the rule wants (``_Pool``),
    skipping the used in near-constant time. The cost is groups x distinct schedules (a few
    hundred at most: zones x hours x weekday patterns) plus facilitators and exclusions, and
    the outcome is exactly the rule's.
    """
    pool = _Pool(facilitators, grid)
    listed_by: dict[str, list[str]] = defaultdict(list)
    for facilitator in facilitators:
        for other in facilitator.excluded:
            listed_by[other].append(facilitator.id)

    overlapping: dict[int, list[int]] = {}  # per distinct group mask: the schedules it meets
    reachable: dict[int, int] = {}  # per distinct group mask: how many facilitators share a slot
    groups_with_mask: dict[int, int] = defaultdict(int)
    barred: list[set[str]] = []
    fitting: list[int] = []
    misses: dict[str, int] = defaultdict(int)  # per facilitator: groups they overlap but may not join
    for members, mask in zip(groups, masks, strict=True):
        if mask not in overlapping:
            overlapping[mask] = pool.overlapping(mask)
            reachable[mask] = sum(pool.size(schedule) for schedule in overlapping[mask])
        groups_with_mask[mask] += 1
        out = pool.barred(members, mask, excluded, listed_by)
        for facilitator_id in out:
            misses[facilitator_id] += 1
        barred.append(out)
        fitting.append(reachable[mask] - len(out))
    groups_per_schedule = [0] * pool.schedules
    for mask, count in groups_with_mask.items():
        for schedule in overlapping[mask]:
            groups_per_schedule[schedule] += count
    pool.rank(lambda person: groups_per_schedule[pool.schedule_of[person.id]] - misses[person.id])

    chosen: list[Participant | None] = [None] * len(groups)
    for index, wanted in enumerate(preferred):
        if wanted is not None and pool.fits(wanted, masks[index], barred[index]):
            chosen[index] = pool.take(wanted)
    for index in sorted(range(len(groups)), key=lambda i: (fitting[i], list(groups[i]))):
        if chosen[index] is None:
            pick = pool.best(overlapping[masks[index]], barred[index])
            if pick is not None:
                chosen[index] = pool.take(pick)
    return chosen


_NOBODY = (sys.maxsize, "")  # the head of a schedule whose people are all taken; above any real key


class _Pool:
    """The facilitators still free, by schedule, each schedule's people in the order of the rule.

    All schedules' people sit in one list, a schedule a contiguous run of it, ranked within the
    run by (groups they fit, id), the rule's preference. ``_heads`` holds each run's first free
    person's key, so the best free facilitator over a group's schedules is one ``min`` over their
    heads. ``_next`` skips people already taken: it points at or past the next free position,
    and following it compresses the path, so walking past the taken costs near-constant time.
    """

    def __init__(self, facilitators: Sequence[Participant], grid: MonthGrid) -> None:
        by_schedule: dict[Schedule, list[Participant]] = defaultdict(list)
        for facilitator in sorted(facilitators, key=lambda person: person.id):
            by_schedule[facilitator.schedule].append(facilitator)
        self._runs = list(by_schedule.values())
        self._masks = [grid.availability(schedule) for schedule in by_schedule]
        self.schedules = len(self._runs)
        self.schedule_of = {person.id: index for index, run in enumerate(self._runs) for person in run}
        self._people: list[Participant] = []
        self._keys: list[tuple[int, str]] = []
        self._ends: list[int] = []
        self._heads: list[tuple[int, str]] = []
        self._position: dict[str, int] = {}
        self._next: list[int] = []

    def size(self, schedule: int) -> int:
        return len(self._runs[schedule])

    def overlapping(self, mask: int) -> list[int]:
        """The schedules that share a slot with ``mask``."""
        return [index for index, slots in enumerate(self._masks) if slots & mask]

    def barred(
        self,
        members: Sequence[str],
        mask: int,
        excluded: dict[str, frozenset[str]],
        listed_by: dict[str, list[str]],
    ) -> set[str]:
        """Facilitators who share a slot with this group yet may not facilitate it: members of
        it, people a member excludes, and people who exclude a member."""
        named: set[str] = set(members)
        for member in members:
            named.update(excluded.get(member, ()))
            named.update(listed_by.get(member, ()))
        return {
            person
            for person in named
            if person in self.schedule_of and self._masks[self.schedule_of[person]] & mask
        }

    def fits(self, facilitator_id: str, mask: int, barred: set[str]) -> bool:
        """Free, shares a slot with the group, and not barred from it."""
        position = self._position.get(facilitator_id)
        if position is None or self._find(position) != position:
            return False
        return bool(self._masks[self.schedule_of[facilitator_id]] & mask) and facilitator_id not in barred

    def rank(self, demand: Callable[[Participant], int]) -> None:
        """Order each schedule's people by (``demand``, id) and mark everyone free."""
        for run in self._runs:
            self._heads.append(_NOBODY)
            for person in sorted(run, key=lambda person: (demand(person), person.id)):
                self._position[person.id] = len(self._people)
                self._people.append(person)
                self._keys.append((demand(person), person.id))
            self._ends.append(len(self._people))
        self._next = list(range(len(self._people) + 1))
        for schedule, run in enumerate(self._runs):
            if run:
                self._heads[schedule] = self._keys[self._ends[schedule] - len(run)]

    def best(self, schedules: Sequence[int], barred: set[str]) -> str | None:
        """The free, unbarred person with the smallest (demand, id) across ``schedules``.

        A barred person who heads their run is stood in for by the next free, unbarred person of
        that run while the heads are compared (barred people share a slot with the group, so
        their runs are among ``schedules``).
        """
        heads = self._heads
        saved: list[tuple[int, tuple[int, str]]] = []
        for person in barred:
            schedule = self.schedule_of[person]
            if heads[schedule][1] == person:
                saved.append((schedule, heads[schedule]))
                position, end = self._find(self._position[person] + 1), self._ends[schedule]
                while position < end and self._keys[position][1] in barred:
                    position = self._find(position + 1)
                heads[schedule] = self._keys[position] if position < end else _NOBODY
        best = min(map(heads.__getitem__, schedules), default=_NOBODY)
        for schedule, head in reversed(saved):
            heads[schedule] = head
        return best[1] if best is not _NOBODY else None

    def take(self, facilitator_id: str) -> Participant:
        """Mark this free person taken (and move their run's head past them)."""
        position = self._position[facilitator_id]
        self._next[position] = position + 1
        schedule = self.schedule_of[facilitator_id]
        if self._heads[schedule][1] == facilitator_id:
            following = self._find(position + 1)
            self._heads[schedule] = self._keys[following] if following < self._ends[schedule] else _NOBODY
        return self._people[position]

    def _find(self, position: int) -> int:
        """The first free position at or after ``position`` (the sentinel past the end if none)."""
        root = position
        while self._next[root] != root:
            root = self._next[root]
        while self._next[position] != root:  # path compression
            self._next[position], position = root, self._next[position]
        return root


def _size(data: dict[str, Any], key: str, default: int) -> int:
    value = data.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{key!r} must be a whole number, got {value!r}")
    return value


def _people(
    items: Any, where: str, known: dict[tuple[Any, ...], Schedule], *, stage_required: bool
) -> list[Participant]:
    """Each item checked and read; ``known`` holds the schedules already read (see ``_person``)."""
    if not isinstance(items, list):
        raise ValueError(f"{where!r} must be a list")
    people: list[Participant] = []
    seen: set[str] = set()
    for position, item in enumerate(items):
        label = f"{where}[{position}]"
        try:
            person = _person(item, known, stage_required=stage_required)
        except ValueError as exc:
            raise ValueError(f"{label}: {exc}") from None
        if person.id in seen:
            raise ValueError(f"{label}: id {person.id!r} appears twice in {where!r}")
        seen.add(person.id)
        people.append(person)
    return people


def _person(item: Any, known: dict[tuple[Any, ...], Schedule], *, stage_required: bool) -> Participant:
    """One person, checked. Tens of thousands of people share a few hundred schedules, so a
    schedule's fields, checked and read once, are kept in ``known`` under their exact raw values
    and types (``_raw_schedule``); a later person with the same ones skips those checks, which
    could only pass again, and shares the one ``Schedule`` (dict look-ups on it then match by
    identity). Checking every field of every person was half of planning 50,000 people."""
    if not isinstance(item, dict):
        raise ValueError("must be an object")
    if not _PERSON_KEYS.issuperset(item):
        unknown = sorted(set(item) - _PERSON_KEYS)
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
    raw = _raw_schedule(item)
    schedule = known.get(raw) if raw is not None else None
    if schedule is None:
        start, end, days = _check_schedule(item)
    excluded = item.get("excluded", [])
    if not isinstance(excluded, list) or not all(isinstance(other, str) for other in excluded):
        raise ValueError(f"'excluded' must be a list of ids, got {excluded!r}")
    if schedule is None:
        schedule = Schedule(item["timezone"], start, end, days, item.get("country"), item.get("subdivision"))
        if raw is not None:
            known[raw] = schedule
    return Participant(pid, schedule, stage, frozenset(excluded))


def _raw_schedule(item: dict[str, Any]) -> tuple[Any, ...] | None:
    """The schedule's fields as given, with each value's type beside it (so ``true`` is not
    taken for ``1``), as a key; ``None`` when they cannot be one."""
    hours, days = item["working_hours"], item["working_days"]
    if type(hours) is not list or type(days) is not list:
        return None
    scalars = (item["timezone"], item.get("country"), item.get("subdivision"))
    key = (
        scalars,
        tuple(map(type, scalars)),
        tuple(hours),
        tuple(map(type, hours)),
        tuple(days),
        tuple(map(type, days)),
    )
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _check_schedule(item: dict[str, Any]) -> tuple[int, int, frozenset[int]]:
    """Working hours and days checked and read; country, subdivision and zone checked."""
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
    return start, end, frozenset(days)


def _previous(groups: Any) -> list[list[str]]:
    if not isinstance(groups, list) or not all(
        isinstance(group, list) and all(isinstance(pid, str) for pid in group) for group in groups
    ):
        raise ValueError("'previous_groups' must be a list of lists of ids")
    return groups
