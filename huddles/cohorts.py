"""Cohorts: returning parents grouped for a month's huddle, or told why they were not.

Pure: participants in, groups and reasons out. The hard rules, never broken:

- every group has ``min_size`` to ``max_size`` members (DESIGN.md: within 4 to 7);
- its members share at least one 30-minute slot in the month (``huddles.slots``);
- nobody shares a group with anyone either of them lists in ``excluded`` (the reporting chain);
- a group's stages (weeks since return) span at most ``max_stage_spread`` weeks, except that a
  group kept from last month may have drifted apart as its members aged together.

The soft goals, in order: last month's groups stay together (members still present stay;
newcomers fill a gap that would otherwise dissolve the group), then as many people placed as
possible, then similar stages and time zones together.

Method: greedy then repair, linear in practice. People are sorted by the UTC hour of the middle
of their working day, then stage, then id; each group grows from the first unplaced person by
scanning a bounded window ahead in that order for compatible people, aiming at sizes that split
the time-zone band evenly (so 8 people make 4 + 4, not 7 + 1). Groups left too small are
dissolved and their people offered to groups with room, nearest bands first, then grouped
among themselves. The window bound keeps 10,000 people at a few seconds whatever the input.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import pairwise

from huddles.slots import MonthGrid, Schedule, zone

MIN_SIZE = 4
MAX_SIZE = 7
DEFAULT_STAGE_SPREAD = 13  # weeks: about a quarter, so a 2-week returner is not with a 9-month one
_WINDOW = 160  # how far ahead in sorted order a growing group looks for members
_LEFTOVER_TRIES = 50  # seeds tried among the people no group took, before they are told why

_BANDS = 24


@dataclass(frozen=True)
class Participant:
    """A returning parent as the planner sees them: when they can meet, how far back, and whom to avoid."""

    id: str
    schedule: Schedule
    stage_weeks: int = 0
    excluded: frozenset[str] = frozenset()


@dataclass
class Group:
    """A cohort: member ids (sorted), and the slots they all share."""

    members: list[str]
    mask: int
    kept: bool = False  # grown from last month's group


@dataclass
class Cohorts:
    """The outcome: groups, and for everyone else a reason a person can read."""

    groups: list[Group] = field(default_factory=list)
    unplaced: dict[str, str] = field(default_factory=dict)


def check_sizes(min_size: int, max_size: int) -> None:
    """Refuse sizes outside DESIGN.md's 4 to 7 (a Slack group DM holds at most 8 with the facilitator)."""
    if not MIN_SIZE <= min_size <= max_size <= MAX_SIZE:
        raise ValueError(
            f"group sizes must satisfy {MIN_SIZE} <= min_size <= max_size <= {MAX_SIZE}, "
            f"got {min_size} and {max_size}"
        )


def blocked_pairs(participants: Iterable[Participant]) -> dict[str, set[str]]:
    """Who may not meet whom, made symmetric: an exclusion works both ways."""
    blocked: dict[str, set[str]] = defaultdict(set)
    for person in participants:
        for other in person.excluded:
            if other != person.id:
                blocked[person.id].add(other)
                blocked[other].add(person.id)
    return blocked


def utc_band(schedule: Schedule, grid: MonthGrid) -> int:
    """The UTC hour (0 to 23) of the middle of this person's working day, mid-month.

    Only an ordering key: people with nearby bands usually share hours, and the slot masks
    decide whether they really do.
    """
    tz = zone(schedule.timezone)
    middle = (schedule.start + schedule.end) // 2
    local = datetime(grid.year, grid.month, 15, tzinfo=tz) + timedelta(minutes=middle)
    moment = local.astimezone(UTC)
    return (moment.hour * 60 + moment.minute) // 60 % _BANDS


