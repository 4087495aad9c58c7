"""What a person's own check-ins suggest: signals, a look back, and which offers are due.

Pure on purpose: entries and dates in, values out, with no database, no Slack and no clock (the
caller passes ``today``). That keeps the rules easy to test with generated histories, and it
keeps a promise of the design: a signal never sends anything. It waits in the private space and
is shown only to the person who wrote the entries, when they open it.

Weeks are ISO weeks written ``YYYY-Www``. "Consecutive" always means consecutive calendar weeks,
worked out with date arithmetic, so a year with 53 ISO weeks (2026, for example) is handled and
a gap between two entries is never mistaken for "the week after".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from itertools import pairwise
from typing import Any

RATINGS = ("restorative", "neutral", "demanding", "none_good")
NONE_GOOD = "none_good"
ANSWER_KEYS = ("restorative", "demand", "vulnerability")
MILESTONES = ("6_weeks", "3_months", "6_months")

# A milestone stays on offer for six weeks after its date: long enough to find a quiet moment,
# short enough that "six weeks on" is still roughly true when it is answered. With this window
# the three never overlap, so at most one is due on any day.
MILESTONE_WINDOW = timedelta(weeks=6)
# The first-conversation guide is offered from 4 weeks to 8 weeks after the arrival, both ends
# included: once the first rush has passed, while it is still early.
FIRST_CONVERSATION_FROM = timedelta(weeks=4)
FIRST_CONVERSATION_UNTIL = timedelta(weeks=8)
# With ``today`` given, signals only speak of recent entries: this week's or last week's.
FRESH_FOR = timedelta(weeks=1)

_WEEK = re.compile(r"(\d{4})-W(\d{2})")


class Signal(StrEnum):
    """The signals; the values are the keys of their words in the vault's content."""

    TWO_WEEKS_NONE_GOOD = "two_weeks_none_good"
    SAME_THREE_WEEKS = "same_three_weeks"
    WITHOUT_REMINDER = "without_reminder"


# -- weeks -----------------------------------------------------------------------------------


def week_start(week: str) -> date:
    """The Monday of an ISO week such as ``"2026-W48"``; a week that does not exist is an error."""
    match = _WEEK.fullmatch(week)
    if match is None:
        raise ValueError(f"not an ISO week (YYYY-Www): {week!r}")
    return date.fromisocalendar(int(match[1]), int(match[2]), 1)


def iso_week(day: date) -> str:
    """The ISO week a day falls in, as ``YYYY-Www``."""
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def shift_week(week: str, weeks: int) -> str:
    """The week ``weeks`` after (or, if negative, before) ``week``."""
    return iso_week(week_start(week) + timedelta(weeks=weeks))


# -- entries ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WeekEntry:
    """One week's check-in, as far as the signals need it (already decrypted, in memory only)."""

    week: str
    rating: str
    answers: tuple[str, ...]
    experiment: str | None = None
    came_from_reminder: bool = False

    def __post_init__(self) -> None:
        week_start(self.week)
        if self.rating not in RATINGS:
            raise ValueError(f"unknown rating: {self.rating!r}")

    @property
    def start(self) -> date:
        return week_start(self.week)

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> WeekEntry:
        """From the vault's stored check-in (keys ``week``, ``rating``, the answers, ``from_reminder``)."""
        return cls(
            week=str(record["week"]),
            rating=str(record["rating"]),
            answers=tuple(str(record.get(key) or "") for key in ANSWER_KEYS),
            experiment=str(record["experiment"]) if record.get("experiment") else None,
            came_from_reminder=bool(record.get("from_reminder", False)),
        )


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """One week of the look back; ``rating`` and ``experiment`` are ``None`` for a week without a check-in."""

    week: str
    start: date
    rating: str | None
    experiment: str | None


