"""How well a mentor suits a returning parent, in integer points, with the reasons in plain words.

Pure: profiles and a date in, a weight and two lists of reasons out. The solver only needs the
weight; the reasons go into the introduction each side receives, so they are written per side
and obey the disclosure matrix in DESIGN.md:

- A mentee's preferences are private. They shape the weight, but a reason shown to the mentor
  never mentions a preference or a tag (the mentor would learn what the mentee asked for).
- A mentor's experience tags count only if the mentor chose to share them, and then only the
  ones the mentee asked for. Unshared tags do not count at all, not even silently in the
  weight: a match carried by a hidden tag would let the mentee guess it from reasons that do
  not add up, and a mentor who keeps a tag to themselves has not agreed to be chosen for it.

Components (points with the default ``ScoringConfig``; every weight is at least 1):

=================  ======  ===================================================================
component          points  rule
=================  ======  ===================================================================
working hours      0..40   shared working minutes in a reference week (across time zones and
                           daylight saving), as a share of the smaller of the two working weeks
department         0 / 15  different departments by default (people speak more freely outside
                           their own team); ``prefer_other_department=False`` rewards the same
                           one; nothing when either department is unknown
shared tags        12 each tags the mentor shares that the mentee asked for, at most 3
recency            0..10   full points when the mentor returned 6 months to 3 years ago (recent
                           enough to remember, far enough to look back on), half when more
                           recent or up to 6 years ago, none after that or when unknown
load               0..10   the free share of the mentor's capacity, so that popular mentors
                           are not always first
base               1       both have lived a return to work: keeps every weight positive
=================  ======  ===================================================================

Hard constraints are not points: a forbidden pair must be impossible, not merely unlikely, so
``eligible`` decides them and the caller gives the solver no edge for an ineligible pair.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# The experience-tag vocabulary: the key is stored, the label is what people read. Mentors pick
# the tags that fit their own experience, mentees the ones they would like in a mentor.
TAGS: Mapping[str, str] = MappingProxyType(
    {
        "part_time_return": "returned part-time",
        "adoptive_parent": "adoptive parent",
        "non_birthing_parent": "non-birthing parent",
        "surrogacy": "parent through surrogacy",
        "single_parent": "single parent",
        "shared_leave": "shared parental leave",
        "premature_baby": "premature baby",
        "twins": "twins or more",
        "second_or_later_child": "second or later child",
        "additional_needs": "child with additional needs",
        "returned_after_loss": "returned after a loss",
        "new_role_on_return": "changed role on return",
    }
)

# What a mentee reads when a tag the mentor shares carried the match. Each sentence holds the
# tag's label, and none assumes the mentee's own situation or anyone's gender.
TAG_REASONS: Mapping[str, str] = MappingProxyType(
    {
        "part_time_return": "They returned part-time",
        "adoptive_parent": "They are an adoptive parent",
        "non_birthing_parent": "They are a non-birthing parent",
        "surrogacy": "They became a parent through surrogacy",
        "single_parent": "They are a single parent",
        "shared_leave": "They took shared parental leave",
        "premature_baby": "They had a premature baby",
        "twins": "They are a parent of twins or more",
        "second_or_later_child": "They came back after a second or later child",
        "additional_needs": "They have a child with additional needs",
        "returned_after_loss": "They returned after a loss",
        "new_role_on_return": "They changed role on return",
    }
)

# Recency bands, in days since the mentor's own return.
FRESH_UNTIL = 183  # under about 6 months: still finding their own feet
PRIME_UNTIL = 3 * 365 + 1  # up to 3 years: recent enough to remember well
FADING_UNTIL = 6 * 365 + 2  # up to 6 years: half points; none after

_CLOCK = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
_WEEK_MINUTES = 7 * 24 * 60


@dataclass(frozen=True)
class Person:
    """Who someone is for matching: where and when they work, and in which department."""

    id: str
    timezone: str
    work_start: str = "09:00"
    work_end: str = "17:00"
    working_days: tuple[int, ...] = (0, 1, 2, 3, 4)
    department: str = ""

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("a person needs an id")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{self.id}: unknown time zone {self.timezone!r}") from None
        for name in ("work_start", "work_end"):
            if not _CLOCK.fullmatch(getattr(self, name)):
                raise ValueError(f"{self.id}: {name} must be HH:MM, got {getattr(self, name)!r}")
        if self.work_start == self.work_end:
            raise ValueError(f"{self.id}: working hours start and end at the same time")
        if any(day not in range(7) for day in self.working_days) or len(set(self.working_days)) != len(
            self.working_days
        ):
            raise ValueError(f"{self.id}: working days must be distinct numbers 0 (Monday) to 6")


@dataclass(frozen=True)
class MenteeProfile:
    """A returning parent: their private preferences and the people they asked not to meet."""

    person: Person
    preferences: frozenset[str] = frozenset()
    excluded: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        _check_tags(self.person.id, self.preferences)


@dataclass(frozen=True)
class MentorProfile:
    """A mentor: their experience tags, whether they share them, and how much room they have."""

    person: Person
    tags: frozenset[str] = frozenset()
    share_tags: bool = False
    returned_on: date | None = None
    capacity: int = 1
    load: int = 0
    paused: bool = False

    def __post_init__(self) -> None:
        _check_tags(self.person.id, self.tags)
        if not 1 <= self.capacity <= 3:
            raise ValueError(f"{self.person.id}: capacity must be 1 to 3, got {self.capacity}")
        if self.load < 0:
            raise ValueError(f"{self.person.id}: load cannot be negative")


@dataclass(frozen=True)
class ScoringConfig:
    """The points each component can give. Integers, so the solver's optimum is exact."""

    hours: int = 40
    department: int = 15
    per_shared_tag: int = 12
    max_shared_tags: int = 3
    recency: int = 10
    load: int = 10
    base: int = 1
    prefer_other_department: bool = True

    def __post_init__(self) -> None:
        for name in ("hours", "department", "per_shared_tag", "max_shared_tags", "recency", "load"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"scoring {name} must be a whole number of points, 0 or more")
        if not isinstance(self.base, int) or isinstance(self.base, bool) or self.base < 1:
            raise ValueError("scoring base must be at least 1, so that every allowed pair can be chosen")


