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
# The quarterly review comes round every 13 weeks after the private space was set up.
QUARTER = timedelta(weeks=13)
# Warning signs are offered for reflection after repeated hard weeks: at least this many weeks
# in which someone said nothing felt good, among the last ``HARD_WEEKS_WINDOW`` calendar weeks.
HARD_WEEKS = 2
HARD_WEEKS_WINDOW = 4
# With ``today`` given, signals only speak of recent entries: this week's or last week's.
FRESH_FOR = timedelta(weeks=1)

_WEEK = re.compile(r"(\d{4})-W(\d{2})")


class Signal(StrEnum):
    """The signals; the values are the keys of their words in the vault's content.

    ``WITHOUT_REMINDER`` and ``CLOSENESS_OUTSIDE_PLAN`` are good signs (``GOOD_SIGNS``); the
    others ask for care (decay signals).
    """

    TWO_WEEKS_NONE_GOOD = "two_weeks_none_good"
    BOTH_TWO_WEEKS_NONE_GOOD = "both_two_weeks_none_good"
    SAME_THREE_WEEKS = "same_three_weeks"
    WITHOUT_REMINDER = "without_reminder"
    CLOSENESS_OUTSIDE_PLAN = "closeness_outside_plan"


GOOD_SIGNS = frozenset({Signal.WITHOUT_REMINDER, Signal.CLOSENESS_OUTSIDE_PLAN})


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
    # What the partner shared, entered by the employee after talking together; ``None`` when
    # that optional part was left out this week.
    partner_rating: str | None = None
    # "Was there closeness this week outside what you planned?" answered yes (an optional
    # question: no, "rather not say" and no answer are all False).
    closeness_outside: bool = False

    def __post_init__(self) -> None:
        week_start(self.week)
        if self.rating not in RATINGS:
            raise ValueError(f"unknown rating: {self.rating!r}")
        if self.partner_rating is not None and self.partner_rating not in RATINGS:
            raise ValueError(f"unknown partner rating: {self.partner_rating!r}")

    @property
    def both_none_good(self) -> bool:
        """Both partners said nothing felt good this week (the partner's part was filled in)."""
        return self.rating == NONE_GOOD and self.partner_rating == NONE_GOOD

    @property
    def hard(self) -> bool:
        """Someone said nothing felt good this week."""
        return NONE_GOOD in (self.rating, self.partner_rating)

    @property
    def start(self) -> date:
        return week_start(self.week)

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> WeekEntry:
        """From the vault's stored check-in (keys ``week``, ``rating``, the answers, ``from_reminder``)."""
        planned = migrated(record)["experiments"]
        return cls(
            week=str(record["week"]),
            rating=str(record["rating"]),
            answers=tuple(str(record.get(key) or "") for key in ANSWER_KEYS),
            experiment=str(planned[0]["text"]) if planned else None,
            came_from_reminder=bool(record.get("from_reminder", False)),
            partner_rating=str(record["partner_rating"]) if record.get("partner_rating") else None,
            closeness_outside=record.get("closeness_outside") == "yes",
        )


def migrated(record: Mapping[str, Any]) -> dict[str, Any]:
    """A stored check-in in today's shape: ``experiments`` (a list of ``text``, ``day``, ``time``)
    and ``follow_ups`` (``index`` of the experiment answered, ``experiment``, ``outcome``, ``note``).

    Check-ins saved before there could be three experiments a week hold one ``experiment``
    string and one ``follow_up`` with its ``follow_up_note``; they are read as lists of one (or
    none), so nothing written then is lost or read differently. The record itself is not changed.
    """
    entry = dict(record)
    if "experiments" not in entry:
        old = entry.pop("experiment", None)
        entry["experiments"] = [{"text": str(old), "day": None, "time": None}] if old else []
    if "follow_ups" not in entry:
        outcome, note = entry.pop("follow_up", None), entry.pop("follow_up_note", None) or ""
        entry["follow_ups"] = (
            [{"experiment": None, "outcome": outcome, "note": str(note)}] if outcome or note else []
        )
    return entry


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