class _Builder:
    """The state of one planning run; methods are the greedy and repair steps."""

    def __init__(
        self,
        participants: Sequence[Participant],
        grid: MonthGrid,
        min_size: int,
        max_size: int,
        max_stage_spread: int,
    ) -> None:
        self.grid = grid
        self.min_size, self.max_size, self.spread = min_size, max_size, max_stage_spread
        self.people = {person.id: person for person in participants}
        self.blocked = blocked_pairs(participants)
        self.mask = {person.id: grid.availability(person.schedule) for person in participants}
        bands: dict[Schedule, int] = {}
        for person in participants:
            if person.schedule not in bands:
                bands[person.schedule] = utc_band(person.schedule, grid)
        self.band = {person.id: bands[person.schedule] for person in participants}
        self.placed: set[str] = set()
        self.groups: list[Group] = []

    # -- compatibility ---------------------------------------------------------------

    def stage_range(self, members: Sequence[str]) -> tuple[int, int]:
        stages = [self.people[member].stage_weeks for member in members]
        return min(stages), max(stages)

    def fits(self, candidate: str, members: Sequence[str], mask: int, stages: tuple[int, int]) -> int:
        """The group's shared slots with ``candidate`` added, or 0 when they may not join."""
        joined = mask & self.mask[candidate]
        if not joined:
            return 0
        stage = self.people[candidate].stage_weeks
        low, high = stages
        if max(high, stage) - min(low, stage) > max(self.spread, high - low):
            return 0
        blocked = self.blocked.get(candidate)
        if blocked and not blocked.isdisjoint(members):
            return 0
        return joined

    def add(self, group: Group, candidate: str, joined: int) -> None:
        group.members.append(candidate)
        group.mask = joined
        self.placed.add(candidate)

    # -- steps -----------------------------------------------------------------------

    def keep_previous(self, previous_groups: Sequence[Sequence[str]]) -> list[Group]:
        """Last month's groups, minus who left; who no longer fits goes back to the pool."""
        kept: list[Group] = []
        for previous in previous_groups:
            group = Group([], (1 << self.grid.slot_count) - 1, kept=True)
            for member in sorted(dict.fromkeys(previous)):
                if member not in self.people or member in self.placed or not self.mask[member]:
                    continue
                if len(group.members) >= self.max_size:
                    break
                # Stage spread does not split a kept group: its members aged together.
                joined = group.mask & self.mask[member]
                blocked = self.blocked.get(member)
                if joined and not (blocked and not blocked.isdisjoint(group.members)):
                    self.add(group, member, joined)
            if group.members:
                kept.append(group)
        return kept

    def fill(self, group: Group, pool: Sequence[str], target: int) -> None:
        """Add compatible people from ``pool`` (in order) until ``group`` reaches ``target``."""
        for candidate in pool:
            if len(group.members) >= target:
                return
            if candidate in self.placed:
                continue
            joined = self.fits(candidate, group.members, group.mask, self.stage_range(group.members))
            if joined:
                self.add(group, candidate, joined)

    def greedy(self, order: list[str], targets: dict[int, int], window: int) -> None:
        """Grow groups along ``order`` from the first unplaced person (see the module docstring)."""
        order = [pid for pid in order if pid not in self.placed]
        # A doubly linked list over ``order`` skips people placed along the way in O(1).
        count = len(order)
        following = list(range(1, count + 1))
        preceding = list(range(-1, count - 1))
        head = 0

        def unlink(position: int) -> int:
            nonlocal head
            before, after = preceding[position], following[position]
            if before >= 0:
                following[before] = after
            else:
                head = after
            if after < count:
                preceding[after] = before
            return after

        while head < count:
            seed = order[head]
            group = Group([], (1 << self.grid.slot_count) - 1)
            self.add(group, seed, self.mask[seed])
            target = targets.get(self.band[seed], self.max_size)
            stages = (self.people[seed].stage_weeks,) * 2
            cursor = unlink(head)
            looked = 0
            while cursor < count and looked < window and len(group.members) < target:
                candidate = order[cursor]
                looked += 1
                joined = self.fits(candidate, group.members, group.mask, stages)
                if joined:
                    self.add(group, candidate, joined)
                    stage = self.people[candidate].stage_weeks
                    stages = (min(stages[0], stage), max(stages[1], stage))
                    cursor = unlink(cursor)
                else:
                    cursor = following[cursor]
            self.groups.append(group)

    def dissolve_small(self) -> list[str]:
        """Drop groups below ``min_size``; their people are returned, in the order they came."""
        loose: list[str] = []
        big: list[Group] = []
        for group in self.groups:
            if len(group.members) >= self.min_size:
                big.append(group)
            else:
                loose.extend(group.members)
                self.placed.difference_update(group.members)
        self.groups = big
        return loose

    def join_existing(self, loose: Sequence[str]) -> list[str]:
        """Offer each loose person to the emptiest compatible group with room, looking in the
        nearest time-zone bands first and further out only when nothing nearer fits (a London
        group with room can take two New Yorkers who share its afternoon)."""
        by_band: dict[int, list[Group]] = defaultdict(list)
        for group in self.groups:
            by_band[self.band[group.members[0]]].append(group)
        remaining: list[str] = []
        for person in loose:
            band = self.band[person]
            best: tuple[int, int, Group, int] | None = None
            for distance in range(_BANDS // 2 + 1):
                for near in sorted({(band - distance) % _BANDS, (band + distance) % _BANDS}):
                    for index, group in enumerate(by_band.get(near, ())):
                        if len(group.members) >= self.max_size:
                            continue
                        joined = self.fits(person, group.members, group.mask, self.stage_range(group.members))
                        if joined and (best is None or (len(group.members), index) < best[:2]):
                            best = (len(group.members), index, group, joined)
                if best is not None:
                    break
            if best is None:
                remaining.append(person)
            else:
                self.add(best[2], person, best[3])
        return remaining


def _even_targets(order: Sequence[str], band: dict[str, int], min_size: int, max_size: int) -> dict[int, int]:
    """Per band, the group size that splits it evenly: 8 people make 4 + 4 rather than 7 + 1."""
    sizes: dict[int, int] = defaultdict(int)
    for person in order:
        sizes[band[person]] += 1
    targets: dict[int, int] = {}
    for key, size in sizes.items():
        groups = -(-size // max_size)
        targets[key] = min(max_size, max(min_size, -(-size // groups)))
    return targets


def form_cohorts(
    participants: Sequence[Participant],
    grid: MonthGrid,
    *,
    min_size: int = MIN_SIZE,
    max_size: int = MAX_SIZE,
    previous_groups: Sequence[Sequence[str]] = (),
    max_stage_spread: int = DEFAULT_STAGE_SPREAD,
) -> Cohorts:
    """Group ``participants`` for the month of ``grid`` (see the module docstring for the rules).

    The result depends only on the input's content, not its order: people are sorted by id
    first. Ids must be unique (``ValueError`` otherwise). ``previous_groups`` may name people who
    are no longer participants; they are ignored.
    """
    check_sizes(min_size, max_size)
    if max_stage_spread < 0:
        raise ValueError("max_stage_spread must not be negative")
    ordered = sorted(participants, key=lambda person: person.id)
    for first, second in pairwise(ordered):
        if first.id == second.id:
            raise ValueError(f"participant {first.id!r} appears twice")
    builder = _Builder(ordered, grid, min_size, max_size, max_stage_spread)

    # Last month's groups first, sorted so the input's order of groups does not matter.
    previous = sorted((sorted(set(group)) for group in previous_groups), key=lambda ids: (ids[:1], ids))
    kept = builder.keep_previous(previous)
    order = sorted(
        (person.id for person in ordered if builder.mask[person.id]),
        key=lambda pid: (builder.band[pid], builder.people[pid].stage_weeks, pid),
    )
    # A kept group below the minimum takes newcomers before anyone else forms a group.
    by_band: dict[int, list[str]] = defaultdict(list)
    for pid in order:
        by_band[builder.band[pid]].append(pid)
    for group in kept:
        if len(group.members) < min_size:
            band = builder.band[group.members[0]]
            for near in (band, (band - 1) % _BANDS, (band + 1) % _BANDS):
                builder.fill(group, by_band.get(near, ()), min_size)
        builder.groups.append(group)

    targets = _even_targets(
        [pid for pid in order if pid not in builder.placed], builder.band, min_size, max_size
    )
    builder.greedy(order, targets, _WINDOW)
    loose = builder.dissolve_small()
    loose = builder.join_existing(loose)
    # Whoever is still loose gets more tries among themselves, without a window. Each try starts
    # from a different person, so one awkward seed (say, someone who excluded half the pool)
    # does not stop the others from forming a group they could form without them.
    tries = 0
    while len(loose) >= min_size and tries < min(len(loose), _LEFTOVER_TRIES):
        formed = len(builder.groups)
        builder.greedy(loose, {}, len(loose))
        leftover_groups = builder.groups[formed:]
        builder.groups = builder.groups[:formed]
        still_loose: list[str] = []
        for group in leftover_groups:
            if len(group.members) >= min_size:
                builder.groups.append(group)
            else:
                builder.placed.difference_update(group.members)
                still_loose.extend(group.members)
        if len(builder.groups) > formed:
            loose, tries = still_loose, 0
        else:
            loose, tries = loose[1:] + loose[:1], tries + 1

    for group in builder.groups:
        group.members.sort()
    builder.groups.sort(key=lambda group: group.members)
    unplaced_ids = sorted(pid for pid in builder.people if pid not in builder.placed)
    reasons = explain(builder, unplaced_ids)
    return Cohorts(builder.groups, {pid: reasons[pid] for pid in unplaced_ids})


def explain(builder: _Builder, unplaced: Sequence[str]) -> dict[str, str]:
    """Why each unplaced person was not placed, in words they can act on.

    Counts run over distinct availability masks, so this stays fast with many unplaced.
    """
    stages_by_mask: dict[int, list[int]] = defaultdict(list)
    for pid, mask in builder.mask.items():
        if mask:
            stages_by_mask[mask].append(builder.people[pid].stage_weeks)
    for stages in stages_by_mask.values():
        stages.sort()
    need = builder.min_size
    reasons: dict[str, str] = {}
    for pid in unplaced:
        mine = builder.mask[pid]
        if not mine:
            reasons[pid] = (
                "Your working hours this month fall only on days off or public holidays, "
                "so there is no time a huddle could meet."
            )
            continue
        stage = builder.people[pid].stage_weeks
        low, high = stage - builder.spread, stage + builder.spread
        overlap = similar = 0
        for mask, stages in stages_by_mask.items():
            if mask & mine:
                overlap += len(stages)
                similar += bisect_right(stages, high) - bisect_left(stages, low)
        # Not counting themselves, nor anyone they may not meet.
        for other in (pid, *builder.blocked.get(pid, ())):
            if other in builder.people and builder.mask[other] & mine:
                overlap -= 1
                similar -= abs(builder.people[other].stage_weeks - stage) <= builder.spread
        if overlap + 1 < need:
            reasons[pid] = (
                f"No group of at least {need} shares your working hours this month: "
                f"{_people(overlap)} can meet when you can."
            )
        elif similar + 1 < need:
            reasons[pid] = (
                f"Only {similar + 1} people at a similar stage share your working hours right now; "
                f"a huddle needs at least {need}."
            )
        else:
            reasons[pid] = (
                "The groups that share your working hours and stage were full, or could not find a "
                "common time with you, this month."
            )
    return reasons


def _people(count: int) -> str:
    if count == 0:
        return "nobody else"
    return "only 1 other person" if count == 1 else f"only {count} other people"