@dataclass(frozen=True)
class Scored:
    """A pair's weight and, for each side, the two or three reasons that carried it."""

    weight: int
    reasons_for_mentee: tuple[str, ...]
    reasons_for_mentor: tuple[str, ...]


@dataclass(frozen=True)
class _Part:
    """One component's points and how each side may hear about it (``None``: not at all)."""

    points: int
    for_mentee: str | None
    for_mentor: str | None
    order: int = field(default=0)


def eligible(
    mentee: MenteeProfile,
    mentor: MentorProfile,
    *,
    chain: frozenset[str],
    declined_pairs: frozenset[tuple[str, str]],
) -> bool:
    """Whether the pair may be proposed at all: the hard constraints, never traded for points.

    ``chain`` holds the ids of everyone in the mentee's reporting chain, up and down, at any
    depth (the caller reads it from the directory). ``declined_pairs`` holds (mentee, mentor)
    pairs that were declined or ended; a pair is refused in either order, so two people who
    once stepped back are never proposed to each other again whatever their roles. Tenants are
    the caller's concern: both profiles come from one tenant's rows.
    """
    mentee_id, mentor_id = mentee.person.id, mentor.person.id
    return not (
        mentee_id == mentor_id
        or mentor_id in chain
        or mentor.paused
        or mentor.load >= mentor.capacity
        or (mentee_id, mentor_id) in declined_pairs
        or (mentor_id, mentee_id) in declined_pairs
        or mentor_id in mentee.excluded
    )