def current_signals(
    entries: Iterable[WeekEntry], *, today: date | None = None, reminders_on: bool = True
) -> list[Signal]:
    """The signals that apply after the latest entry, in a fixed order.

    - ``both_two_weeks_none_good``: the latest two entries are in consecutive weeks and in both
      the person and their partner said nothing felt good (the seed's signal, read from both);
    - ``two_weeks_none_good``: otherwise, the person's own ratings were ``none_good`` in the
      latest two entries, in consecutive weeks (one person's answers, today's wording);
    - ``same_three_weeks``: the latest three entries are in consecutive weeks, with the same
      rating and the same answers (see ``normalise_answer``);
    - ``without_reminder``: a good sign, only when it is true: reminders are on, the latest entry
      was made without one (and, with ``today``, it is this week's), and no decay signal speaks
      of the same weeks;
    - ``closeness_outside_plan``: a good sign, only when it is true: the person said there was
      closeness outside what they planned in the current week or the week before (with
      ``today``: this week or last week; without it, the latest entry's week or the one before),
      and no decay signal speaks of the same weeks (every decay signal speaks of the latest
      entry's week, so any decay signal keeps it back).

    With ``today``, entries after today's week are ignored and nothing is returned unless the
    latest entry is from this week or last week, so an old pattern does not greet someone who
    comes back after a break.
    """
    ordered = _one_per_week(entries)
    this_week: date | None = None
    if today is not None:
        this_week = week_start(iso_week(today))
        ordered = [entry for entry in ordered if entry.start <= this_week]
        if ordered and this_week - ordered[-1].start > FRESH_FOR:
            ordered = []
    if not ordered:
        return []
    found: list[Signal] = []
    last_two = ordered[-2:]
    if len(last_two) == 2 and _consecutive(last_two):
        if all(e.both_none_good for e in last_two):
            found.append(Signal.BOTH_TWO_WEEKS_NONE_GOOD)
        elif all(e.rating == NONE_GOOD for e in last_two):
            found.append(Signal.TWO_WEEKS_NONE_GOOD)
    last_three = ordered[-3:]
    if len(last_three) == 3 and _consecutive(last_three):
        shapes = {(e.rating, tuple(normalise_answer(a) for a in e.answers)) for e in last_three}
        if len(shapes) == 1:
            found.append(Signal.SAME_THREE_WEEKS)
    latest = ordered[-1]
    good_sign = (
        reminders_on
        and not latest.came_from_reminder
        and (this_week is None or latest.start == this_week)
        and not found
    )
    if good_sign:
        found.append(Signal.WITHOUT_REMINDER)
    reference = this_week if this_week is not None else latest.start
    close = any(e.closeness_outside and reference - e.start <= FRESH_FOR for e in ordered[-2:])
    if close and not any(signal not in GOOD_SIGNS for signal in found):
        found.append(Signal.CLOSENESS_OUTSIDE_PLAN)
    return found


def warning_signs_offered(entries: Iterable[WeekEntry], *, today: date) -> bool:
    """Whether "Look back" offers the warning signs for reflection: after repeated hard weeks.

    At least ``HARD_WEEKS`` of the ``HARD_WEEKS_WINDOW`` calendar weeks ending with today's week
    had someone (the person or, where they filled it in, their partner) saying nothing felt good.
    """
    this_week = week_start(iso_week(today))
    window_start = this_week - timedelta(weeks=HARD_WEEKS_WINDOW - 1)
    recent = [e for e in _one_per_week(entries) if window_start <= e.start <= this_week]
    return sum(e.hard for e in recent) >= HARD_WEEKS


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
    """Whether the first-conversation guide is highlighted: 4 to 8 weeks after the arrival,
    inclusive. (Its text says "whenever you are ready": outside these weeks it is still there,
    just not put forward.)"""
    return arrival + FIRST_CONVERSATION_FROM <= today <= arrival + FIRST_CONVERSATION_UNTIL


def milestones_from(arrival: date | None, leave_start: date | None) -> date | None:
    """The day milestones count from: the arrival date if the person gave one, else the start
    of their leave; ``None`` when neither is known."""
    return arrival if arrival is not None else leave_start


def quarterly_review_due(started: date, today: date, last_review: date | None) -> bool:
    """Whether the quarterly review is offered: a 13-week mark since the private space was set up
    has come, and no review was written since the latest mark."""
    quarters = (today - started) // QUARTER
    if quarters < 1:
        return False
    latest_mark = started + quarters * QUARTER
    return last_review is None or last_review < latest_mark


@dataclass(frozen=True, slots=True)
class Timing:
    """What the space puts forward today: the milestone due (if any, not yet answered), whether
    it is the time for a first conversation, and whether a quarterly review is due."""

    milestone_due: str | None
    first_conversation: bool
    review_due: bool


def timing(
    *,
    today: date,
    arrival: date | None,
    leave_start: date | None,
    answered: Iterable[str],
    started: date,
    last_review: date | None,
) -> Timing:
    """Worked out whenever the space is opened, never by a tick: milestones and the first
    conversation count from the arrival date the person gave, else from their leave's start;
    the quarterly review from when they started (``quarterly_review_due``)."""
    anchor = milestones_from(arrival, leave_start)
    done = set(answered)
    due = [key for key in milestones_due(anchor, today) if key not in done] if anchor else []
    return Timing(
        milestone_due=due[0] if due else None,
        first_conversation=bool(anchor and first_conversation_offered(anchor, today)),
        review_due=quarterly_review_due(started, today, last_review),
    )