def normalise_answer(text: str) -> str:
    """An answer as compared for "the same answers": case, spacing and Unicode forms ignored."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return " ".join(folded.split())


def _one_per_week(entries: Iterable[WeekEntry]) -> list[WeekEntry]:
    """Entries oldest first, one per week; if a week appears twice, the later one in the input wins."""
    by_week = {entry.week: entry for entry in entries}
    return sorted(by_week.values(), key=lambda entry: entry.start)


def _consecutive(entries: list[WeekEntry]) -> bool:
    return all(b.start - a.start == timedelta(weeks=1) for a, b in pairwise(entries))


# -- signals ---------------------------------------------------------------------------------


def current_signals(entries: Iterable[WeekEntry], *, today: date | None = None) -> list[Signal]:
    """The signals that apply after the latest entry, in a fixed order.

    - ``two_weeks_none_good``: the latest two entries are in consecutive weeks and both rated
      ``none_good``;
    - ``same_three_weeks``: the latest three entries are in consecutive weeks, with the same
      rating and the same answers (see ``normalise_answer``);
    - ``without_reminder``: the latest entry was made without a reminder, a good sign.

    With ``today``, entries after today's week are ignored and nothing is returned unless the
    latest entry is from this week or last week, so an old pattern does not greet someone who
    comes back after a break.
    """
    ordered = _one_per_week(entries)
    if today is not None:
        this_week = week_start(iso_week(today))
        ordered = [entry for entry in ordered if entry.start <= this_week]
        if ordered and this_week - ordered[-1].start > FRESH_FOR:
            ordered = []
    if not ordered:
        return []
    found: list[Signal] = []
    last_two = ordered[-2:]
    if len(last_two) == 2 and _consecutive(last_two) and all(e.rating == NONE_GOOD for e in last_two):
        found.append(Signal.TWO_WEEKS_NONE_GOOD)
    last_three = ordered[-3:]
    if len(last_three) == 3 and _consecutive(last_three):
        shapes = {(e.rating, tuple(normalise_answer(a) for a in e.answers)) for e in last_three}
        if len(shapes) == 1:
            found.append(Signal.SAME_THREE_WEEKS)
    if not ordered[-1].came_from_reminder:
        found.append(Signal.WITHOUT_REMINDER)
    return found


def trend(entries: Iterable[WeekEntry], weeks: int = 12, *, today: date | None = None) -> list[TrendPoint]:
    """One point per week for the ``weeks`` weeks ending with today's week, oldest first.

    Weeks without a check-in are points too (rating ``None``), so gaps show as gaps. Without
    ``today`` the window ends with the latest entry's week, and with no entries and no ``today``
    there is nothing to show.
    """
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    by_week = {entry.week: entry for entry in _one_per_week(entries)}
    if today is not None:
        last = iso_week(today)
    elif by_week:
        last = max(by_week.values(), key=lambda entry: entry.start).week
    else:
        return []
    points = []
    for back in range(weeks - 1, -1, -1):
        week = shift_week(last, -back)
        entry = by_week.get(week)
        points.append(
            TrendPoint(
                week=week,
                start=week_start(week),
                rating=entry.rating if entry else None,
                experiment=entry.experiment if entry else None,
            )
        )
    return points


# -- dates after the arrival -----------------------------------------------------------------


def _add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it is shorter (31 Jan -> 30 Apr)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    following = date(year + month // 12, month % 12 + 1, 1)
    return date(year, month, min(day.day, (following - timedelta(days=1)).day))


def milestone_dates(arrival: date) -> dict[str, date]:
    """When each milestone reflection falls: 6 weeks, 3 calendar months and 6 calendar months on."""
    return {
        "6_weeks": arrival + timedelta(weeks=6),
        "3_months": _add_months(arrival, 3),
        "6_months": _add_months(arrival, 6),
    }


def milestones_due(arrival: date, today: date) -> list[str]:
    """Milestones on offer today: their date has come and is at most ``MILESTONE_WINDOW`` ago.

    Whether the person already answered or skipped one is the caller's to filter out.
    """
    return [key for key, due in milestone_dates(arrival).items() if due <= today <= due + MILESTONE_WINDOW]


def first_conversation_offered(arrival: date, today: date) -> bool:
    """Whether the first-conversation guide is on offer: 4 to 8 weeks after the arrival, inclusive."""
    return arrival + FIRST_CONVERSATION_FROM <= today <= arrival + FIRST_CONVERSATION_UNTIL