def score(
    mentee: MenteeProfile, mentor: MentorProfile, *, today: date, config: ScoringConfig | None = None
) -> Scored:
    """The pair's weight (at least 1) and the reasons each side may read, largest first."""
    config = config or ScoringConfig()
    parts = [
        _hours(mentee.person, mentor.person, today, config),
        _department(mentee.person, mentor.person, config),
        _recency(mentor, today, config),
        _load(mentor, config),
        *_tags(mentee, mentor, config),
    ]
    base = _Part(
        config.base,
        "They have been through their own return to work",
        "They are finding their way back to work, as you once did",
    )
    weight = base.points + sum(part.points for part in parts)
    return Scored(
        weight=weight,
        reasons_for_mentee=_reasons([(p.points, p.order, p.for_mentee) for p in parts], base.for_mentee),
        reasons_for_mentor=_reasons([(p.points, p.order, p.for_mentor) for p in parts], base.for_mentor),
    )


def working_overlap_minutes(a: Person, b: Person, *, today: date) -> int:
    """Minutes both people are at work in the UTC week (Monday to Monday) that holds ``today``.

    Each person's hours are placed in their own time zone on their own working days, so a
    Sydney morning meets a London evening of the day before, and the clocks are those in force
    that week (daylight saving moves the overlap through the year).
    """
    monday = today - timedelta(days=today.weekday())
    return _overlap(_week_intervals(*_schedule(a), monday), _week_intervals(*_schedule(b), monday))


def weekly_working_minutes(person: Person, *, today: date) -> int:
    """How many minutes the person works in the UTC week that holds ``today``.

    The same window as :func:`working_overlap_minutes`, so the overlap is never more than it.
    Usually the person's whole working week; in a week when their clocks change, an hour more
    or less than that, because part of one working day falls on the other side of the window.
    """
    monday = today - timedelta(days=today.weekday())
    return sum(end - start for start, end in _week_intervals(*_schedule(person), monday))


def _hours(mentee: Person, mentor: Person, today: date, config: ScoringConfig) -> _Part:
    shared = working_overlap_minutes(mentee, mentor, today=today)
    shorter = min(weekly_working_minutes(mentee, today=today), weekly_working_minutes(mentor, today=today))
    if shared == 0 or shorter == 0:
        return _Part(0, None, None, order=0)
    share = shared / shorter
    if share >= 0.75:
        words = "You both work mostly the same hours"
    elif share >= 0.4:
        words = "Your working hours overlap for a good part of the week"
    else:
        words = "Your working hours overlap for some of the week"
    return _Part(config.hours * shared // shorter, words, words, order=0)


def _department(mentee: Person, mentor: Person, config: ScoringConfig) -> _Part:
    ours, theirs = mentee.department.strip().casefold(), mentor.department.strip().casefold()
    if not ours or not theirs:
        return _Part(0, None, None, order=1)
    if config.prefer_other_department and ours != theirs:
        words = "Different teams, so you can speak freely"
        return _Part(config.department, words, words, order=1)
    if not config.prefer_other_department and ours == theirs:
        return _Part(
            config.department,
            "Same department, so they know how things work there",
            "Same department, so you know how things work there",
            order=1,
        )
    return _Part(0, None, None, order=1)


def _recency(mentor: MentorProfile, today: date, config: ScoringConfig) -> _Part:
    if mentor.returned_on is None:
        return _Part(0, None, None, order=2)
    days = (today - mentor.returned_on).days
    if FRESH_UNTIL <= days < PRIME_UNTIL:
        return _Part(
            config.recency,
            "Their own return is recent enough to remember well",
            "Your own return is recent enough to remember well",
            order=2,
        )
    if 0 <= days < FADING_UNTIL:
        return _Part(
            config.recency // 2,
            "They have been through a return to work themselves",
            "You have been through a return to work yourself",
            order=2,
        )
    return _Part(0, None, None, order=2)


def _load(mentor: MentorProfile, config: ScoringConfig) -> _Part:
    free = max(0, mentor.capacity - mentor.load)
    return _Part(
        config.load * free // mentor.capacity,
        "They have time to give right now",
        "You have room for another mentee right now",
        order=3,
    )


def _tags(mentee: MenteeProfile, mentor: MentorProfile, config: ScoringConfig) -> list[_Part]:
    """Shared tags the mentee asked for; only the mentee hears of them, and only if shared."""
    if not mentor.share_tags:
        return []
    wanted = [tag for tag in TAGS if tag in mentor.tags and tag in mentee.preferences]
    return [
        _Part(config.per_shared_tag, TAG_REASONS[tag], None, order=4 + index)
        for index, tag in enumerate(wanted[: config.max_shared_tags])
    ]


def _reasons(parts: list[tuple[int, int, str | None]], fallback: str | None) -> tuple[str, ...]:
    """Up to three reasons by contribution, topped up with the base reason to make two."""
    visible = sorted((-points, order, words) for points, order, words in parts if points > 0 and words)
    chosen: list[str] = []
    for _, _, words in visible:
        if words not in chosen:
            chosen.append(words)
        if len(chosen) == 3:
            break
    if len(chosen) < 2 and fallback:
        chosen.append(fallback)
    return tuple(chosen)


def _check_tags(person_id: str, tags: Collection[str]) -> None:
    unknown = sorted(set(tags) - TAGS.keys())
    if unknown:
        raise ValueError(f"{person_id}: unknown experience tags {', '.join(unknown)}")


def _schedule(person: Person) -> tuple[str, str, str, tuple[int, ...]]:
    return person.timezone, person.work_start, person.work_end, tuple(sorted(person.working_days))


@lru_cache(maxsize=4096)
def _week_intervals(
    timezone: str, start: str, end: str, days: tuple[int, ...], monday: date
) -> tuple[tuple[int, int], ...]:
    """One week of working periods, as minutes from Monday 00:00 UTC, merged.

    The week is the real UTC week from that Monday, and both people are measured in the same
    one, which keeps the overlap symmetric and exact. Each person's local working days around it
    (two days either side, enough for any offset and a night shift) are placed on the UTC
    timeline with the offsets in force on each day, then cut to the week, so a Sydney Monday
    that begins on a UTC Sunday counts, and a week with a daylight-saving change counts the
    hours that really happened rather than a copy of another week. Hours that end at or before
    they start run past midnight (a night shift). Cached: a company has few distinct schedules
    and the scorer meets each one thousands of times.
    """
    zone = ZoneInfo(timezone)
    opens, closes = _clock(start), _clock(end)
    origin = datetime.combine(monday, time(0, 0), tzinfo=UTC)
    periods: list[tuple[int, int]] = []
    for offset in range(-2, 9):
        day = monday + timedelta(days=offset)
        if day.weekday() not in days:
            continue
        # In UTC before subtracting: two times in the same zone subtract as wall-clock times,
        # which would miss the hour a daylight-saving change adds or removes.
        began = datetime.combine(day, opens, tzinfo=zone).astimezone(UTC)
        ended = datetime.combine(
            day + timedelta(days=1) if closes <= opens else day, closes, tzinfo=zone
        ).astimezone(UTC)
        first = max(0, int((began - origin).total_seconds()) // 60)
        last = min(_WEEK_MINUTES, int((ended - origin).total_seconds()) // 60)
        if last > first:  # not outside the week, nor vanished in a daylight-saving gap
            periods.append((first, last))
    merged: list[tuple[int, int]] = []
    for first, last in sorted(periods):
        if merged and first <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return tuple(merged)


def _overlap(a: tuple[tuple[int, int], ...], b: tuple[tuple[int, int], ...]) -> int:
    total, i, j = 0, 0, 0
    while i < len(a) and j < len(b):
        total += max(0, min(a[i][1], b[j][1]) - max(a[i][0], b[j][0]))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))
